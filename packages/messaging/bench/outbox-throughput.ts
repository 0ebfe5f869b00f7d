/**
 * End-to-end throughput and latency of the messaging layer against raw kafkajs, on the same broker in
 * the same run:
 *
 *   outbox  — a Prisma transaction writes the event to the outbox; the relay encodes it (Avro, schema
 *             registry) and publishes it (idempotent producer, acks=all); an EventConsumer decodes it
 *             and applies it in a transaction that records its eventId.
 *   raw     — kafkajs producer.send (idempotent, acks=all) of the same Avro bytes; a bare kafkajs
 *             consumer receives them.
 *
 * Latency is measured from the start of the publishing call to the moment the consumer's handler sees
 * the event, in one process. Run with the stack up: `pnpm --filter @fv/messaging bench`
 * (BENCH_EVENTS, BENCH_CONCURRENCY to change the load).
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { topicOf } from '@fv/contracts';
import { ensureStack, uniqueName, waitFor } from '@fv/testing';
import { EventCodec, EventConsumer, OutboxRelay, createOutbox } from '../src/index.js';
import { createHarness, logger, orderCreated } from '../test/fixtures.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 3000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);

const stack = await ensureStack();
process.env.KAFKA_BROKERS = stack.kafkaBrokers;
process.env.SCHEMA_REGISTRY_URL = stack.schemaRegistryUrl;
const h = await createHarness('bench');
const codec = new EventCodec(h.registryUrl);
const topic = topicOf('OrderCreated');

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function runConcurrently(count: number, concurrency: number, task: (i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

interface Result {
  name: string;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
}

function summarise(name: string, started: number, finished: number, latencies: number[]): Result {
  const sorted = [...latencies].sort((a, b) => a - b);
  const seconds = (finished - started) / 1000;
  return { name, seconds, perSecond: latencies.length / seconds, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

async function benchOutbox(): Promise<Result> {
  const runId = randomUUID();
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const outbox = createOutbox({ producer: 'bench' });
  const consumer = new EventConsumer({
    kafka: h.kafka,
    codec,
    db: h.prisma,
    logger,
    groupId: uniqueName('bench-outbox'),
    fromBeginning: false,
    handlers: {
      OrderCreated: async (event) => {
        const start = event.metadata?.run === runId ? sentAt.get(event.eventId) : undefined;
        if (start !== undefined) latencies.push(performance.now() - start);
      },
    },
  });
  await consumer.start();
  await warmUp(consumer);
  const relay = new OutboxRelay({ db: h.prisma, kafka: h.kafka, codec, logger, lockName: 'bench', pollIntervalMs: 20 });
  relay.start();
  const started = performance.now();
  await runConcurrently(EVENTS, CONCURRENCY, async () => {
    const orderId = randomUUID();
    const eventId = randomUUID();
    sentAt.set(eventId, performance.now());
    await h.prisma.$transaction((tx) =>
      outbox.publish(tx, 'OrderCreated', { ...orderCreated(orderId), metadata: { run: runId } }, { correlationId: orderId, eventId }),
    );
    relay.notify();
  });
  await waitFor(() => latencies.length >= EVENTS, { timeoutMs: 300_000, intervalMs: 20, description: 'every outbox event' });
  const finished = performance.now();
  await relay.stop();
  await consumer.stop();
  return summarise('outbox → relay → EventConsumer', started, finished, latencies);
}

async function benchRaw(): Promise<Result> {
  const runId = randomUUID();
  const latencies: number[] = [];
  const sentAt = new Map<string, number>();
  const consumer = h.kafka.consumer({ groupId: uniqueName('bench-raw') });
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    joined = true;
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: false });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const id = message.headers?.['bench-id']?.toString();
      const start = id ? sentAt.get(id) : undefined;
      if (start !== undefined && message.headers?.['bench-run']?.toString() === runId) latencies.push(performance.now() - start);
    },
  });
  await waitFor(() => joined, { timeoutMs: 30_000 });
  const producer = h.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const sample = { ...orderCreated(), eventId: randomUUID(), occurredAt: Date.now(), correlationId: 'bench', causationId: null, producer: 'bench' };
  const value = await codec.encode('OrderCreated', sample);
  const started = performance.now();
  await runConcurrently(EVENTS, CONCURRENCY, async () => {
    const id = randomUUID();
    sentAt.set(id, performance.now());
    await producer.send({ topic, acks: -1, messages: [{ key: id, value, headers: { 'bench-id': id, 'bench-run': runId } }] });
  });
  await waitFor(() => latencies.length >= EVENTS, { timeoutMs: 300_000, intervalMs: 20, description: 'every raw message' });
  const finished = performance.now();
  await producer.disconnect();
  await consumer.disconnect();
  return summarise('raw kafkajs produce → consume', started, finished, latencies);
}

/** Lets the group settle on its partitions before timing starts. */
async function warmUp(consumer: EventConsumer) {
  await waitFor(() => consumer.joined, { timeoutMs: 30_000, description: 'the consumer group to form' });
}

const raw = await benchRaw();
const outbox = await benchOutbox();
await h.close();

const fmt = (r: Result) =>
  `${r.name.padEnd(34)} ${r.perSecond.toFixed(0).padStart(7)} events/s   p50 ${r.p50.toFixed(1).padStart(7)} ms   p99 ${r.p99.toFixed(1).padStart(7)} ms   (${r.seconds.toFixed(2)} s)`;
console.log(`\nmessaging benchmark — ${EVENTS} events, ${CONCURRENCY} concurrent publishers, ${h.database.target.kind} database`);
console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.versions.node}, broker ${stack.kafkaBrokers}\n`);
console.log(fmt(raw));
console.log(fmt(outbox));
console.log(
  `\nthroughput ratio outbox/raw: ${(outbox.perSecond / raw.perSecond).toFixed(2)}   latency ratio p50: ${(outbox.p50 / raw.p50).toFixed(1)}×  p99: ${(outbox.p99 / raw.p99).toFixed(1)}×`,
);
process.exit(0);
