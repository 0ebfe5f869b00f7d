import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dlqTopicOf, topicOf, type EventMap } from '@fv/contracts';
import { EventCollector, uniqueName, waitFor } from '@fv/testing';
import {
  EventCodec,
  EventConsumer,
  NonRetriableError,
  type EventConsumerOptions,
  type MessageOutcome,
} from '../src/index.js';
import { createHarness, logger, orderCreatedEvent as event, type Harness, testCodec } from './fixtures.js';

// A partition with a backlog is applied in groups, one transaction per group; these tests fill one
// partition (one key) before the consumer starts, so its first fetch holds the whole backlog.

const topic = topicOf('OrderCreated');
let h: Harness;
let codec: EventCodec;
let dlq: EventCollector;

beforeAll(async () => {
  h = await createHarness('grouping');
  codec = testCodec(h);
  dlq = await new EventCollector(h.kafka, [dlqTopicOf(topic)]).start();
});

afterAll(async () => {
  await dlq?.stop();
  await h?.close();
});

async function produce(key: string, events: EventMap['OrderCreated'][]) {
  const producer = h.kafka.producer();
  await producer.connect();
  await producer.send({
    topic,
    messages: await Promise.all(
      events.map(async (e) => ({
        key,
        value: await codec.encode('OrderCreated', e),
        headers: { 'event-id': e.eventId },
      })),
    ),
  });
  await producer.disconnect();
}

function consumer(
  ours: Set<string>,
  seen: string[],
  outcomes: MessageOutcome[],
  poison?: string,
  options: Pick<EventConsumerOptions, 'lockGroup'> = {},
) {
  return new EventConsumer({
    ...options,
    kafka: h.kafka,
    codec,
    db: h.prisma,
    logger,
    groupId: uniqueName('grouping'),
    retry: { delaysMs: [20] },
    maxGroupSize: 8,
    onSettled: (outcome) => {
      if (outcome.eventId && ours.has(outcome.eventId)) outcomes.push(outcome);
    },
    handlers: {
      OrderCreated: async (e, { tx }) => {
        if (!ours.has(e.eventId)) return;
        if (e.eventId === poison) throw new NonRetriableError('this order cannot be taken', 'INVALID_ORDER');
        await tx.$executeRawUnsafe(
          'insert into test_effects (id, event_id, order_id) values ($1::uuid, $2::uuid, $3)',
          randomUUID(),
          e.eventId,
          e.orderId,
        );
        seen.push(e.eventId);
      },
    },
  });
}

async function effects(events: EventMap['OrderCreated'][]) {
  return h.prisma.testEffect.count({ where: { eventId: { in: events.map((e) => e.eventId) } } });
}

describe('a partition with a backlog', () => {
  it('is applied in groups, each event once and in order, a repeated event once', async () => {
    const key = uniqueName('group');
    const events = Array.from({ length: 30 }, () => event());
    // The same event published twice, side by side (a relay that republished a batch).
    const batch = [...events.slice(0, 10), events[9]!, ...events.slice(10)];
    await produce(key, batch);
    const ours = new Set(events.map((e) => e.eventId));
    const seen: string[] = [];
    const outcomes: MessageOutcome[] = [];
    const c = consumer(ours, seen, outcomes);
    await c.start();
    try {
      await waitFor(() => outcomes.length === batch.length, { description: 'every message settled' });
    } finally {
      await c.stop();
    }
    expect(seen).toEqual(events.map((e) => e.eventId));
    expect(outcomes.filter((o) => o.result === 'handled')).toHaveLength(30);
    expect(outcomes.filter((o) => o.result === 'duplicate').map((o) => o.eventId)).toEqual([
      events[9]!.eventId,
    ]);
    expect(c.stats().groups).toBeGreaterThan(0);
    expect(await effects(events)).toBe(30);
  });

  it("takes a group's locks up front: the hook gets the group's new events in order, before their handlers", async () => {
    const key = uniqueName('group-locks');
    const events = Array.from({ length: 12 }, () => event());
    await produce(key, [...events.slice(0, 4), events[3]!, ...events.slice(4)]);
    const ours = new Set(events.map((e) => e.eventId));
    const log: (string | string[])[] = [];
    const outcomes: MessageOutcome[] = [];
    const c = consumer(ours, log as string[], outcomes, undefined, {
      lockGroup: async (tx, group) => {
        await tx.$queryRawUnsafe('select 1');
        // Other partitions (other tests' events) are applied meanwhile: only this key's groups count.
        const ids = group.map((item) => item.event.eventId).filter((id) => ours.has(id));
        if (ids.length > 0) log.push(ids);
      },
    });
    await c.start();
    try {
      await waitFor(() => outcomes.length === events.length + 1, { description: 'every message settled' });
    } finally {
      await c.stop();
    }
    const locks = log.flatMap((entry, i) => (Array.isArray(entry) ? [{ ids: entry, at: i }] : []));
    expect(locks.some(({ ids }) => ids.length > 1)).toBe(true);
    for (const { ids, at } of locks) expect(log.slice(at + 1, at + 1 + ids.length)).toEqual(ids);
    // The repeated event is not new the second time: no hook is told of it twice.
    expect(
      locks.flatMap(({ ids }) => ids).filter((id) => id === events[3]!.eventId).length,
    ).toBeLessThanOrEqual(1);
    expect(log.filter((entry) => !Array.isArray(entry))).toEqual(events.map((e) => e.eventId));
  });

  it('applies a group with a failing event one by one: the failure is dead-lettered, the others applied once', async () => {
    const key = uniqueName('group-poison');
    const events = Array.from({ length: 12 }, () => event());
    const poison = events[5]!.eventId;
    await produce(key, events);
    const ours = new Set(events.map((e) => e.eventId));
    const outcomes: MessageOutcome[] = [];
    const c = consumer(ours, [], outcomes, poison);
    await c.start();
    try {
      await waitFor(() => outcomes.length === events.length, { description: 'every message settled' });
    } finally {
      await c.stop();
    }
    expect(outcomes.map((o) => [o.eventId, o.result])).toEqual(
      events.map((e) => [e.eventId, e.eventId === poison ? 'dead-lettered' : 'handled']),
    );
    // What a rolled-back group had applied is in the database once (its in-memory traces may repeat).
    expect(await effects(events)).toBe(11);
    expect(c.stats().groupFallbacks).toBeGreaterThan(0);
    await dlq.waitFor((m) => m.headers['event-id'] === poison);
  });

  it('leaves the rest of a group to the next transaction once handlers have taken a second', async () => {
    const key = uniqueName('group-slow');
    const events = Array.from({ length: 8 }, () => event());
    await produce(key, events);
    const ours = new Set(events.map((e) => e.eventId));
    const transactions: string[] = [];
    const outcomes: MessageOutcome[] = [];
    const c = new EventConsumer({
      kafka: h.kafka,
      codec,
      db: h.prisma,
      logger,
      groupId: uniqueName('grouping-slow'),
      maxGroupSize: 8,
      onSettled: (outcome) => {
        if (outcome.eventId && ours.has(outcome.eventId)) outcomes.push(outcome);
      },
      handlers: {
        OrderCreated: async (e, { tx }) => {
          if (!ours.has(e.eventId)) return;
          const [row] = await tx.$queryRawUnsafe<{ txid: string }[]>('select txid_current()::text as txid');
          transactions.push(row!.txid);
          await new Promise((resolve) => setTimeout(resolve, 400)); // a call out to a slow provider
        },
      },
    });
    await c.start();
    try {
      await waitFor(() => outcomes.length === events.length, { description: 'every message settled' });
    } finally {
      await c.stop();
    }
    expect(outcomes.map((o) => [o.eventId, o.result])).toEqual(events.map((e) => [e.eventId, 'handled']));
    // Three handlers fit in the budget: the eight events took at least three transactions, each applied once.
    expect(transactions).toHaveLength(8);
    expect(new Set(transactions).size).toBeGreaterThanOrEqual(3);
    expect(c.stats().groupFallbacks).toBe(0);
  });
});
