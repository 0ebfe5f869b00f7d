import { randomUUID } from 'node:crypto';
import { dlqTopicOf, eventNames, topicOf } from '@fv/contracts';
import {
  InfrastructureError,
  SchemaIdNotYetKnownError,
  ensureTopics,
  headersToStrings,
  type EventCodec,
} from '@fv/messaging';
import { Backoff, sleepWithHeartbeat } from '@fv/resilience';
import { retryForever } from '@fv/service-runtime';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import type { Db } from '../shared/db.js';
import {
  deadLetterInput,
  factsOfEvent,
  factsOfHeaders,
  originalTopicOf,
  type DeadLetterInput,
  type EventFacts,
} from './domain/dead-letter-message.js';
import { recordDeadLetters } from './dead-letter-store.js';

/** Waits between attempts of the ledger's database work: 125–250 ms at first, doubling up to 5–10 s. */
const LEDGER_BACKOFF = { initialMs: 250, maxMs: 10_000 };

/** Every dead-letter topic of the platform: `<topic>.DLQ` of each topic of the event catalog. */
export function platformDlqTopics(): string[] {
  return [...new Set(eventNames.map((name) => dlqTopicOf(topicOf(name))))].sort();
}

export interface DeadLetterLedgerOptions {
  kafka: Kafka;
  codec: Pick<EventCodec, 'decode'>;
  db: Db;
  logger: Logger;
  groupId: string;
  /** Default: every dead-letter topic of the event catalog. */
  topics?: string[];
  /** Read a topic from its start when the group has no committed offset (default true). */
  fromBeginning?: boolean;
  /** Messages recorded per database statement (default 100). */
  chunkSize?: number;
}

/**
 * The dead-letter ledger: a consumer group of its own over every `<topic>.DLQ` topic that records each
 * dead-lettered message in `dead_letters` (idempotent on the DLQ topic, partition and offset) before
 * committing its offset. The value is decoded with the schema registry when it can be, for the event's
 * ids; bytes that cannot be decoded are recorded all the same, with the reason. A registry or database
 * that is down pauses the partition and retries (with jittered backoff) until it is back: nothing is
 * skipped.
 */
export class DeadLetterLedger {
  readonly name = 'dead-letter ledger';
  readonly topics: string[];
  private consumer: Consumer | null = null;
  private abort = new AbortController();
  private running: Promise<boolean> | null = null;
  private hasJoined = false;
  private recorded = 0;

  constructor(private readonly options: DeadLetterLedgerOptions) {
    this.topics = options.topics ?? platformDlqTopics();
  }

  /** True once the ledger's consumer has joined its group. */
  get joined(): boolean {
    return this.hasJoined;
  }

  /** Dead letters this process recorded (not counting ones read again). */
  get recordedCount(): number {
    return this.recorded;
  }

  start(): void {
    if (this.running) return;
    this.abort = new AbortController();
    this.running = retryForever('starting the dead-letter ledger', () => this.run(), {
      logger: this.options.logger,
      signal: this.abort.signal,
    });
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.running;
    this.running = null;
    await this.consumer?.disconnect();
    this.consumer = null;
  }

  private async run(): Promise<void> {
    const admin = this.options.kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, this.topics);
    } finally {
      await admin.disconnect();
    }
    if (this.abort.signal.aborted) return;
    const consumer = this.options.kafka.consumer({ groupId: this.options.groupId });
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.hasJoined = true;
    });
    this.consumer = consumer;
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: this.topics, fromBeginning: this.options.fromBeginning ?? true });
      await consumer.run({
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 3,
        eachBatch: (payload) => this.recordBatch(payload),
      });
    } catch (error) {
      this.consumer = null;
      await consumer.disconnect().catch(() => undefined);
      throw error;
    }
  }

  private async recordBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload;
    const chunkSize = this.options.chunkSize ?? 100;
    for (let start = 0; start < batch.messages.length; start += chunkSize) {
      if (!isRunning() || isStale()) return;
      const chunk = batch.messages.slice(start, start + chunkSize);
      const rows: DeadLetterInput[] = [];
      for (const message of chunk) {
        rows.push(await this.toRow(batch.topic, batch.partition, message, heartbeat, isRunning));
      }
      const inserted = await this.untilDone(
        'recording dead letters',
        () => recordDeadLetters(this.options.db, rows),
        heartbeat,
        isRunning,
      );
      this.recorded += inserted;
      if (inserted > 0)
        this.options.logger.info(
          { topic: batch.topic, partition: batch.partition, recorded: inserted },
          'dead letters recorded',
        );
      resolveOffset(chunk[chunk.length - 1]!.offset);
      await heartbeat();
    }
  }

  private async toRow(
    dlqTopic: string,
    partition: number,
    message: KafkaMessage,
    heartbeat: () => Promise<void>,
    isRunning: () => boolean,
  ): Promise<DeadLetterInput> {
    const headers = headersToStrings(message.headers);
    const originalTopic = originalTopicOf(dlqTopic, headers);
    const decoded = await this.untilDone(
      'decoding a dead letter',
      async (): Promise<{ facts: EventFacts; decodeError: string | null }> => {
        try {
          const { name, event } = await this.options.codec.decode(originalTopic, message.value);
          return { facts: factsOfEvent(name, event), decodeError: null };
        } catch (error) {
          // The registry being down is not a property of the message: wait for it instead. An id it
          // does not know was waited for by the consumer that dead-lettered the message already.
          if (error instanceof InfrastructureError && !(error instanceof SchemaIdNotYetKnownError))
            throw error;
          return {
            facts: factsOfHeaders(originalTopic, headers),
            decodeError: error instanceof Error ? error.message : String(error),
          };
        }
      },
      heartbeat,
      isRunning,
    );
    return deadLetterInput({
      id: randomUUID(),
      dlqTopic,
      dlqPartition: partition,
      message,
      facts: decoded.facts,
      decodeError: decoded.decodeError,
      now: new Date(),
    });
  }

  /** Runs `attempt` until it succeeds, heartbeating through the waits; gives up only when the consumer stops. */
  private async untilDone<T>(
    what: string,
    attempt: () => Promise<T>,
    heartbeat: () => Promise<void>,
    isRunning: () => boolean,
  ): Promise<T> {
    const backoff = new Backoff(LEDGER_BACKOFF);
    for (;;) {
      try {
        return await attempt();
      } catch (error) {
        if (!isRunning() || this.abort.signal.aborted) throw error;
        const delay = backoff.next();
        const log = backoff.failures === 1 || backoff.failures % 10 === 0 ? 'warn' : 'debug';
        this.options.logger[log](
          { err: error, retryInMs: delay, failures: backoff.failures },
          `${what} failed; retrying`,
        );
        await sleepWithHeartbeat(delay, {
          signal: this.abort.signal,
          heartbeat: () => heartbeat().catch(() => undefined),
        });
      }
    }
  }
}
