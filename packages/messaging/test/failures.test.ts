import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dlqTopicOf, topicOf, type EventMap } from '@fv/contracts';
import { openDatabase, type Database } from '@fv/database';
import { EventCollector, uniqueName, waitFor } from '@fv/testing';
import { PrismaClient } from '../src/generated/test-prisma/client.js';
import {
  DLQ_HEADERS,
  EventCodec,
  EventConsumer,
  NonRetriableError,
  OutboxRelay,
  UNPUBLISHABLE,
  createOutbox,
  type MessageOutcome,
} from '../src/index.js';
import {
  createHarness,
  logger,
  orderCreated,
  orderCreatedEvent as event,
  type Harness,
  testCodec,
} from './fixtures.js';
import { LaggingRegistry } from './lagging-registry.js';
import { TcpProxy } from './tcp-proxy.js';

const topic = topicOf('OrderCreated');
let h: Harness;
let codec: EventCodec;
let dlq: EventCollector;
const outbox = createOutbox({ producer: 'messaging-test' });

beforeAll(async () => {
  h = await createHarness('failures');
  codec = testCodec(h);
  dlq = await new EventCollector(h.kafka, [dlqTopicOf(topic)]).start();
});

afterAll(async () => {
  await dlq?.stop();
  await h?.close();
});

async function produce(key: string, ...events: EventMap['OrderCreated'][]) {
  const producer = h.kafka.producer();
  await producer.connect();
  for (const e of events) {
    await producer.send({ topic, messages: [{ key, value: await codec.encode('OrderCreated', e) }] });
  }
  await producer.disconnect();
}

describe('a database outage longer than the retries', () => {
  let proxy: TcpProxy;
  let db: Database;
  let prisma: PrismaClient;

  beforeAll(async () => {
    if (h.database.target.kind !== 'postgres') return;
    const url = new URL(h.database.target.url);
    proxy = await new TcpProxy({ host: url.hostname, port: Number(url.port || 5432) }).start();
    url.port = String(proxy.port);
    db = await openDatabase({ kind: 'postgres', url: url.toString(), database: h.database.target.database });
    prisma = new PrismaClient({ adapter: db.adapter });
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await db?.close();
    await proxy?.stop();
  });

  it('holds the message until the database is back, then applies it once; nothing is dead-lettered', async () => {
    if (h.database.target.kind !== 'postgres') return; // the outage needs a server to cut off
    const key = uniqueName('outage');
    const held = event();
    const next = event();
    await produce(key, held, next);
    const outcomes: MessageOutcome[] = [];
    const consumer = new EventConsumer({
      kafka: h.kafka,
      codec,
      db: prisma,
      logger,
      groupId: uniqueName('outage'),
      retry: { delaysMs: [50, 100, 200] },
      outageBackoff: { initialMs: 100, maxMs: 400 },
      onSettled: (outcome) => outcomes.push(outcome),
      handlers: {
        OrderCreated: async (e, { tx }) => {
          await tx.$executeRawUnsafe(
            'insert into test_effects (id, event_id, order_id) values ($1::uuid, $2::uuid, $3)',
            randomUUID(),
            e.eventId,
            e.orderId,
          );
        },
      },
    });
    await proxy.cut();
    await consumer.start();
    try {
      // Far more failed attempts than the bounded retries allow a failing message.
      await waitFor(() => consumer.stats().outageRetries >= 8, {
        timeoutMs: 30_000,
        description: 'the consumer to keep trying through the outage',
      });
      // One message held per partition that has anything to deliver (earlier tests wrote to this topic too).
      expect(consumer.stats().waitingOnOutage).toBeGreaterThanOrEqual(1);
      // The topic is shared with every suite running on the broker: another suite's undecodable message
      // may be dead-lettered without the database, but nothing can be applied while the database is away.
      expect(outcomes.filter((o) => o.eventId === held.eventId || o.eventId === next.eventId)).toEqual([]);
      expect(outcomes.filter((o) => o.result !== 'dead-lettered')).toEqual([]);
      await proxy.restore();
      await waitFor(() => outcomes.some((o) => o.eventId === next.eventId), {
        timeoutMs: 30_000,
        description: 'both events once the database is back',
      });
    } finally {
      await consumer.stop();
    }
    const ours = outcomes.filter((o) => o.eventId === held.eventId || o.eventId === next.eventId);
    expect(ours.map((o) => [o.eventId, o.result])).toEqual([
      [held.eventId, 'handled'],
      [next.eventId, 'handled'],
    ]);
    expect(consumer.stats().waitingOnOutage).toBe(0);
    expect(dlq.messages.filter((m) => m.key === key)).toHaveLength(0);
    expect(await h.prisma.testEffect.count({ where: { orderId: held.orderId } })).toBe(1);
  });
});

describe('a step whose event is dead-lettered', () => {
  it("runs the event's dead-letter hook once, in a transaction that records the event as processed", async () => {
    const key = uniqueName('hook');
    const poison = event();
    await produce(key, poison);
    const outcomes: MessageOutcome[] = [];
    const hookCalls: string[] = [];
    const groupId = uniqueName('hook');
    const make = () =>
      new EventConsumer({
        kafka: h.kafka,
        codec,
        db: h.prisma,
        logger,
        groupId,
        onSettled: (outcome) => outcomes.push(outcome),
        handlers: {
          OrderCreated: async (e) => {
            if (e.eventId === poison.eventId)
              throw new NonRetriableError('no warehouse serves this address', 'NO_WAREHOUSE');
          },
        },
        deadLetterHandlers: {
          OrderCreated: async (e, { tx, errorCode, causedBy }) => {
            hookCalls.push(`${e.eventId} ${errorCode}`);
            // The step's failure event, published with the same correlation.
            await outbox.publish(tx, 'OrderCreated', orderCreated(randomUUID()), causedBy());
          },
        },
      });
    const consumer = make();
    await consumer.start();
    try {
      await waitFor(() => outcomes.some((o) => o.eventId === poison.eventId), {
        description: 'the poison event to be dead-lettered',
      });
    } finally {
      await consumer.stop();
    }
    expect(hookCalls).toEqual([`${poison.eventId} NO_WAREHOUSE`]);
    expect(await h.prisma.outboxEvent.count({ where: { messageKey: poison.orderId } })).toBe(1);

    // Delivered again (a replay from the dead-letter topic, or a redelivery after a crash): nothing happens.
    await produce(key, poison);
    const again = make();
    await again.start();
    try {
      await waitFor(() => outcomes.filter((o) => o.eventId === poison.eventId).length === 2, {
        description: 'the second delivery',
      });
    } finally {
      await again.stop();
    }
    expect(outcomes.filter((o) => o.eventId === poison.eventId).map((o) => o.result)).toEqual([
      'dead-lettered',
      'duplicate',
    ]);
    expect(hookCalls).toHaveLength(1);
    expect(await h.prisma.outboxEvent.count({ where: { messageKey: poison.orderId } })).toBe(1);
  });
});

describe('an outbox row that cannot be published', () => {
  it('holds back the later rows of its key only, and is parked after its attempts', async () => {
    const badKey = uniqueName('bad-key');
    const goodKey = uniqueName('good-key');
    await h.prisma.$executeRawUnsafe(`delete from outbox_events where published_at is null`);
    // Written by an older release, say: its payload no longer matches the schema.
    await h.prisma.$executeRawUnsafe(
      `insert into outbox_events (event_id, event_name, topic, message_key, payload, headers)
       values ($1::uuid, 'OrderCreated', $2, $3, '{"orderId": 42}'::jsonb, '{}'::jsonb)`,
      randomUUID(),
      topic,
      badKey,
    );
    const behindBad = await h.prisma.$transaction((tx) =>
      outbox.publish(tx, 'OrderCreated', orderCreated(), { correlationId: badKey }),
    );
    const otherKey = await h.prisma.$transaction((tx) =>
      outbox.publish(tx, 'OrderCreated', orderCreated(), { correlationId: goodKey }),
    );
    const relay = new OutboxRelay({
      db: h.database.db,
      kafka: h.kafka,
      codec,
      logger,
      lockName: uniqueName('relay'),
      maxRowAttempts: 2,
    });
    try {
      expect(await relay.publishOnce()).toBe(1);
      const published = await h.prisma.outboxEvent.findMany({
        where: { eventId: { in: [behindBad.eventId, otherKey.eventId] } },
      });
      const state = Object.fromEntries(published.map((row) => [row.eventId, row.publishedAt !== null]));
      expect(state).toEqual({ [behindBad.eventId]: false, [otherKey.eventId]: true });
      const [held] = await relay.unpublishable();
      expect(held).toMatchObject({ key: badKey, attempts: 1 });
      expect(held!.lastError.startsWith(UNPUBLISHABLE)).toBe(true);

      // Second failure: parked. Later rounds skip the key entirely and keep publishing the others.
      expect(await relay.publishOnce()).toBe(0);
      const later = await h.prisma.$transaction((tx) =>
        outbox.publish(tx, 'OrderCreated', orderCreated(), { correlationId: goodKey }),
      );
      expect(await relay.publishOnce()).toBe(1);
      expect(
        (await h.prisma.outboxEvent.findUnique({ where: { eventId: later.eventId } }))?.publishedAt,
      ).not.toBeNull();
      expect((await relay.unpublishable())[0]).toMatchObject({ key: badKey, attempts: 2 });
      expect(await relay.pending()).toBe(2);
    } finally {
      await relay.stop();
      await h.prisma.$executeRawUnsafe(`delete from outbox_events where published_at is null`);
    }
  });
});

describe('a schema registry that has not read back its schemas yet', () => {
  // OrderCancelled: a topic no other suite of this package writes, so nothing else is held on it.
  const cancelledTopic = topicOf('OrderCancelled');
  let registry: LaggingRegistry;

  beforeAll(async () => {
    registry = await new LaggingRegistry(h.registryUrl).start();
  });

  afterAll(async () => {
    await registry?.stop();
  });

  function cancelled(): EventMap['OrderCancelled'] {
    const orderId = randomUUID();
    return {
      eventId: randomUUID(),
      occurredAt: Date.now(),
      correlationId: orderId,
      causationId: null,
      producer: 'messaging-test',
      orderId,
      customerId: randomUUID(),
      customerEmail: null,
      reason: 'CUSTOMER_REQUESTED',
      reasonDetails: null,
      initiatedBy: 'CUSTOMER',
      previousStatus: 'PENDING',
    };
  }

  /** Publishes an event; the schema id its bytes name, which the registry is then made to deny. */
  async function publishDenied(key: string, e: EventMap['OrderCancelled']): Promise<number> {
    const value = await codec.encode('OrderCancelled', e);
    const schemaId = value.readUInt32BE(1);
    registry.hide(schemaId);
    const producer = h.kafka.producer();
    await producer.connect();
    await producer.send({ topic: cancelledTopic, messages: [{ key, value }] });
    await producer.disconnect();
    return schemaId;
  }

  function consumerThrough(lagging: EventCodec, outcomes: MessageOutcome[], handled: string[]) {
    return new EventConsumer({
      kafka: h.kafka,
      codec: lagging,
      db: h.prisma,
      logger,
      groupId: uniqueName('lagging-registry'),
      outageBackoff: { initialMs: 50, maxMs: 200 },
      onSettled: (outcome) => outcomes.push(outcome),
      handlers: {
        OrderCancelled: async (e) => {
          handled.push(e.eventId);
        },
      },
    });
  }

  it('holds a message whose schema id it denies knowing, and applies it once the registry knows it again', async () => {
    const key = uniqueName('lagging');
    const e = cancelled();
    const schemaId = await publishDenied(key, e);
    const outcomes: MessageOutcome[] = [];
    const handled: string[] = [];
    const consumer = consumerThrough(new EventCodec(registry.url), outcomes, handled);
    await consumer.start();
    try {
      await waitFor(() => (registry.denials.get(schemaId) ?? 0) >= 5, {
        description: 'the consumer to ask for the schema again and again',
      });
      expect(outcomes).toEqual([]);
      expect(consumer.stats().waitingOnOutage).toBeGreaterThanOrEqual(1);
      registry.reveal(schemaId);
      await waitFor(() => outcomes.some((o) => o.eventId === e.eventId), {
        description: 'the event once the registry knows its schema',
      });
    } finally {
      await consumer.stop();
    }
    expect(outcomes.find((o) => o.eventId === e.eventId)?.result).toBe('handled');
    expect(handled.filter((id) => id === e.eventId)).toHaveLength(1);
    expect(dlq.messages.filter((m) => m.key === key)).toHaveLength(0);
  });

  it('dead-letters the message when the id is still unknown after the grace', async () => {
    const key = uniqueName('never-known');
    const e = cancelled();
    const schemaId = await publishDenied(key, e);
    const cancelledDlq = await new EventCollector(h.kafka, [dlqTopicOf(cancelledTopic)]).start();
    const outcomes: MessageOutcome[] = [];
    const handled: string[] = [];
    const startedAt = Date.now();
    const consumer = consumerThrough(
      new EventCodec(registry.url, { unknownSchemaIdGraceMs: 1500 }),
      outcomes,
      handled,
    );
    await consumer.start();
    try {
      // Produced without headers: its outcome carries no event id, its dead letter is found by key.
      const dead = await waitFor(() => cancelledDlq.messages.find((m) => m.key === key), {
        description: 'the event dead-lettered after the grace',
      });
      expect(dead.headers[DLQ_HEADERS.errorCode]).toBe('UNDECODABLE_MESSAGE');
      expect(dead.headers[DLQ_HEADERS.errorMessage]).toContain(`unknown schema id ${schemaId}`);
    } finally {
      await consumer.stop();
      await cancelledDlq.stop();
      registry.reveal(schemaId);
    }
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1500);
    expect(registry.denials.get(schemaId)).toBeGreaterThanOrEqual(2);
    expect(outcomes.filter((o) => o.result !== 'dead-lettered')).toEqual([]);
    expect(handled).toEqual([]);
  });
});
