import type { Kafka, Message } from 'kafkajs';
import type { Logger } from 'pino';
import type { EventMap, EventName } from '@fv/contracts';
import { Backoff } from '@fv/resilience';
import { injectTraceContext, isTracing, recordSpanError } from '@fv/service-kit/telemetry';
import type { Span } from '@opentelemetry/api';
import type { EventCodec } from './event-codec.js';
import { startSendSpan } from './message-spans.js';
import type { RelayMetrics } from './metrics.js';
import { isInfrastructureError } from './errors.js';
import { IdempotentProducer } from './idempotent-producer.js';
import { ensureTopics } from './kafka.js';
import type { SqlDatabase } from './sql-client.js';

export interface OutboxRelayOptions {
  /** The service's database, used directly: a round shares no transaction with anything else. */
  db: SqlDatabase;
  kafka: Kafka;
  codec: EventCodec;
  logger: Logger;
  /** Rows published per round trip (default 200). */
  batchSize?: number;
  /**
   * How often to look for new rows when nobody calls `notify()` (default 2 s). Transactions that publish
   * call `notify()` once they commit, so this is only the safety net for rows written any other way.
   */
  pollIntervalMs?: number;
  /** Delay before retrying after a failed round (doubles up to 5 s, so an ended outage is noticed soon). */
  errorBackoffMs?: number;
  /** Identifies this service's relays for the cross-process lock (default: the Kafka client id). */
  lockName?: string;
  /** Layout of topics the relay creates when they do not exist yet (default 3 partitions, RF 1). */
  topicDefaults?: { numPartitions?: number; replicationFactor?: number };
  /**
   * Rounds in which a row may fail for a reason of its own (it cannot be encoded, the broker refuses
   * it) before it is parked (default 5). A failing or parked row holds back the later rows with the
   * same key, never the rows of other keys.
   */
  maxRowAttempts?: number;
  /** Where sends and failures are counted (the service's /metrics). */
  metrics?: RelayMetrics;
}

/** How soon a relay that found the lock held by another replica looks again. */
const LOCK_BUSY_RETRY_MS = 100;

/** `last_error` prefix of a row that failed for a reason of its own (not an outage). */
export const UNPUBLISHABLE = 'unpublishable: ';

export interface OutboxRelayStats {
  published: number;
  rounds: number;
  failures: number;
  lastError: string | null;
  running: boolean;
  /** Rows that failed for a reason of their own in the last round (their keys held back). */
  unpublishable: number;
}

interface OutboxRow extends Record<string, unknown> {
  position: bigint | string;
  event_id: string;
  event_name: string;
  topic: string;
  message_key: string;
  payload: unknown;
  headers: unknown;
}

/** The transaction a round runs in. */
type RoundTransaction = { query: SqlDatabase['query'] };

/** An outbox row as the message to send, with its `send` span when tracing is on. */
interface ReadyRow {
  row: OutboxRow;
  message: Message;
  span?: Span;
}

/** A row that failed this round for a reason of its own. */
interface RowFault {
  row: OutboxRow;
  error: unknown;
}

/** The rows of one round that failed for a reason of their own, and the keys they hold back. */
class RoundFaults {
  readonly held = new Set<string>();
  readonly failed: RowFault[] = [];

  fail(row: OutboxRow, error: unknown): void {
    this.failed.push({ row, error });
    this.held.add(row.message_key);
  }
}

/**
 * Publishes committed outbox rows to Kafka in position order with an idempotent producer (acks=all),
 * then marks them published. One relay per service publishes at a time (a PostgreSQL advisory lock
 * held for the round), so several replicas never reorder events. A crash after Kafka acknowledged a
 * batch but before it was marked publishes that batch again on restart: delivery is at least once,
 * and consumers discard the duplicate by its eventId.
 */
export class OutboxRelay {
  private readonly producer: IdempotentProducer;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly errorBackoffMs: number;
  private readonly lockKey: number;
  private loop: Promise<void> | null = null;
  private stopping = false;
  private wake: (() => void) | null = null;
  private pendingWake = false;
  private readonly knownTopics = new Set<string>();
  private readonly counters: OutboxRelayStats = {
    published: 0,
    rounds: 0,
    failures: 0,
    lastError: null,
    running: false,
    unpublishable: 0,
  };
  private readonly maxRowAttempts: number;
  private lastRoundFull = false;
  /** The last round found another relay of this service holding the lock. */
  private lockBusy = false;

  constructor(private readonly options: OutboxRelayOptions) {
    // A producer whose sequence the broker refuses (after an acknowledgement lost in an outage) is
    // replaced, and the round fails as an outage: no row is blamed for it.
    this.producer = new IdempotentProducer(options.kafka, {
      allowAutoTopicCreation: false,
      onReplaced: (error) =>
        options.logger.warn(
          { err: error },
          'outbox relay: the broker refused the producer; a new one takes over',
        ),
    });
    this.batchSize = options.batchSize ?? 200;
    this.pollIntervalMs = options.pollIntervalMs ?? 2000;
    this.errorBackoffMs = options.errorBackoffMs ?? 500;
    this.lockKey = hashToInt32(`outbox-relay:${options.lockName ?? 'default'}`);
    this.maxRowAttempts = options.maxRowAttempts ?? 5;
  }

  /** Starts publishing in the background. */
  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.counters.running = true;
    this.loop = this.run().finally(() => {
      this.counters.running = false;
    });
  }

  /** Asks the relay to look for rows now (call after committing a transaction that published). */
  notify(): void {
    this.pendingWake = true;
    this.wake?.();
  }

  /** Stops after the current round (drains what it already took), then disconnects the producer. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
    this.loop = null;
    await this.producer.disconnect();
  }

  stats(): OutboxRelayStats {
    return { ...this.counters };
  }

  /** Rows committed but not yet published. */
  async pending(): Promise<number> {
    return (await this.backlog()).pending;
  }

  /** Rows committed but not yet published, and the age of the oldest in seconds (0 when none). */
  async backlog(): Promise<{ pending: number; oldestAgeSeconds: number }> {
    const rows = await this.options.db.query<{
      count: bigint | number | string;
      age: number | string | null;
    }>(
      `select count(*) as count, extract(epoch from (now() - min(created_at)))::float8 as age
         from outbox_events where published_at is null`,
    );
    return { pending: Number(rows[0]?.count ?? 0), oldestAgeSeconds: Math.max(0, Number(rows[0]?.age ?? 0)) };
  }

  /**
   * One round: publishes up to `batchSize` rows, in position order. A row that cannot be published
   * for a reason of its own is marked (`last_error` starting with "unpublishable: ") and holds back
   * the later rows of its key only; after `maxRowAttempts` rounds it is parked and skipped, with its
   * key's later rows, until an operator clears it. An outage (broker, registry, database) fails the
   * whole round, which is tried again. Returns how many rows were published.
   */
  async publishOnce(): Promise<number> {
    await this.producer.connect();
    return this.options.db.transaction(async (tx) => {
      if (!(await this.takeLock(tx))) return 0;
      const rows = await this.selectRows(tx);
      this.lastRoundFull = rows.length === this.batchSize;
      if (rows.length === 0) return 0;
      const faults = new RoundFaults();
      const ready = await this.encodeRows(rows, faults);
      const sendable = await this.ensureRowTopics(ready, faults);
      const published = await this.sendRows(sendable, faults);
      endSendSpans(ready, faults.failed);
      this.countSent(published);
      await this.markPublished(tx, published);
      await this.markFailed(tx, faults.failed);
      this.counters.unpublishable = faults.failed.length;
      return published.length;
    });
  }

  /** Takes this service's relay lock for the round's transaction; false when another replica holds it. */
  private async takeLock(tx: RoundTransaction): Promise<boolean> {
    const locked = await tx.query<{ locked: boolean }>('select pg_try_advisory_xact_lock($1) as locked', [
      this.lockKey,
    ]);
    this.lockBusy = !locked[0]?.locked;
    return !this.lockBusy;
  }

  /** The round's rows, in position order, leaving out every key from its first parked row on. */
  private selectRows(tx: RoundTransaction): Promise<OutboxRow[]> {
    return tx.query<OutboxRow>(
      `select o.position, o.event_id, o.event_name, o.topic, o.message_key, o.payload, o.headers
             from outbox_events o
            where o.published_at is null
              and not exists (
                select 1 from outbox_events p
                 where p.published_at is null and p.message_key = o.message_key and p.position <= o.position
                   and p.attempts >= $2 and p.last_error like '${UNPUBLISHABLE}%')
            order by o.position limit $1`,
      [this.batchSize, this.maxRowAttempts],
    );
  }

  /** Encodes the rows whose key is not held back; a row that cannot be encoded fails and holds its key. */
  private async encodeRows(rows: OutboxRow[], faults: RoundFaults): Promise<ReadyRow[]> {
    const ready: ReadyRow[] = [];
    for (const row of rows) {
      if (faults.held.has(row.message_key)) continue;
      try {
        ready.push(traced(row, await this.toMessage(row)));
      } catch (error) {
        if (isInfrastructureError(error)) throw error;
        faults.fail(row, error);
      }
    }
    return ready;
  }

  /**
   * Makes sure each topic of the ready rows exists; the rows of a topic that cannot be created fail.
   * Returns the rows that can be sent.
   */
  private async ensureRowTopics(ready: ReadyRow[], faults: RoundFaults): Promise<ReadyRow[]> {
    const topicsOk = new Set<string>();
    for (const topic of new Set(ready.map((r) => r.row.topic))) {
      try {
        await this.ensureTopics([topic]);
        topicsOk.add(topic);
      } catch (error) {
        if (isInfrastructureError(error)) throw error;
        for (const r of ready) if (r.row.topic === topic) faults.fail(r.row, error);
      }
    }
    return ready.filter((r) => topicsOk.has(r.row.topic) && !faults.held.has(r.row.message_key));
  }

  /** Sends the rows in one batch, or one by one when the broker refuses the batch. Returns the rows sent. */
  private async sendRows(sendable: ReadyRow[], faults: RoundFaults): Promise<OutboxRow[]> {
    let published: OutboxRow[] = [];
    try {
      await this.send(sendable);
      published = sendable.map((r) => r.row);
    } catch (error) {
      if (isInfrastructureError(error)) throw error;
      // The broker refused the batch for something in it: find the rows at fault one by one.
      for (const r of sendable) {
        if (faults.held.has(r.row.message_key)) continue;
        try {
          await this.send([r]);
          published.push(r.row);
        } catch (rowError) {
          if (isInfrastructureError(rowError)) throw rowError;
          faults.fail(r.row, rowError);
        }
      }
    }
    return published;
  }

  private async markPublished(tx: RoundTransaction, published: OutboxRow[]): Promise<void> {
    if (published.length > 0) {
      await tx.query(
        'update outbox_events set published_at = now(), attempts = attempts + 1, last_error = null where position = any($1::bigint[])',
        [`{${published.map((row) => row.position.toString()).join(',')}}`],
      );
    }
  }

  /** Counts a failed attempt on each row at fault, and logs it as failing or, past `maxRowAttempts`, parked. */
  private async markFailed(tx: RoundTransaction, failed: RowFault[]): Promise<void> {
    for (const { row, error } of failed) {
      this.options.metrics?.failed('row');
      const message = `${UNPUBLISHABLE}${(error as Error)?.message ?? String(error)}`.slice(0, 2000);
      const updated = await tx.query<{ attempts: number }>(
        'update outbox_events set attempts = attempts + 1, last_error = $2 where position = $1::bigint returning attempts',
        [row.position.toString(), message],
      );
      const attempts = Number(updated[0]?.attempts ?? 0);
      this.options.logger.error(
        {
          eventId: row.event_id,
          event: row.event_name,
          key: row.message_key,
          attempts,
          parked: attempts >= this.maxRowAttempts,
          err: error,
        },
        attempts >= this.maxRowAttempts
          ? 'outbox row parked: it cannot be published; later events with its key wait for an operator'
          : 'outbox row cannot be published; later events with its key wait, other keys go on',
      );
    }
  }

  /** Rows held back: failing for a reason of their own, or parked. */
  async unpublishable(): Promise<
    { eventId: string; eventName: string; key: string; attempts: number; lastError: string }[]
  > {
    const rows = await this.options.db.query<{
      event_id: string;
      event_name: string;
      message_key: string;
      attempts: number;
      last_error: string;
    }>(
      `select event_id, event_name, message_key, attempts, last_error from outbox_events
        where published_at is null and last_error like '${UNPUBLISHABLE}%' order by position`,
    );
    return rows.map((row) => ({
      eventId: row.event_id,
      eventName: row.event_name,
      key: row.message_key,
      attempts: Number(row.attempts),
      lastError: row.last_error,
    }));
  }

  private countSent(rows: OutboxRow[]): void {
    const metrics = this.options.metrics;
    if (!metrics || rows.length === 0) return;
    const byTopic = new Map<string, number>();
    for (const row of rows) byTopic.set(row.topic, (byTopic.get(row.topic) ?? 0) + 1);
    for (const [topic, count] of byTopic) metrics.sent(topic, count);
  }

  private async toMessage(row: OutboxRow): Promise<Message> {
    const payload = typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload;
    const headers = (typeof row.headers === 'string' ? JSON.parse(row.headers) : row.headers) as Record<
      string,
      string
    >;
    try {
      const value = await this.options.codec.encode(
        row.event_name as EventName,
        payload as EventMap[EventName],
      );
      return { key: row.message_key, value, headers };
    } catch (error) {
      if (isInfrastructureError(error)) throw error;
      throw new Error(
        `outbox event ${row.event_id} (${row.event_name}) cannot be encoded: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  private async send(batch: { row: OutboxRow; message: Message }[]): Promise<void> {
    if (batch.length === 0) return;
    const byTopic = new Map<string, Message[]>();
    for (const { row, message } of batch) {
      const messages = byTopic.get(row.topic) ?? [];
      messages.push(message);
      byTopic.set(row.topic, messages);
    }
    await this.producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
  }

  /** Creates topics (and their DLQs) the first time the relay publishes to them; brokers may not auto-create. */
  private async ensureTopics(topics: string[]): Promise<void> {
    const unknown = topics.filter((topic) => !this.knownTopics.has(topic));
    if (unknown.length === 0) return;
    const admin = this.options.kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, unknown, { ...this.options.topicDefaults, withDeadLetter: true });
    } finally {
      await admin.disconnect();
    }
    for (const topic of unknown) this.knownTopics.add(topic);
  }

  private async run(): Promise<void> {
    const backoff = new Backoff({ initialMs: this.errorBackoffMs, maxMs: 5_000 });
    while (!this.stopping) {
      let published = 0;
      try {
        published = await this.publishOnce();
        this.counters.rounds += 1;
        this.counters.published += published;
        backoff.reset();
      } catch (error) {
        this.counters.failures += 1;
        this.options.metrics?.failed('round');
        this.counters.lastError = (error as Error).message;
        this.options.logger.error({ err: error }, 'outbox relay round failed; retrying');
        await this.recordFailure(`${(error as Error).message}`);
        await this.sleep(backoff.next());
        continue;
      }
      // Another replica's round may have started before our rows were committed: look again soon
      // rather than leave them for the next poll.
      if (this.lockBusy) await this.sleep(Math.min(LOCK_BUSY_RETRY_MS, this.pollIntervalMs));
      else if (!this.lastRoundFull || published === 0) await this.sleep(this.pollIntervalMs);
    }
  }

  private async recordFailure(message: string): Promise<void> {
    try {
      await this.options.db.query(
        `update outbox_events set attempts = attempts + 1, last_error = $1
          where position = (select min(position) from outbox_events
                             where published_at is null and (last_error is null or last_error not like '${UNPUBLISHABLE}%'))`,
        [message.slice(0, 2000)],
      );
    } catch {
      // The database itself may be what failed; the next round tries again.
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.pendingWake || this.stopping) {
      this.pendingWake = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const wake = () => {
        this.pendingWake = false;
        done();
      };
      // However the sleep ends, it no longer answers notify(): a notification during the next round
      // must stay pending for the sleep after it, not be spent on this one.
      const done = () => {
        clearTimeout(timer);
        if (this.wake === wake) this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = wake;
    });
  }
}

/**
 * With tracing on, the row's `send <topic>` span (a child of its `publish` span) and its context in the
 * message headers, so the consumer's span is the send's child. With tracing off, the message as stored.
 */
function traced(row: OutboxRow, message: Message): ReadyRow {
  if (!isTracing()) return { row, message };
  const headers = message.headers as Record<string, string>;
  const send = startSendSpan(headers, row.topic, row.event_id);
  const carried = { ...headers };
  injectTraceContext(send.context, carried);
  return { row, message: { ...message, headers: carried }, span: send.span };
}

/** Ends each row's `send` span, recording the error of the rows that failed. */
function endSendSpans(ready: ReadyRow[], failed: RowFault[]): void {
  const faults = new Map(failed.map(({ row, error }) => [row.position, error]));
  for (const { row, span } of ready) {
    if (!span) continue;
    if (faults.has(row.position)) recordSpanError(span, faults.get(row.position));
    span.end();
  }
}

function hashToInt32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0;
}
