/**
 * The messaging layer against raw kafkajs, on the same broker, topic and machine, in one run.
 *
 *   outbox — a Prisma transaction writes the event to the outbox; the relay encodes it (Avro, schema
 *            registry) and publishes it (idempotent producer, acks=all); an EventConsumer decodes it and
 *            applies it in a transaction that records its eventId.
 *   raw    — kafkajs producer.send (idempotent, acks=all) of the same Avro bytes; a bare kafkajs
 *            consumer receives them.
 *
 * Two figures for each:
 *   throughput — BENCH_EVENTS events sent by BENCH_CONCURRENCY concurrent senders, until all are consumed;
 *   latency    — from the start of the send to the consumer's handler, at a steady BENCH_RATE events/s
 *                for BENCH_SECONDS (below saturation, so the figure is the pipeline's, not a queue's).
 *
 * It runs on a broker, schema registry and database of its own (started and removed by the run, never the
 * stack `npm start` runs): `pnpm --filter @fv/messaging bench`.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { topicOf } from '@fv/contracts';
import { startBenchStack, uniqueName, waitFor } from '@fv/testing';
import { EventCodec, EventConsumer, OutboxRelay, createOutbox, ensureTopics } from '../src/index.js';
import { createHarness, logger, orderCreated } from '../test/fixtures.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 3000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const RATE = Number(process.env.BENCH_RATE ?? 100);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

// Points KAFKA_BROKERS and SCHEMA_REGISTRY_URL, which the harness reads, at the new stack.
const stack = await startBenchStack('messaging-bench');
const h = await createHarness('bench');
const codec = new EventCodec(h.registryUrl);
const topic = topicOf('OrderCreated');
const admin = h.kafka.admin();
await admin.connect();
await ensureTopics(admin, [topic], { withDeadLetter: true });
const partitions = (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]!.partitions.length;
await admin.disconnect();

interface Pipeline {
  name: string;
  start(received: (id: string) => void): Promise<void>;
  send(id: string): Promise<void>;
  stop(): Promise<void>;
}

function rawPipeline(): Pipeline {
  const consumer = h.kafka.consumer({ groupId: uniqueName('bench-raw') });
  const producer = h.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  let value: Buffer;
  let joined = false;
  return {
    name: 'raw kafkajs produce → consume',
    async start(received) {
      consumer.on(consumer.events.GROUP_JOIN, () => {
        joined = true;
      });
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: false });
      await consumer.run({
        partitionsConsumedConcurrently: partitions,
        eachMessage: async ({ message }) => {
          const id = message.headers?.['bench-id']?.toString();
          if (id) received(id);
        },
      });
      await producer.connect();
      const sample = {
        ...orderCreated(),
        eventId: randomUUID(),
        occurredAt: Date.now(),
        correlationId: 'bench',
        causationId: null,
        producer: 'bench',
      };
      value = await codec.encode('OrderCreated', sample);
      await waitFor(() => joined, { timeoutMs: 30_000, description: 'the raw consumer to join' });
    },
    async send(id) {
      await producer.send({ topic, acks: -1, messages: [{ key: id, value, headers: { 'bench-id': id } }] });
    },
    async stop() {
      await producer.disconnect();
      await consumer.disconnect();
    },
  };
}

function outboxPipeline(): Pipeline {
  const outbox = createOutbox({ producer: 'bench' });
  const relay = new OutboxRelay({
    db: h.database.db,
    kafka: h.kafka,
    codec,
    logger,
    lockName: 'bench',
    pollIntervalMs: 50,
  });
  let consumer: EventConsumer;
  return {
    name: 'outbox → relay → EventConsumer',
    async start(received) {
      consumer = new EventConsumer({
        kafka: h.kafka,
        codec,
        db: h.prisma,
        logger,
        groupId: uniqueName('bench-outbox'),
        fromBeginning: false,
        partitionsConsumedConcurrently: partitions,
        handlers: {
          OrderCreated: async (event) => received(event.eventId),
        },
      });
      await consumer.start();
      await waitFor(() => consumer.joined, { timeoutMs: 30_000, description: 'the outbox consumer to join' });
      relay.start();
    },
    async send(id) {
      const orderId = randomUUID();
      await h.prisma.$transaction((tx) =>
        outbox.publish(tx, 'OrderCreated', orderCreated(orderId), { correlationId: orderId, eventId: id }),
      );
      relay.notify();
    },
    async stop() {
      await relay.stop();
      await consumer.stop();
    },
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface Figures {
  name: string;
  perSecond: number;
  p50: number;
  p99: number;
}

async function measure(pipeline: Pipeline): Promise<Figures> {
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let count = 0;
  await pipeline.start((id) => {
    const start = sentAt.get(id);
    if (start === undefined) return;
    sentAt.delete(id);
    latencies.push(performance.now() - start);
    count += 1;
  });

  // Throughput: as fast as the senders go.
  let next = 0;
  const began = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < EVENTS) {
        next += 1;
        const id = randomUUID();
        sentAt.set(id, performance.now());
        await pipeline.send(id);
      }
    }),
  );
  await waitFor(() => count >= EVENTS, {
    timeoutMs: 600_000,
    intervalMs: 10,
    description: `${pipeline.name}: every event`,
  });
  const perSecond = EVENTS / ((performance.now() - began) / 1000);

  // Latency: a steady rate below saturation.
  latencies.length = 0;
  count = 0;
  const total = RATE * SECONDS;
  const sends: Promise<void>[] = [];
  const steadyStart = performance.now();
  for (let i = 0; i < total; i += 1) {
    const due = steadyStart + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const id = randomUUID();
    sentAt.set(id, performance.now());
    sends.push(pipeline.send(id));
  }
  await Promise.all(sends);
  await waitFor(() => count >= total, {
    timeoutMs: 120_000,
    intervalMs: 10,
    description: `${pipeline.name}: steady events`,
  });
  await pipeline.stop();
  const sorted = [...latencies].sort((a, b) => a - b);
  return { name: pipeline.name, perSecond, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

const raw = await measure(rawPipeline());
const outbox = await measure(outboxPipeline());
await h.close();
await stack.stop();

const line = (f: Figures) =>
  `${f.name.padEnd(32)} ${f.perSecond.toFixed(0).padStart(6)} events/s    p50 ${f.p50.toFixed(1).padStart(6)} ms   p99 ${f.p99.toFixed(1).padStart(6)} ms`;
console.log(
  `\nmessaging benchmark — ${h.database.target.kind} database, topic with ${partitions} partitions`,
);
console.log(
  `throughput: ${EVENTS} events, ${CONCURRENCY} concurrent senders; latency: ${RATE} events/s for ${SECONDS} s`,
);
console.log(
  `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.versions.node}, broker ${stack.kafkaBrokers}\n`,
);
console.log(line(raw));
console.log(line(outbox));
console.log(
  `\noutbox / raw: throughput ${(outbox.perSecond / raw.perSecond).toFixed(2)}×, latency p50 ${(outbox.p50 / raw.p50).toFixed(1)}×, p99 ${(outbox.p99 / raw.p99).toFixed(1)}×`,
);
process.exit(0);
