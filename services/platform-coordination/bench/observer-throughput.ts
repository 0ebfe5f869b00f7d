/**
 * The saga observer under load, on a broker, schema registry and PostgreSQL database of its own (started
 * and removed by the run, never the stack `npm start` runs, whose services would consume these events).
 *
 * 1. Ingestion: BENCH_ORDERS orders × 7 events (OrderCreated … OrderCompleted, the whole happy path)
 *    are published first; then a bare kafkajs consumer reads them (decoding nothing, writing nothing),
 *    and then the observer ingests and applies them (decode, idempotency record, workflow, steps, saga
 *    compare-and-set, history, outbox — one transaction per group of a partition's events). Between them, the fair baseline: a
 *    recording consumer that decodes every message and inserts one row per event, one transaction per
 *    batch, on a database of its own — what any durable consumer must do. Every rate is measured from
 *    the first message applied to the last, so group joins are not counted.
 * 2. Lag: with the observer caught up, events are published at LAG_RATE per second for LAG_SECONDS
 *    (LAG_ORDERS_IN_FLIGHT orders advancing one step at a time), and each event's lag is measured from
 *    its publication to GET /workflows/{id}/status showing it (each pending order polled every
 *    LAG_POLL_MS ms, in process), as p50/p99.
 *
 * The load generator, broker, registry and database share the machine: the figures are a floor.
 * `pnpm --filter @fv/platform-coordination bench:observer`.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { topicOf, type EventMap, type EventName } from '@fv/contracts';
import { EventCodec } from '@fv/messaging';
import { startBenchStack, startGroupAtEnd, uniqueName, waitFor } from '@fv/testing';
import { observedEvents } from '../src/workflows/on-platform-event.js';
import type { OrderStory, StatusBody } from '../test/workflows/saga-support.js';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 400);
const LAG_RATE = Number(process.env.LAG_RATE ?? 20);
const LAG_ORDERS_IN_FLIGHT = Number(process.env.LAG_ORDERS_IN_FLIGHT ?? 3);
const POLL_MS = Number(process.env.LAG_POLL_MS ?? 25);
const LAG_SECONDS = Number(process.env.LAG_SECONDS ?? 20);

// Points KAFKA_BROKERS and SCHEMA_REGISTRY_URL at the new stack before the test support, which reads them
// when loaded, is imported.
const stack = await startBenchStack('coordination-observer-bench');
const { kafka, OrderStory: Story, startObserver } = await import('../test/workflows/saga-support.js');
const { admin } = await import('../test/support.js');
const codec = new EventCodec(stack.schemaRegistryUrl);
const topics = observedEvents().map((name) => topicOf(name));

type Entry = [EventName, EventMap[EventName]];
const happyPath = (story: OrderStory): Entry[] => story.happyPath();

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
await producer.connect();
async function send(entries: Entry[]): Promise<void> {
  const byTopic = new Map<string, { key: string; value: Buffer }[]>();
  for (const [name, event] of entries) {
    const messages = byTopic.get(topicOf(name)) ?? [];
    messages.push({ key: event.correlationId, value: await codec.encode(name, event as never) });
    byTopic.set(topicOf(name), messages);
  }
  await producer.sendBatch({
    acks: -1,
    topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
  });
}

// Both consumer groups start at the current end, then the events are published.
const rawGroup = uniqueName('bench-raw');
const observerName = uniqueName('coordination-bench');
const recordingGroup = uniqueName('bench-recording');
await startGroupAtEnd(kafka, rawGroup, topics);
await startGroupAtEnd(kafka, recordingGroup, topics);
await startGroupAtEnd(kafka, observerName, topics);
const stories = Array.from({ length: ORDERS }, () => new Story());
const orderIds = new Set<string>(stories.map((story) => story.orderId));
const total = ORDERS * 7;
const publishStarted = performance.now();
const all = stories.flatMap(happyPath);
for (let i = 0; i < all.length; i += 500) await send(all.slice(i, i + 500));
const publishMs = performance.now() - publishStarted;

// 1a. A bare consumer.
const raw = kafka.consumer({ groupId: rawGroup, maxBytesPerPartition: 1 << 20 });
await raw.connect();
await raw.subscribe({ topics, fromBeginning: false });
let seen = 0;
let firstAt = 0;
let lastAt = 0;
await raw.run({
  partitionsConsumedConcurrently: 3,
  eachMessage: async ({ message }) => {
    if (!message.key || !orderIds.has(message.key.toString())) return;
    if (seen === 0) firstAt = performance.now();
    seen += 1;
    lastAt = performance.now();
  },
});
await waitFor(() => seen >= total, {
  timeoutMs: 300_000,
  intervalMs: 20,
  description: 'the bare consumer to read every event',
});
await raw.disconnect();
const rawMs = lastAt - firstAt;
console.log(`bare consumer done (${seen} events)`);

// 1b. A recording consumer: the floor of what any consumer that keeps a durable record of each event
// must do — decode every message and, per batch of a partition, insert one row per event in one
// transaction on its database before committing the offsets. The observer does this and applies the
// saga's rules, its workflow, saga and history on top.
const recordingDb = (await stack.createDatabase('coordination-recording-bench')).db;
await recordingDb.exec(
  'create table recorded_events (event_id uuid primary key, event_name text not null, correlation_id text not null)',
);
const recording = kafka.consumer({ groupId: recordingGroup, maxBytesPerPartition: 1 << 20 });
await recording.connect();
await recording.subscribe({ topics, fromBeginning: false });
let recorded = 0;
let recordingFirstAt = 0;
let recordingLastAt = 0;
await recording.run({
  partitionsConsumedConcurrently: 3,
  eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
    const rows: { event_id: string; event_name: string; correlation_id: string }[] = [];
    for (const message of batch.messages) {
      if (!message.key || !orderIds.has(message.key.toString()) || !message.value) continue;
      const decoded = await codec.decode(batch.topic, message.value);
      rows.push({
        event_id: decoded.event.eventId,
        event_name: decoded.name,
        correlation_id: decoded.event.correlationId,
      });
    }
    if (rows.length) {
      if (recorded === 0) recordingFirstAt = performance.now();
      await recordingDb.transaction((tx) =>
        tx.execute(
          `insert into recorded_events select * from jsonb_to_recordset($1::jsonb)
             as v(event_id uuid, event_name text, correlation_id text) on conflict do nothing`,
          [JSON.stringify(rows)],
        ),
      );
      recorded += rows.length;
      recordingLastAt = performance.now();
    }
    const last = batch.messages.at(-1);
    if (last) resolveOffset(last.offset);
    await heartbeat();
  },
});
await waitFor(() => recorded >= total, {
  timeoutMs: 300_000,
  intervalMs: 20,
  description: 'the recording consumer to record every event',
});
await recording.disconnect();
const recordingMs = recordingLastAt - recordingFirstAt;
console.log(`recording consumer done (${recorded} events)`);

// 1c. The observer, on its own database.
const database = await stack.createDatabase('coordination-observer-bench');
// The backlog is consumed across topics in any order; timeouts are judged on the wall clock, so they are
// set out of reach here (an observer far behind its topics would otherwise time steps out).
const runtime = await startObserver(
  database,
  {
    SERVICE_NAME: observerName,
    LOG_LEVEL: 'error',
    WORKFLOW_TIMEOUT_ORDER_FULFILLMENT: 'PT1H',
    WORKFLOW_TIMEOUT_PAYMENT_PROCESSING: 'PT1H',
    WORKFLOW_TIMEOUT_INVENTORY_RESERVATION: 'PT1H',
  },
  { resume: true },
);
console.log('observer started; applying the backlog');
const prisma = runtime.context.prisma;
// Done when every event is in its workflow's history (a workflow may look complete earlier: later
// events imply the earlier steps).
const appliedCount = () =>
  prisma.workflowEvent.count({
    where: { workflow: { correlationId: { in: [...orderIds] } }, sourceEventId: { not: null } },
  });
await waitFor(async () => (await appliedCount()) === total, {
  timeoutMs: 900_000,
  intervalMs: 200,
  description: 'the observer to apply every event',
});
const span = await prisma.$queryRawUnsafe<{ first: Date; last: Date }[]>(
  `select min(e.created_at) as first, max(e.created_at) as last from workflow_events e
     join workflows w on w.id = e.workflow_id where w.correlation_id = any($1::text[]) and e.source_event_id is not null`,
  [...orderIds],
);
const observerMs = span[0]!.last.getTime() - span[0]!.first.getTime();
const applied = await appliedCount();
const completedWorkflows = await prisma.workflow.count({
  where: { correlationId: { in: [...orderIds] }, status: 'COMPLETED' },
});

console.log(`observer done (${applied} events); measuring the lag`);

// 2. Lag at a stated load.
const lagStories = Array.from({ length: Math.ceil((LAG_RATE * LAG_SECONDS) / 7) + 1 }, () => new Story());
const visible: ((body: StatusBody) => boolean)[] = [
  () => true,
  (body) => body.steps[0]!.status === 'COMPLETED' && !body.steps[0]!.inferred,
  (body) => body.steps[1]!.status === 'COMPLETED' && !body.steps[1]!.inferred,
  (body) => body.steps[2]!.status === 'COMPLETED' && !body.steps[2]!.inferred,
  (body) => body.steps[5]!.status === 'COMPLETED',
  (body) => body.steps[4]!.status === 'COMPLETED' && !body.steps[4]!.inferred,
  (body) => body.status === 'COMPLETED',
];
const pending = new Map<string, { step: number; publishedAt: number }[]>();
const lags: number[] = [];
let stopPolling = false;
const poller = (async () => {
  while (!stopPolling || pending.size > 0) {
    await Promise.all(
      [...pending].map(async ([orderId, waiting]) => {
        const response = await runtime.app.inject({
          method: 'GET',
          url: `/api/v1/workflows/${orderId}/status`,
          headers: { authorization: admin },
        });
        if (response.statusCode !== 200) return;
        const body = response.json() as StatusBody;
        const now = performance.now();
        const left = waiting.filter((entry) => {
          if (!visible[entry.step]!(body)) return true;
          lags.push(now - entry.publishedAt);
          return false;
        });
        if (left.length) pending.set(orderId, left);
        else pending.delete(orderId);
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
})();
const cursors = lagStories.map((story) => ({ story, events: happyPath(story), next: 0 }));
const inFlight = cursors.slice(0, LAG_ORDERS_IN_FLIGHT);
let queued = cursors.slice(inFlight.length);
const lagStarted = performance.now();
let published = 0;
for (let tick = 0; performance.now() - lagStarted < LAG_SECONDS * 1000; tick += 1) {
  const due = lagStarted + (tick * 1000) / LAG_RATE;
  const wait = due - performance.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  const cursor = inFlight[tick % inFlight.length]!;
  if (cursor.next >= cursor.events.length) {
    const replacement = queued.shift();
    if (!replacement) break;
    inFlight[tick % inFlight.length] = replacement;
    continue;
  }
  const step = cursor.next++;
  const publishedAt = performance.now();
  await send([cursor.events[step]!]);
  const list = pending.get(cursor.story.orderId) ?? [];
  list.push({ step, publishedAt });
  pending.set(cursor.story.orderId, list);
  published += 1;
}
const achievedRate = published / ((performance.now() - lagStarted) / 1000);
stopPolling = true;
await poller;
lags.sort((a, b) => a - b);

await runtime.stop();
await producer.disconnect();
await stack.stop();
queued = [];

const rate = (count: number, ms: number) => Math.round((count / ms) * 1000);
console.log(
  `saga observer benchmark — ${os.cpus().length} CPUs, load average ${os
    .loadavg()
    .map((v) => v.toFixed(2))
    .join(' ')}`,
);
console.log(`published ${total} events (${ORDERS} orders × 7) in ${(publishMs / 1000).toFixed(1)} s`);
console.log(
  `bare kafkajs consumer: ${seen} events in ${(rawMs / 1000).toFixed(2)} s = ${rate(seen, rawMs)} events/s`,
);
console.log(
  `recording consumer (decode + one insert per event, a transaction per batch): ${recorded} events in ` +
    `${(recordingMs / 1000).toFixed(2)} s = ${rate(recorded, recordingMs)} events/s`,
);
console.log(
  `observer (decode + apply + database writes): ${applied} events in ${(observerMs / 1000).toFixed(2)} s = ${rate(applied, observerMs)} events/s; ` +
    `${completedWorkflows}/${ORDERS} workflows COMPLETED; ${((100 * recordingMs) / observerMs).toFixed(0)}% of the recording consumer's rate`,
);
console.log(
  `publication → status API lag at ${achievedRate.toFixed(1)} events/s (target ${LAG_RATE}; ${LAG_ORDERS_IN_FLIGHT} orders in flight, ` +
    `each polled every ${POLL_MS} ms) for ${LAG_SECONDS} s, ${lags.length} events: ` +
    `p50 ${percentile(lags, 50).toFixed(1)} ms, p99 ${percentile(lags, 99).toFixed(1)} ms, max ${lags.at(-1)!.toFixed(1)} ms`,
);
process.exit(0);
