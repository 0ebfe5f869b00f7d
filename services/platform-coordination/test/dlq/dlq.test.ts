import { randomUUID } from 'node:crypto';
import { dlqTopicOf, topicOf } from '@fv/contracts';
import { DLQ_HEADERS, EventCodec } from '@fv/messaging';
import { createLogger } from '@fv/service-kit';
import { Kafka, logLevel } from 'kafkajs';
import { EventCollector, waitFor, waitUntilConsumed, type TestDatabase } from '@fv/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadLetterInput, factsOfEvent, REPLAY_HEADERS } from '../../src/dlq/domain/dead-letter-message.js';
import { DeadLetterService } from '../../src/dlq/dead-letter-service.js';
import { recordDeadLetters } from '../../src/dlq/dead-letter-store.js';
import { ReplayPublisher } from '../../src/dlq/replay-publisher.js';
import type { CoordinationRuntime } from '../../src/runtime.js';
import { metricValue, OrderCreatedParticipant, startWithLedger } from './dlq-support.js';
import { closeProducer, kafka, OrderStory, publish, publishRaw } from '../workflows/saga-support.js';
import { admin, bearer, customer, testDatabase } from '../support.js';

const ORDER_CREATED = topicOf('OrderCreated');

let database: TestDatabase;
let runtime: CoordinationRuntime;
let participant: OrderCreatedParticipant;
let replays: EventCollector;
const codec = new EventCodec(process.env.SCHEMA_REGISTRY_URL!);

beforeAll(async () => {
  database = await testDatabase('dlq');
  runtime = await startWithLedger(kafka, database);
  participant = await new OrderCreatedParticipant(kafka, codec, runtime.context.prisma).start();
  replays = await new EventCollector(kafka, [ORDER_CREATED]).start();
});
afterAll(async () => {
  await participant?.stop();
  await replays?.stop();
  await runtime?.stop();
  await closeProducer();
  await database?.dispose();
});

type Body = Record<string, unknown> & { error?: { code: string; details: Record<string, unknown> } };

async function call(method: 'GET' | 'POST', url: string, payload?: unknown, authorization = admin) {
  const response = await runtime.app.inject({
    method,
    url: `/api/v1${url}`,
    headers: { authorization, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
  });
  return { status: response.statusCode, body: response.json() as Body };
}

type Listed = { id: string; status: string; originalOffset: string; eventId: string | null } & Record<
  string,
  unknown
>;

async function listed(query: string): Promise<Listed[]> {
  const { status, body } = await call('GET', `/dlq?${query}`);
  expect(status).toBe(200);
  return body.deadLetters as Listed[];
}

/** Waits until the ledger holds `count` dead letters matching the query. */
function ledgerHas(query: string, count: number): Promise<Listed[]> {
  return waitFor(
    async () => {
      const rows = await listed(query);
      return rows.length >= count ? rows : undefined;
    },
    { timeoutMs: 30_000, description: `${count} dead letter(s) matching ${query} in the ledger` },
  );
}

async function pendingGauge(topic: string): Promise<number | undefined> {
  const response = await runtime.app.inject({ method: 'GET', url: '/metrics' });
  expect(response.statusCode).toBe(200);
  return metricValue(response.body, 'dlq_pending_messages', { topic });
}

/** A PENDING dead letter of an OrderCreated of `story`, as a participant would have dead-lettered it. */
async function recorded(story: OrderStory): Promise<string> {
  const event = story.created();
  const id = randomUUID();
  await recordDeadLetters(runtime.context.prisma, [
    deadLetterInput({
      id,
      dlqTopic: dlqTopicOf(ORDER_CREATED),
      dlqPartition: 0,
      message: {
        offset: String(1e9 + Math.floor(Math.random() * 1e9)),
        key: Buffer.from(story.orderId),
        value: await codec.encode('OrderCreated', event),
        timestamp: String(Date.now()),
        headers: {
          [DLQ_HEADERS.originalTopic]: ORDER_CREATED,
          [DLQ_HEADERS.originalPartition]: '0',
          [DLQ_HEADERS.errorCode]: 'TEST_RECORDED',
        },
      },
      facts: factsOfEvent('OrderCreated', event),
      decodeError: null,
      now: new Date(),
    }),
  ]);
  return id;
}

/** Waits until the participant has consumed everything published to OrderCreated so far. */
const participantCaughtUp = () => waitUntilConsumed(kafka, participant.groupId, [ORDER_CREATED]);

describe('the dead-letter ledger and its API', () => {
  const refused = new OrderStory();
  const garbageKey = randomUUID();
  let refusedEvent: Awaited<ReturnType<OrderStory['created']>>;
  let refusedId: string;
  let garbageId: string;

  it('records a message a real consumer dead-lettered, with its position, error and decoded ids', async () => {
    participant.poisoned.add(refused.orderId);
    refusedEvent = refused.created();
    await publish('OrderCreated', refusedEvent);
    await publishRaw(ORDER_CREATED, garbageKey, Buffer.from('this is not Avro'));

    const [row] = await ledgerHas(`orderId=${refused.orderId}`, 1);
    refusedId = row!.id;
    expect(row).toMatchObject({
      status: 'PENDING',
      originalTopic: ORDER_CREATED,
      dlqTopic: dlqTopicOf(ORDER_CREATED),
      eventName: 'OrderCreated',
      eventId: refusedEvent.eventId,
      orderId: refused.orderId,
      correlationId: refused.orderId,
      key: refused.orderId,
      error: { code: 'ORDER_REFUSED', class: 'NonRetriableError' },
      attempts: 1,
      consumerGroup: participant.groupId,
      replayedAt: null,
      resolvedBy: null,
    });
    expect(row!.originalPartition).toEqual(expect.any(Number));
    expect(row!.originalOffset).toMatch(/^\d+$/);
    expect((row!.error as { message: string }).message).toContain('refused by the test');

    const garbage = await ledgerHas(`errorCode=UNDECODABLE_MESSAGE&consumerGroup=${participant.groupId}`, 1);
    expect(garbage).toHaveLength(1);
    garbageId = garbage[0]!.id;
    expect(garbage[0]).toMatchObject({
      key: garbageKey,
      eventName: 'OrderCreated',
      eventId: null,
      orderId: null,
    });
  });

  it('filters by topic, error code, consumer group and status, and pages', async () => {
    const ours = `consumerGroup=${participant.groupId}`;
    expect((await listed(ours)).map((row) => row.id).sort()).toEqual([refusedId, garbageId].sort());
    expect((await listed(`${ours}&errorCode=ORDER_REFUSED`)).map((row) => row.id)).toEqual([refusedId]);
    expect((await listed(`${ours}&topic=${ORDER_CREATED}`)).length).toBe(2);
    expect((await listed(`${ours}&topic=${dlqTopicOf(ORDER_CREATED)}`)).length).toBe(2);
    expect((await listed(`${ours}&topic=${topicOf('PaymentProcessed')}`)).length).toBe(0);
    expect((await listed(`${ours}&status=REPLAYED`)).length).toBe(0);
    expect((await listed(`orderId=ord-${refused.orderId}`)).map((row) => row.id)).toEqual([refusedId]);

    const page = await call('GET', `/dlq?${ours}&size=1&page=1`);
    expect(page.status).toBe(200);
    expect(page.body.pagination).toEqual({ page: 1, size: 1, totalElements: 2, totalPages: 2 });
    expect(page.body.deadLetters).toHaveLength(1);
  });

  it('shows one dead letter decoded with the registry, with its headers; or says why it cannot be decoded', async () => {
    const shown = await call('GET', `/dlq/${refusedId}`);
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({
      id: refusedId,
      decodeError: null,
      event: {
        eventId: refusedEvent.eventId,
        orderId: refused.orderId,
        customerEmail: 'ada@example.com',
        totalAmount: '20.00',
      },
      headers: {
        [DLQ_HEADERS.originalTopic]: ORDER_CREATED,
        [DLQ_HEADERS.errorCode]: 'ORDER_REFUSED',
        [DLQ_HEADERS.consumerGroup]: participant.groupId,
      },
    });
    expect(Buffer.from(shown.body.value as string, 'base64').readUInt8(0)).toBe(0);

    const garbage = await call('GET', `/dlq/${garbageId}`);
    expect(garbage.status).toBe(200);
    expect(garbage.body.event).toBeNull();
    expect(garbage.body.decodeError).toContain('magic byte');
    expect(Buffer.from(garbage.body.value as string, 'base64').toString()).toBe('this is not Avro');
  });

  it('summarises by status, topic, error and consumer group', async () => {
    const { status, body } = await call('GET', `/dlq/summary?consumerGroup=${participant.groupId}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      total: 2,
      byStatus: { PENDING: 2, REPLAYED: 0, DISCARDED: 0 },
      byTopic: [{ topic: ORDER_CREATED, total: 2, PENDING: 2, REPLAYED: 0, DISCARDED: 0 }],
      byConsumerGroup: [{ consumerGroup: participant.groupId, total: 2, PENDING: 2 }],
    });
    expect(body.byError).toEqual(
      expect.arrayContaining([
        { errorCode: 'ORDER_REFUSED', total: 1, PENDING: 1, REPLAYED: 0, DISCARDED: 0 },
        { errorCode: 'UNDECODABLE_MESSAGE', total: 1, PENDING: 1, REPLAYED: 0, DISCARDED: 0 },
      ]),
    );
  });

  it('exports the PENDING dead letters per original topic on /metrics', async () => {
    // The ledger of this suite started at the end of the DLQ topics: only this suite's dead letters count.
    expect(await pendingGauge(ORDER_CREATED)).toBe(2);
    expect(await pendingGauge(topicOf('PaymentProcessed'))).toBe(0);
  });

  it('records a dead letter once, however often it is read', async () => {
    const stored = await runtime.context.prisma.deadLetter.findUniqueOrThrow({ where: { id: refusedId } });
    const again = await recordDeadLetters(runtime.context.prisma, [
      { ...stored, id: randomUUID(), headers: stored.headers as Record<string, string> },
    ]);
    expect(again).toBe(0);
    expect(await listed(`orderId=${refused.orderId}`)).toHaveLength(1);
  });

  it('replays a dead letter to a consumer that now accepts it: applied once, REPLAYED, a second replay is 409', async () => {
    participant.poisoned.delete(refused.orderId);
    const replayed = await call('POST', `/dlq/${refusedId}/replay`, undefined, bearer('ada', ['admin']));
    expect(replayed.status).toBe(200);
    expect(replayed.body).toMatchObject({ id: refusedId, status: 'REPLAYED', resolvedBy: 'ada' });
    expect(replayed.body.replayedAt).toEqual(expect.any(String));

    await waitFor(() => participant.applied.includes(refusedEvent.eventId), {
      timeoutMs: 30_000,
      description: 'the participant applying the replayed event',
    });
    await participantCaughtUp();
    expect(participant.applied.filter((id) => id === refusedEvent.eventId)).toHaveLength(1);

    const sent = replays.messages.filter((message) => message.headers[REPLAY_HEADERS.replayOf] === refusedId);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      key: refused.orderId,
      partition: (await listed(`orderId=${refused.orderId}`))[0]!.originalPartition,
      headers: { [REPLAY_HEADERS.replayOf]: refusedId, [REPLAY_HEADERS.replayedBy]: 'ada' },
    });
    // The original carried no headers: the replay carries the replay's, none of the dead letter's dlq-* ones.
    expect(Object.keys(sent[0]!.headers).sort()).toEqual(Object.values(REPLAY_HEADERS).sort());

    const again = await call('POST', `/dlq/${refusedId}/replay`);
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({
      code: 'CONFLICT',
      details: { status: 'REPLAYED', reason: 'ALREADY_REPLAYED' },
    });
    expect(await pendingGauge(ORDER_CREATED)).toBe(1);
  });

  it('discards with a required reason; a discarded dead letter is neither replayed nor discarded again', async () => {
    const noReason = await call('POST', `/dlq/${garbageId}/discard`, {});
    expect(noReason.status).toBe(400);
    expect(noReason.body.error!.code).toBe('INVALID_REQUEST');
    const blank = await call('POST', `/dlq/${garbageId}/discard`, { reason: '   ' });
    expect(blank.status).toBe(400);

    const discarded = await call('POST', `/dlq/${garbageId}/discard`, { reason: 'garbage sent by a test' });
    expect(discarded.status).toBe(200);
    expect(discarded.body).toMatchObject({
      id: garbageId,
      status: 'DISCARDED',
      discardReason: 'garbage sent by a test',
      resolvedBy: 'operator',
    });
    expect((await call('POST', `/dlq/${garbageId}/discard`, { reason: 'again' })).status).toBe(409);
    const replay = await call('POST', `/dlq/${garbageId}/replay`);
    expect(replay.status).toBe(409);
    expect(replay.body.error!.details).toMatchObject({ reason: 'ALREADY_DISCARDED' });
    expect(await pendingGauge(ORDER_CREATED)).toBe(0);
  });

  it("replays an order's dead letters in their original order, each applied once", async () => {
    const story = new OrderStory();
    participant.poisoned.add(story.orderId);
    const events = [story.created(), story.created(), story.created()];
    for (const event of events) await publish('OrderCreated', event);
    const rows = await ledgerHas(`orderId=${story.orderId}`, 3);
    const byOffset = [...rows].sort((a, b) => Number(BigInt(a.originalOffset) - BigInt(b.originalOffset)));
    expect(byOffset.map((row) => row.eventId)).toEqual(events.map((event) => event.eventId));

    participant.poisoned.delete(story.orderId);
    const { status, body } = await call('POST', '/dlq/replay', { orderId: `ord-${story.orderId}` });
    expect(status).toBe(200);
    expect(body).toMatchObject({ replayed: 3, matched: 3, remaining: 0 });
    expect((body.deadLetters as Listed[]).map((row) => row.eventId)).toEqual(
      events.map((event) => event.eventId),
    );

    await waitFor(() => events.every((event) => participant.applied.includes(event.eventId)), {
      timeoutMs: 30_000,
      description: 'the participant applying the replayed events',
    });
    await participantCaughtUp();
    const applied = participant.applied.filter((id) => events.some((event) => event.eventId === id));
    expect(applied).toEqual(events.map((event) => event.eventId));
    expect((await listed(`orderId=${story.orderId}&status=REPLAYED`)).length).toBe(3);

    const nothing = await call('POST', '/dlq/replay', { orderId: story.orderId });
    expect(nothing.body).toMatchObject({ replayed: 0, matched: 0, remaining: 0 });
  });

  it('replays by error code', async () => {
    const story = new OrderStory();
    participant.poisoned.add(story.orderId);
    const event = story.created();
    await publish('OrderCreated', event);
    await ledgerHas(`orderId=${story.orderId}&status=PENDING`, 1);
    participant.poisoned.delete(story.orderId);
    const { status, body } = await call('POST', '/dlq/replay', {
      errorCode: 'ORDER_REFUSED',
      consumerGroup: participant.groupId,
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({ replayed: 1, remaining: 0 });
    await waitFor(() => participant.applied.includes(event.eventId), {
      timeoutMs: 30_000,
      description: 'the participant applying the event replayed by error code',
    });
  });

  it('replays a dead letter once when two operators replay it at the same time', async () => {
    const story = new OrderStory();
    const id = await recorded(story);
    const answers = await Promise.all([
      call('POST', `/dlq/${id}/replay`),
      call('POST', `/dlq/${id}/replay`),
      call('POST', '/dlq/replay', { orderId: story.orderId }),
    ]);
    const replayedBySingle = answers.slice(0, 2).filter((answer) => answer.status === 200).length;
    const replayedByBulk = (answers[2]!.body as { replayed: number }).replayed;
    expect(
      answers
        .slice(0, 2)
        .map((answer) => answer.status)
        .sort(),
    ).toEqual(replayedBySingle === 1 ? [200, 409] : [409, 409]);
    expect(replayedBySingle + replayedByBulk).toBe(1);
    await waitFor(() => replays.messages.some((message) => message.headers[REPLAY_HEADERS.replayOf] === id), {
      timeoutMs: 30_000,
      description: 'the replay on the topic',
    });
    await waitUntilConsumed(kafka, participant.groupId, [ORDER_CREATED]);
    expect(
      replays.messages.filter((message) => message.headers[REPLAY_HEADERS.replayOf] === id),
    ).toHaveLength(1);
  });

  it('leaves a dead letter PENDING and answers 503 when the broker does not acknowledge the replay', async () => {
    const story = new OrderStory();
    const id = await recorded(story);
    const unreachable = new Kafka({
      clientId: 'dlq-test-unreachable',
      brokers: ['127.0.0.1:9'],
      connectionTimeout: 300,
      retry: { retries: 0 },
      logLevel: logLevel.NOTHING,
    });
    const publisher = new ReplayPublisher(unreachable);
    const service = new DeadLetterService({
      prisma: runtime.context.prisma,
      codec,
      publisher,
      logger: createLogger({ service: 'test', version: '0', level: 'fatal' }),
    });
    await expect(service.replay(id, 'operator')).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      status: 503,
    });
    await expect(service.replayMatching({ orderId: story.orderId }, 'operator')).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      details: { replayed: 0 },
    });
    await publisher.close();
    expect((await call('GET', `/dlq/${id}`)).body).toMatchObject({ status: 'PENDING', replayedAt: null });
    // The cause gone, the same dead letter replays.
    expect((await call('POST', `/dlq/${id}/replay`)).status).toBe(200);
  });

  it('is for admins only, and refuses bad input with the error envelope', async () => {
    for (const token of [customer, bearer('inventory', ['service'])]) {
      for (const [method, url, payload] of [
        ['GET', '/dlq'],
        ['GET', '/dlq/summary'],
        ['GET', `/dlq/${refusedId}`],
        ['POST', `/dlq/${refusedId}/replay`],
        ['POST', '/dlq/replay', { orderId: refused.orderId }],
        ['POST', `/dlq/${refusedId}/discard`, { reason: 'x' }],
      ] as const) {
        const answer = await call(method, url, payload, token);
        expect(answer.status, `${method} ${url}`).toBe(403);
        expect(answer.body.error!.code).toBe('INSUFFICIENT_PERMISSIONS');
      }
    }
    const anonymous = await runtime.app.inject({ method: 'GET', url: '/api/v1/dlq' });
    expect(anonymous.statusCode).toBe(401);

    const bad = [
      await call('GET', '/dlq?status=LOST'),
      await call('GET', '/dlq?size=1000'),
      await call('GET', '/dlq?orderId=nope'),
      await call('GET', '/dlq/not-a-uuid'),
      await call('POST', '/dlq/replay', {}),
      await call('POST', '/dlq/replay', { orderId: refused.orderId, limit: 0 }),
      await call('POST', '/dlq/replay', { everything: true }),
    ];
    for (const answer of bad) {
      expect(answer.status).toBe(400);
      expect(answer.body.error!.code).toBe('INVALID_REQUEST');
    }
    const missing = await call('GET', `/dlq/${randomUUID()}`);
    expect(missing.status).toBe(404);
    expect(missing.body.error!.code).toBe('NOT_FOUND');
    expect((await call('POST', `/dlq/${randomUUID()}/replay`)).status).toBe(404);
  });

  it('documents the API in the OpenAPI document', async () => {
    const response = await runtime.app.inject({ method: 'GET', url: '/docs/json' });
    const paths = Object.keys((response.json() as { paths: Record<string, unknown> }).paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/v1/dlq',
        '/api/v1/dlq/summary',
        '/api/v1/dlq/{id}',
        '/api/v1/dlq/{id}/replay',
        '/api/v1/dlq/replay',
        '/api/v1/dlq/{id}/discard',
      ]),
    );
  });
});
