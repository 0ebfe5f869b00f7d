import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { topicOf } from '@fv/contracts';
import { EventCollector, uniqueName, waitFor } from '@fv/testing';
import {
  HEADERS,
  OutboxRelay,
  createOutbox,
  isInfrastructureError,
  isProducerStateError,
} from '../src/index.js';
import { createHarness, logger, orderCreated, type Harness, testCodec } from './fixtures.js';
import { LostAcks } from './lost-acks.js';

const topic = topicOf('OrderCreated');
const outbox = createOutbox({ producer: 'messaging-test' });
let h: Harness;

beforeAll(async () => {
  h = await createHarness('relay-lost-ack');
});

afterAll(async () => {
  await h?.close();
});

describe('a relay whose acknowledgement was lost in an outage', () => {
  it('replaces the producer the broker refuses, blames no row, and publishes everything', async () => {
    const lost = new LostAcks();
    const kafka = new Kafka({
      clientId: uniqueName('lost-acks'),
      brokers: process.env.KAFKA_BROKERS!.split(','),
      socketFactory: lost.socketFactory,
      retry: { retries: 1, initialRetryTime: 50 },
      logLevel: logLevel.NOTHING,
    });
    const codec = testCodec(h);
    const key = randomUUID();
    const collector = await new EventCollector(h.kafka, [topic]).start();
    await h.prisma.$executeRawUnsafe(`delete from outbox_events where published_at is null`);
    const publish = () =>
      h.prisma.$transaction((tx) =>
        outbox.publish(tx, 'OrderCreated', orderCreated(key), { correlationId: key }),
      );
    const relay = new OutboxRelay({
      db: h.database.db,
      kafka,
      codec,
      logger,
      lockName: uniqueName('relay'),
      maxRowAttempts: 2,
    });
    try {
      // Two events of one key (one partition): the broker appends them, the answer is lost.
      const first = [await publish(), await publish()];
      lost.losing = true;
      const outage = await relay.publishOnce().catch((error: unknown) => error);
      lost.losing = false;
      expect(lost.dropped).toBeGreaterThan(0);
      expect(isInfrastructureError(outage)).toBe(true);

      // The next round sends a longer batch from the same sequence number. The broker takes it neither
      // as a duplicate nor as the next batch: the producer, not any row, is at fault.
      const later = await publish();
      const refused = await relay.publishOnce().catch((error: unknown) => error);
      expect(isProducerStateError(refused)).toBe(true);
      expect(isInfrastructureError(refused)).toBe(true);
      expect(await relay.unpublishable()).toEqual([]);

      // A new producer publishes all three; the two whose answer was lost may arrive twice.
      expect(await relay.publishOnce()).toBe(3);
      expect(await relay.pending()).toBe(0);
      const ids = [...first, later].map((event) => event.eventId);
      await waitFor(
        () => ids.every((id) => collector.messages.some((m) => m.headers[HEADERS.eventId] === id)),
        {
          timeoutMs: 15_000,
          description: 'every event on the topic',
        },
      );
      const rows = await h.prisma.outboxEvent.findMany({ where: { eventId: { in: ids } } });
      expect(rows.map((row) => row.lastError)).toEqual([null, null, null]);
    } finally {
      await relay.stop();
      await collector.stop();
      await h.prisma.$executeRawUnsafe(`delete from outbox_events where published_at is null`);
    }
  });
});
