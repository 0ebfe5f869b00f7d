import type { Kafka, Message, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { EventMap, EventName } from '@fv/contracts';
import type { EventCodec } from './event-codec.js';
import { ensureTopics } from './kafka.js';
import type { TransactionalSqlClient } from './sql-client.js';

export interface OutboxRelayOptions {
  db: TransactionalSqlClient;
  kafka: Kafka;
  codec: EventCodec;
  logger: Logger;
  /** Rows published per round trip (default 200). */
  batchSize?: number;
  /** How often to look for new rows when nobody calls `notify()` (default 250 ms). */
  pollIntervalMs?: number;
  /** Delay before retrying after a failed round (doubles up to 30 s). */
  errorBackoffMs?: number;
  /** Identifies this service's relays for the cross-process lock (default: the Kafka client id). */
  lockName?: string;
  /** Layout of topics the relay creates when they do not exist yet (default 3 partitions, RF 1). */
  topicDefaults?: { numPartitions?: number; replicationFactor?: number };
}

export interface OutboxRelayStats {
  published: number;
  rounds: number;
  failures: number;
  lastError: string | null;
  running: boolean;
}

interface OutboxRow {
  position: bigint;
  event_id: string;
  event_name: string;
  topic: string;
  message_key: string;
  payload: unknown;
  headers: unknown;
}

/**
 * Publishes committed outbox rows to Kafka in position order with an idempotent producer (acks=all),
 * then marks them published. One relay per service publishes at a time (a PostgreSQL advisory lock
 * held for the round), so several replicas never reorder events. A crash after Kafka acknowledged a
 * batch but before it was marked publishes that batch again on restart: delivery is at least once,
 * and consumers discard the duplicate by its eventId.
 */
export class OutboxRelay {
  private readonly producer: Producer;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly errorBackoffMs: number;
  private readonly lockKey: number;
  private loop: Promise<void> | null = null;
  private stopping = false;
  private wake: (() => void) | null = null;
  private pendingWake = false;
  private connected = false;
  private readonly knownTopics = new Set<string>();
  private readonly counters: OutboxRelayStats = {
    published: 0,
    rounds: 0,
    failures: 0,
    lastError: null,
    running: false,
  };

  constructor(private readonly options: OutboxRelayOptions) {
    this.producer = options.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
    this.batchSize = options.batchSize ?? 200;
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.errorBackoffMs = options.errorBackoffMs ?? 500;
    this.lockKey = hashToInt32(`outbox-relay:${options.lockName ?? 'default'}`);
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
    if (this.connected) {
      await this.producer.disconnect();
      this.connected = false;
    }
  }

  stats(): OutboxRelayStats {
    return { ...this.counters };
  }

  /** Rows committed but not yet published. */
  async pending(): Promise<number> {
    const rows = await this.options.db.$queryRawUnsafe<{ count: bigint | number }[]>(
      'select count(*) as count from outbox_events where published_at is null',
    );
    return Number(rows[0]?.count ?? 0);
  }

  /** One round: publishes up to `batchSize` rows. Returns how many were published. */
  async publishOnce(): Promise<number> {
    if (!this.connected) {
      await this.producer.connect();
      this.connected = true;
    }
    return this.options.db.$transaction(
      async (tx) => {
        const locked = await tx.$queryRawUnsafe<{ locked: boolean }[]>(
          'select pg_try_advisory_xact_lock($1) as locked',
          this.lockKey,
        );
        if (!locked[0]?.locked) return 0;
        const rows = await tx.$queryRawUnsafe<OutboxRow[]>(
          `select position, event_id, event_name, topic, message_key, payload, headers
             from outbox_events where published_at is null order by position limit $1`,
          this.batchSize,
        );
        if (rows.length === 0) return 0;
        const byTopic = new Map<string, Message[]>();
        for (const row of rows) {
          const payload = typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload;
          const headers = (typeof row.headers === 'string' ? JSON.parse(row.headers) : row.headers) as Record<
            string,
            string
          >;
          let value: Buffer;
          try {
            value = await this.options.codec.encode(
              row.event_name as EventName,
              payload as EventMap[EventName],
            );
          } catch (error) {
            throw new Error(
              `outbox event ${row.event_id} (${row.event_name}) cannot be encoded: ${(error as Error).message}`,
              {
                cause: error,
              },
            );
          }
          const messages = byTopic.get(row.topic) ?? [];
          messages.push({ key: row.message_key, value, headers });
          byTopic.set(row.topic, messages);
        }
        await this.ensureTopics([...byTopic.keys()]);
        await this.producer.sendBatch({
          acks: -1,
          topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        });
        await tx.$executeRawUnsafe(
          'update outbox_events set published_at = now(), attempts = attempts + 1, last_error = null where position = any($1::bigint[])',
          rows.map((row) => row.position.toString()),
        );
        return rows.length;
      },
      { timeout: 60_000, maxWait: 10_000 },
    );
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
    let backoff = this.errorBackoffMs;
    while (!this.stopping) {
      let published = 0;
      try {
        published = await this.publishOnce();
        this.counters.rounds += 1;
        this.counters.published += published;
        backoff = this.errorBackoffMs;
      } catch (error) {
        this.counters.failures += 1;
        this.counters.lastError = (error as Error).message;
        this.options.logger.error({ err: error }, 'outbox relay round failed; retrying');
        await this.recordFailure((error as Error).message);
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, 30_000);
        continue;
      }
      if (published < this.batchSize) await this.sleep(this.pollIntervalMs);
    }
  }

  private async recordFailure(message: string): Promise<void> {
    try {
      await this.options.db.$executeRawUnsafe(
        `update outbox_events set attempts = attempts + 1, last_error = $1
          where position = (select min(position) from outbox_events where published_at is null)`,
        message.slice(0, 2000),
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
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        this.pendingWake = false;
        done();
      };
    });
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
