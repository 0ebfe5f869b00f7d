/**
 * The messaging layer against raw kafkajs doing the same durable work, on the same broker, topic and
 * database, in one process and one run.
 *
 *   outbox   — a Prisma transaction writes the event to the outbox (createOutbox); the OutboxRelay reads
 *              the rows, encodes them (Avro, schema registry), publishes them (idempotent producer,
 *              acks=all, up to 200 a round) and marks them published; an EventConsumer decodes each
 *              message and records its eventId in processed_events in a transaction (up to 20 events
 *              of a partition in one).
 *   raw      — the fair baseline, without the messaging layer: the same Prisma transaction inserts the
 *              same outbox_events row; after the commit the event's Avro bytes (encoded once, at start)
 *              go to a sender that sends whatever is pending in one producer.send (up to 200, idempotent,
 *              acks=all, one request in flight, as the relay) and then marks those rows published with
 *              one update; a bare kafkajs consumer (eachBatch) records each fetched batch's event ids in
 *              processed_events in one transaction, then reports them received.
 *   bare     — the floor: the raw pipeline's batching producer and eachBatch consumer with no database
 *              at all (nothing durable before the send, nothing recorded by the consumer).
 *
 * A warm-up round runs every pipeline once first (BENCH_EVENTS events, figures dropped). Each
 * measurement then starts its pipeline afresh (empty outbox_events and processed_events tables, a new
 * producer and consumer group), sends
 * BENCH_WARMUP_EVENTS events whose figures are dropped, then measures:
 *   throughput — BENCH_EVENTS events sent by BENCH_CONCURRENCY concurrent senders, until all are
 *                consumed, with the CPU this process spent over that window per event;
 *   latency    — from the start of the send to the consumer, at a steady BENCH_RATE events/s for
 *                BENCH_SECONDS (below saturation, so the figure is the pipeline's, not a queue's).
 * BENCH_REPEAT repetitions (default 3), the pipelines in turn within each, the order reversed on every
 * other one; each figure is reported as median [min–max] over the repetitions.
 *
 * It runs on a broker, schema registry and database of its own (started and removed by the run, never the
 * stack `npm start` runs): `pnpm --filter @fv/messaging bench`.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Message, Producer } from 'kafkajs';
import { topicOf } from '@fv/contracts';
import {
  REPOSITORY_ROOT,
  distribution,
  spread,
  startBenchStack,
  uniqueName,
  waitFor,
  type Spread,
} from '@fv/testing';
import {
  EventCodec,
  EventConsumer,
  HEADERS,
  OutboxRelay,
  createOutbox,
  ensureTopics,
  headerValue,
} from '../src/index.js';
import { createHarness, logger, orderCreated } from '../test/fixtures.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 3000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const RATE = Number(process.env.BENCH_RATE ?? 100);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const REPEAT = Math.max(1, Number(process.env.BENCH_REPEAT ?? 3));
const WARMUP_EVENTS = Number(process.env.BENCH_WARMUP_EVENTS ?? 500);
/** Most messages in one send of the raw pipelines: the relay's default batch size. */
const SEND_BATCH = 200;
const PRODUCER = 'bench';

const before = conditions();

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
const databaseSettings = await describeDatabase();
// The raw pipelines send the same Avro bytes every time: a real producer encodes each event once, when
// it has it in hand; here encoding is left out of the baseline altogether.
const encoded = await codec.encode('OrderCreated', envelope(randomUUID(), randomUUID()));

type PipelineKey = 'bare' | 'raw' | 'outbox';

interface Pipeline {
  key: PipelineKey;
  start(received: (id: string) => void): Promise<void>;
  send(id: string): Promise<void>;
  /** Throws what went wrong in the background (a failed send), if anything did. */
  check(): void;
  stop(): Promise<void>;
}

const LABELS: Record<PipelineKey, string> = {
  bare: 'bare kafkajs (floor)',
  raw: 'raw kafkajs + database (fair)',
  outbox: 'outbox → relay → EventConsumer',
};

const EXPLANATIONS: Record<PipelineKey, string[]> = {
  bare: [
    'no database: each send hands the pre-encoded Avro bytes to a producer that sends whatever is pending',
    `in one producer.send (≤${SEND_BATCH}, idempotent, acks=all, one request in flight); a kafkajs eachBatch`,
    'consumer reports the ids it receives',
  ],
  raw: [
    'per event a Prisma transaction inserts the outbox_events row (same table, columns and statement as',
    'the outbox); then the pre-encoded bytes go to the same batching producer, which marks each sent batch',
    'published with one update; a kafkajs eachBatch consumer records each fetched batch in processed_events',
    'in one transaction, then reports the ids',
  ],
  outbox: [
    'per event a Prisma transaction runs outbox.publish; the OutboxRelay (notified, 50 ms poll) reads,',
    `encodes, sends (≤${SEND_BATCH} a round) and marks rows published in one transaction; an EventConsumer`,
    'decodes each message and records it in processed_events (≤20 events of a partition a transaction)',
  ],
};

/** The whole event as the outbox writes it. */
function envelope(id: string, orderId: ReturnType<typeof randomUUID>) {
  return {
    ...orderCreated(orderId),
    eventId: id,
    occurredAt: Date.now(),
    correlationId: orderId,
    causationId: null,
    producer: PRODUCER,
  };
}

/** The Kafka headers the outbox gives an event (tracing off). */
function eventHeaders(id: string, orderId: string): Record<string, string> {
  return {
    [HEADERS.correlationId]: orderId,
    [HEADERS.eventId]: id,
    [HEADERS.eventName]: 'OrderCreated',
    [HEADERS.producer]: PRODUCER,
    [HEADERS.contentType]: 'application/vnd.confluent.avro',
  };
}

interface Pending {
  id: string;
  message: Message;
}

/**
 * Sends what is pending in one producer.send per round, one round at a time (as the relay: one request
 * in flight), then runs `afterSend` with the round's event ids before the next round.
 */
class BatchingSender {
  private readonly pending: Pending[] = [];
  private running = false;
  private drained: Promise<void> = Promise.resolve();
  failure: unknown = null;

  constructor(
    private readonly producer: Producer,
    private readonly afterSend: (ids: string[]) => Promise<void> = async () => undefined,
  ) {}

  enqueue(item: Pending): void {
    this.pending.push(item);
    if (this.running) return;
    this.running = true;
    this.drained = this.drain();
  }

  /** Resolves once nothing is pending or in flight. */
  idle(): Promise<void> {
    return this.drained;
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const round = this.pending.splice(0, SEND_BATCH);
        await this.producer.send({ topic, acks: -1, messages: round.map((item) => item.message) });
        await this.afterSend(round.map((item) => item.id));
      }
    } catch (error) {
      this.failure ??= error;
    } finally {
      this.running = false;
    }
  }
}

/** The raw pipelines: `durable` writes and marks the outbox row and records what the consumer receives. */
function rawPipeline(durable: boolean): Pipeline {
  const key: PipelineKey = durable ? 'raw' : 'bare';
  const groupId = uniqueName(`bench-${key}`);
  const consumer = h.kafka.consumer({ groupId });
  const producer = h.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  const sender = new BatchingSender(producer, durable ? markPublished : undefined);
  let consumerFailure: unknown = null;
  let joined = false;
  return {
    key,
    async start(received) {
      consumer.on(consumer.events.GROUP_JOIN, () => {
        joined = true;
      });
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: false });
      await consumer.run({
        partitionsConsumedConcurrently: partitions,
        eachBatch: async ({ batch }) => {
          const ids: string[] = [];
          const offsets: string[] = [];
          for (const message of batch.messages) {
            const id = headerValue(message.headers, HEADERS.eventId);
            if (id === undefined) continue;
            ids.push(id);
            offsets.push(message.offset);
          }
          try {
            if (durable && ids.length > 0) await recordProcessed(groupId, batch.partition, ids, offsets);
          } catch (error) {
            consumerFailure ??= error;
            throw error;
          }
          for (const id of ids) received(id);
        },
      });
      await producer.connect();
      await waitFor(() => joined, { timeoutMs: 30_000, description: `the ${key} consumer to join` });
    },
    async send(id) {
      const orderId = randomUUID();
      const headers = eventHeaders(id, orderId);
      if (durable) await insertOutboxRow(id, orderId, headers);
      sender.enqueue({ id, message: { key: orderId, value: encoded, headers } });
    },
    check() {
      if (sender.failure) throw sender.failure;
      if (consumerFailure) throw consumerFailure;
    },
    async stop() {
      await sender.idle();
      await producer.disconnect();
      await consumer.disconnect();
    },
  };
}

/** The outbox's row, by the statement `outbox.publish` runs, in a transaction of its own. */
async function insertOutboxRow(
  id: string,
  orderId: ReturnType<typeof randomUUID>,
  headers: Record<string, string>,
): Promise<void> {
  await h.prisma.$transaction((tx) =>
    tx.$executeRawUnsafe(
      `insert into outbox_events (event_id, event_name, topic, message_key, payload, headers)
           values ($1::uuid, $2, $3, $4, $5::jsonb, $6::jsonb)`,
      id,
      'OrderCreated',
      topic,
      orderId,
      JSON.stringify(envelope(id, orderId)),
      JSON.stringify(headers),
    ),
  );
}

/** The relay's update of a round's rows, on the database's pool as the relay does. */
async function markPublished(ids: string[]): Promise<void> {
  await h.database.db.execute(
    'update outbox_events set published_at = now(), attempts = attempts + 1, last_error = null where event_id = any($1::uuid[])',
    [`{${ids.join(',')}}`],
  );
}

/** EventConsumer's record of a group of events, by the same statement, in one Prisma transaction. */
async function recordProcessed(
  groupId: string,
  partition: number,
  ids: string[],
  offsets: string[],
): Promise<void> {
  const literal = (values: string[]) => `{${values.join(',')}}`;
  await h.prisma.$transaction((tx) =>
    tx.$queryRawUnsafe<{ event_id: string }[]>(
      `insert into processed_events (consumer_group, event_id, event_name, topic, partition, "offset")
       select $1::text, e.event_id, e.event_name, $2::text, $3::int, e."offset"
         from unnest($4::uuid[], $5::text[], $6::bigint[]) as e(event_id, event_name, "offset")
       on conflict do nothing
       returning event_id::text as event_id`,
      groupId,
      topic,
      partition,
      literal(ids),
      literal(ids.map(() => 'OrderCreated')),
      literal(offsets),
    ),
  );
}

function outboxPipeline(): Pipeline {
  const outbox = createOutbox({ producer: PRODUCER });
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
    key: 'outbox',
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
    check() {
      const stats = consumer.stats();
      if (stats.deadLettered > 0) throw new Error(`${stats.deadLettered} events were dead-lettered`);
    },
    async stop() {
      await relay.stop();
      await consumer.stop();
    },
  };
}

const PIPELINES: Record<PipelineKey, () => Pipeline> = {
  bare: () => rawPipeline(false),
  raw: () => rawPipeline(true),
  outbox: outboxPipeline,
};

interface Figures {
  perSecond: number;
  /** CPU time of this process (user + system) over the throughput window, per event, in µs. */
  cpuMicrosPerEvent: number;
  p50: number;
  p99: number;
}

/** Tracks sent events until the consumer reports them. */
class Tracker {
  private readonly sentAt = new Map<string, number>();
  latencies: number[] = [];
  count = 0;

  sent(id: string): void {
    this.sentAt.set(id, performance.now());
  }

  received(id: string): void {
    const start = this.sentAt.get(id);
    if (start === undefined) return;
    this.sentAt.delete(id);
    this.latencies.push(performance.now() - start);
    this.count += 1;
  }

  reset(): void {
    this.latencies = [];
    this.count = 0;
  }
}

/** `events` events from CONCURRENCY concurrent senders, as fast as they go, until all are consumed. */
async function burst(pipeline: Pipeline, tracker: Tracker, events: number, what: string): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < events) {
        next += 1;
        const id = randomUUID();
        tracker.sent(id);
        await pipeline.send(id);
      }
    }),
  );
  await waitFor(
    () => {
      pipeline.check();
      return tracker.count >= events;
    },
    { timeoutMs: 600_000, intervalMs: 10, description: `${LABELS[pipeline.key]}: ${what}` },
  );
}

/** RATE events a second for SECONDS seconds, each sent on its due time, until all are consumed. */
async function steady(pipeline: Pipeline, tracker: Tracker): Promise<void> {
  const total = RATE * SECONDS;
  const sends: Promise<void>[] = [];
  const began = performance.now();
  for (let i = 0; i < total; i += 1) {
    const due = began + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const id = randomUUID();
    tracker.sent(id);
    sends.push(pipeline.send(id));
  }
  await Promise.all(sends);
  await waitFor(
    () => {
      pipeline.check();
      return tracker.count >= total;
    },
    { timeoutMs: 120_000, intervalMs: 10, description: `${LABELS[pipeline.key]}: steady events` },
  );
}

/**
 * Empties outbox_events and processed_events, so that no measurement starts on the rows of the ones
 * before it: the relay's look for unpublished rows reads past every row updated since the table was
 * last vacuumed (see `database` in the output for whether autovacuum is on), so the history of the
 * earlier measurements would tax the later ones, whatever their order.
 */
async function emptyTables(): Promise<void> {
  await h.database.db.exec('truncate outbox_events, processed_events');
}

async function measure(pipeline: Pipeline): Promise<Figures> {
  const tracker = new Tracker();
  await emptyTables();
  await pipeline.start((id) => tracker.received(id));

  // Warm-up: connections, prepared statements, the registry's cache, the JIT. Its figures are dropped.
  if (WARMUP_EVENTS > 0) await burst(pipeline, tracker, WARMUP_EVENTS, 'warm-up events');
  tracker.reset();

  const cpuBefore = process.cpuUsage();
  const began = performance.now();
  await burst(pipeline, tracker, EVENTS, 'every event');
  const seconds = (performance.now() - began) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const perSecond = EVENTS / seconds;
  const cpuMicrosPerEvent = (cpu.user + cpu.system) / EVENTS;

  tracker.reset();
  await steady(pipeline, tracker);
  await pipeline.stop();
  const latency = distribution(tracker.latencies);
  return { perSecond, cpuMicrosPerEvent, p50: latency.p50!, p99: latency.p99! };
}

/** Within each repetition every pipeline in turn, the order reversed on every other repetition. */
function orderOf(repetition: number): PipelineKey[] {
  const order: PipelineKey[] = ['bare', 'raw', 'outbox'];
  return repetition % 2 === 0 ? order : order.reverse();
}

/**
 * Before the first repetition, every pipeline once with BENCH_EVENTS events, figures dropped: the
 * per-measurement warm-up is too short to get the JIT past the code of a process that ran nothing yet,
 * and the first repetition would otherwise favour whichever pipeline runs later in it.
 */
async function warmUpRound(): Promise<void> {
  for (const key of orderOf(0)) {
    process.stderr.write(`messaging-bench: warm-up round, ${LABELS[key]}\n`);
    const pipeline = PIPELINES[key]();
    const tracker = new Tracker();
    await emptyTables();
    await pipeline.start((id) => tracker.received(id));
    await burst(pipeline, tracker, EVENTS, 'warm-up round');
    await pipeline.stop();
  }
}

await warmUpRound();
const results: Record<PipelineKey, Figures[]> = { bare: [], raw: [], outbox: [] };
const orders: string[] = [];
for (let repetition = 0; repetition < REPEAT; repetition += 1) {
  const order = orderOf(repetition);
  orders.push(order.join(', '));
  for (const key of order) {
    process.stderr.write(`messaging-bench: repetition ${repetition + 1}/${REPEAT}, ${LABELS[key]}\n`);
    results[key].push(await measure(PIPELINES[key]()));
  }
}
const loadAtEnd = os.loadavg();
await h.close();
await stack.stop();

report();
process.exit(0);

function conditions() {
  let commit = 'unknown';
  try {
    const git = (...args: string[]) =>
      execFileSync('git', args, {
        cwd: REPOSITORY_ROOT,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
    commit = git('rev-parse', '--short', 'HEAD').trim();
    if (git('status', '--porcelain', '--untracked-files=no').trim()) commit += ' (with uncommitted changes)';
  } catch {
    // not a clone
  }
  return {
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}`,
    node: process.version,
    commit,
    loadAtStart: os.loadavg(),
    startedAt: new Date(),
  };
}

/** The server's version and whether autovacuum runs (it cleans up the outbox's published rows). */
async function describeDatabase(): Promise<string> {
  try {
    const [version] = await h.database.db.query<{ server_version: string }>('show server_version');
    const [autovacuum] = await h.database.db.query<{ autovacuum: string }>('show autovacuum');
    return `${version?.server_version ?? '?'}, autovacuum ${autovacuum?.autovacuum ?? '?'}`;
  } catch {
    return '(settings unknown)';
  }
}

function report(): void {
  const load = (values: number[]) => values.map((value) => value.toFixed(2)).join(' ');
  const out: string[] = [];
  out.push(
    '',
    'messaging benchmark — the outbox against raw kafkajs, same broker, topic, database and process',
    '',
  );
  out.push(`machine: ${before.machine}`);
  out.push(
    `Node ${before.node}, commit ${before.commit}; started ${before.startedAt.toISOString()}, ` +
      `${((Date.now() - before.startedAt.getTime()) / 60_000).toFixed(1)} min`,
  );
  out.push(`load average (1, 5, 15 min): ${load(before.loadAtStart)} at start, ${load(loadAtEnd)} at end`);
  out.push(
    `database: ${h.database.target.kind} ${databaseSettings}; topic ${topic}, ${partitions} partitions; broker ${stack.kafkaBrokers} (of this run)`,
  );
  out.push(
    `throughput: ${EVENTS} events, ${CONCURRENCY} concurrent senders, until all are consumed; ` +
      `latency: send start → consumer, ${RATE} events/s for ${SECONDS} s`,
  );
  out.push(
    `first a warm-up round (each pipeline once, ${EVENTS} events, dropped); each measurement: emptied tables, a fresh pipeline, ` +
      `${WARMUP_EVENTS} warm-up events dropped; ${REPEAT} repetitions, order ${orders.map((order) => `(${order})`).join(' ')}`,
  );
  out.push(
    'CPU: user + system time of this process (senders, producer, relay, consumer; not the broker, registry or',
    'PostgreSQL) over the throughput window, per event',
    '',
  );
  for (const key of ['bare', 'raw', 'outbox'] as const) {
    out.push(`${LABELS[key]}:`, ...EXPLANATIONS[key].map((line) => `  ${line}`));
  }

  out.push('', `median [min–max] of ${REPEAT}:`, '');
  out.push(
    `${'pipeline'.padEnd(32)} ${'events/s'.padEnd(22)} ${'p50 ms'.padEnd(22)} ${'p99 ms'.padEnd(22)} CPU µs/event`,
  );
  for (const key of ['bare', 'raw', 'outbox'] as const) {
    const runs = results[key];
    out.push(
      `${LABELS[key].padEnd(32)} ${cell(
        runs.map((f) => f.perSecond),
        0,
      )} ${cell(
        runs.map((f) => f.p50),
        1,
      )} ` +
        `${cell(
          runs.map((f) => f.p99),
          1,
        )} ${cell(
          runs.map((f) => f.cpuMicrosPerEvent),
          0,
        )}`,
    );
  }

  out.push('', 'each repetition (events/s, p50 ms, p99 ms, CPU µs/event):');
  for (let i = 0; i < REPEAT; i += 1) {
    const parts = (['bare', 'raw', 'outbox'] as const).map((key) => {
      const f = results[key][i]!;
      return `${key} ${f.perSecond.toFixed(0)}, ${f.p50.toFixed(1)}, ${f.p99.toFixed(1)}, ${f.cpuMicrosPerEvent.toFixed(0)}`;
    });
    out.push(`  ${i + 1}: ${parts.join('   ')}`);
  }

  const ratios = (key: 'perSecond' | 'p99' | 'p50' | 'cpuMicrosPerEvent', base: PipelineKey) =>
    spread(results.outbox.map((f, i) => f[key] / results[base][i]![key]));
  const throughput = ratios('perSecond', 'raw');
  const p99 = ratios('p99', 'raw');
  out.push('', 'outbox / fair raw, within each repetition, median [min–max]:');
  out.push(
    `  throughput ${ratioCell(throughput)}   (acceptance: ≥ 0.80 → ${verdict(throughput.median! >= 0.8)})`,
  );
  out.push(`  p99 latency ${ratioCell(p99)}   (acceptance: ≤ 2.00 → ${verdict(p99.median! <= 2)})`);
  out.push(`  p50 latency ${ratioCell(ratios('p50', 'raw'))}`);
  out.push(`  CPU per event ${ratioCell(ratios('cpuMicrosPerEvent', 'raw'))}`);
  out.push('outbox / bare floor, within each repetition, median [min–max]:');
  out.push(
    `  throughput ${ratioCell(ratios('perSecond', 'bare'))}, p99 latency ${ratioCell(ratios('p99', 'bare'))}, ` +
      `CPU per event ${ratioCell(ratios('cpuMicrosPerEvent', 'bare'))}`,
  );
  console.log(out.map((line) => line.trimEnd()).join('\n'));
}

function cell(values: number[], digits: number): string {
  const s = spread(values);
  return `${s.median!.toFixed(digits)} [${s.min!.toFixed(digits)}–${s.max!.toFixed(digits)}]`.padEnd(22);
}

function ratioCell(s: Spread): string {
  return `${s.median!.toFixed(2)}× [${s.min!.toFixed(2)}–${s.max!.toFixed(2)}]`;
}

function verdict(met: boolean): string {
  return met ? 'met' : 'not met';
}
