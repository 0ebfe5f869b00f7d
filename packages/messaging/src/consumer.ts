import type { Consumer, EachMessagePayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { dlqTopicOf, topicOf, type EventMap, type EventName } from '@fv/contracts';
import type { EventCodec } from './event-codec.js';
import { InfrastructureError, errorCode, isRetriable } from './errors.js';
import { ensureTopics } from './kafka.js';
import { DLQ_HEADERS, HEADERS, headerValue, headersToStrings } from './headers.js';
import type { SqlClient, TransactionalSqlClient } from './sql-client.js';
import { childTraceContext, formatTraceparent, parseTraceparent } from './trace-context.js';

export interface HandlerContext {
  /** The transaction the handler's effect must be written in (with any events it publishes). */
  tx: SqlClient;
  topic: string;
  partition: number;
  offset: string;
  /** 1 on the first delivery attempt in this process. */
  attempt: number;
  headers: Record<string, string>;
  logger: Logger;
  /** Meta for events this handler publishes: same correlation, caused by this event, same trace. */
  causedBy(): { correlationId: string; causationId: string; traceparent: string };
}

export type EventHandler<N extends EventName> = (
  event: EventMap[N],
  context: HandlerContext,
) => Promise<void>;
export type EventHandlers = { [N in EventName]?: EventHandler<N> };

export interface RetryPolicy {
  /** Delays before each retry; the number of retries is their count (seed 003: 1 s, 2 s, 4 s). */
  delaysMs: number[];
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { delaysMs: [1000, 2000, 4000] };

export interface EventConsumerOptions {
  kafka: Kafka;
  codec: EventCodec;
  db: TransactionalSqlClient;
  logger: Logger;
  groupId: string;
  handlers: EventHandlers;
  retry?: RetryPolicy;
  /** Read topics from the beginning when the group has no committed offset (default true). */
  fromBeginning?: boolean;
  /** Partitions handled at the same time (order is kept within a partition; default 3). */
  partitionsConsumedConcurrently?: number;
  /** Topic layout used when the consumer creates missing topics and their DLQs at start (default 3 partitions, RF 1). */
  topicDefaults?: { numPartitions?: number; replicationFactor?: number };
  /** Called after each message is settled (handled, skipped as duplicate, or dead-lettered). */
  onSettled?: (outcome: MessageOutcome) => void;
}

export interface MessageOutcome {
  topic: string;
  partition: number;
  offset: string;
  eventId: string | null;
  result: 'handled' | 'duplicate' | 'dead-lettered';
  attempts: number;
}

export interface EventConsumerStats {
  handled: number;
  duplicates: number;
  retried: number;
  deadLettered: number;
}

/**
 * A consumer group for a set of events: decodes each message by its schema id, runs the event's
 * handler inside a database transaction that also records the event id (so a redelivered event
 * changes nothing), retries retriable failures with backoff, and sends a message that keeps failing
 * or can never succeed to `<topic>.DLQ` with headers naming the error and the original position —
 * then goes on with the next message.
 */
export class EventConsumer {
  private readonly consumer: Consumer;
  private readonly dlqProducer: Producer;
  private readonly retry: RetryPolicy;
  private stopping = false;
  private hasJoined = false;
  private readonly sleeps = new Set<() => void>();
  private readonly counters: EventConsumerStats = { handled: 0, duplicates: 0, retried: 0, deadLettered: 0 };

  constructor(private readonly options: EventConsumerOptions) {
    this.consumer = options.kafka.consumer({ groupId: options.groupId, allowAutoTopicCreation: true });
    this.dlqProducer = options.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
      this.hasJoined = true;
    });
  }

  /** True once this member has joined its group and received partitions. */
  get joined(): boolean {
    return this.hasJoined;
  }

  get topics(): string[] {
    return (Object.keys(this.options.handlers) as EventName[]).map((name) => topicOf(name));
  }

  async start(): Promise<void> {
    this.stopping = false;
    const admin = this.options.kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, this.topics, { ...this.options.topicDefaults, withDeadLetter: true });
    } finally {
      await admin.disconnect();
    }
    await this.dlqProducer.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.topics, fromBeginning: this.options.fromBeginning ?? true });
    await this.consumer.run({
      autoCommit: true,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
      eachMessage: (payload) => this.handleMessage(payload),
    });
  }

  /** Stops fetching, lets the message in hand finish (a retry wait is cut short and left uncommitted), then disconnects. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const wake of this.sleeps) wake();
    await this.consumer.disconnect();
    await this.dlqProducer.disconnect();
  }

  stats(): EventConsumerStats {
    return { ...this.counters };
  }

  /** The underlying kafkajs consumer (for instrumentation events and lag queries). */
  get kafkaConsumer(): Consumer {
    return this.consumer;
  }

  private async handleMessage({ topic, partition, message, heartbeat }: EachMessagePayload): Promise<void> {
    const headers = headersToStrings(message.headers);
    const eventIdHeader = headerValue(message.headers, HEADERS.eventId) ?? null;
    let decoded: { name: EventName; event: EventMap[EventName] };
    try {
      decoded = await this.options.codec.decode(topic, message.value);
    } catch (error) {
      if (error instanceof InfrastructureError) throw error; // redelivered: the registry is down, not the message
      await this.deadLetter(topic, partition, message, error, 1);
      this.settle({
        topic,
        partition,
        offset: message.offset,
        eventId: eventIdHeader,
        result: 'dead-lettered',
        attempts: 1,
      });
      return;
    }
    const handler = this.options.handlers[decoded.name] as EventHandler<EventName> | undefined;
    const event = decoded.event;
    const log = this.options.logger.child({
      event: decoded.name,
      eventId: event.eventId,
      correlationId: event.correlationId,
      traceId: parseTraceparent(headers[HEADERS.traceparent])?.traceId,
    });
    let attempt = 0;
    for (;;) {
      attempt += 1;
      try {
        const applied = await this.apply(
          topic,
          partition,
          message,
          decoded.name,
          event,
          handler,
          headers,
          attempt,
          log,
        );
        if (applied) this.counters.handled += 1;
        else this.counters.duplicates += 1;
        this.settle({
          topic,
          partition,
          offset: message.offset,
          eventId: event.eventId,
          result: applied ? 'handled' : 'duplicate',
          attempts: attempt,
        });
        return;
      } catch (error) {
        const retriable = isRetriable(error);
        const delay = this.retry.delaysMs[attempt - 1];
        if (retriable && delay !== undefined) {
          if (this.stopping) throw error; // not committed: another member takes it over
          this.counters.retried += 1;
          log.warn({ err: error, attempt, retryInMs: delay }, 'event handler failed; retrying');
          await this.sleep(delay, heartbeat);
          if (this.stopping) throw error;
          continue;
        }
        log.error(
          { err: error, attempt, retriable },
          'event handler failed; sending the message to the dead-letter topic',
        );
        await this.deadLetter(topic, partition, message, error, attempt);
        this.settle({
          topic,
          partition,
          offset: message.offset,
          eventId: event.eventId,
          result: 'dead-lettered',
          attempts: attempt,
        });
        return;
      }
    }
  }

  /** Runs the handler and records the event id in one transaction; false when the event was already applied. */
  private async apply(
    topic: string,
    partition: number,
    message: KafkaMessage,
    name: EventName,
    event: EventMap[EventName],
    handler: EventHandler<EventName> | undefined,
    headers: Record<string, string>,
    attempt: number,
    logger: Logger,
  ): Promise<boolean> {
    return this.options.db.$transaction(
      async (tx) => {
        const inserted = await tx.$executeRawUnsafe(
          `insert into processed_events (consumer_group, event_id, event_name, topic, partition, "offset")
           values ($1, $2::uuid, $3, $4, $5, $6::bigint) on conflict do nothing`,
          this.options.groupId,
          event.eventId,
          name,
          topic,
          partition,
          message.offset,
        );
        if (inserted === 0) return false;
        if (handler) {
          const trace = parseTraceparent(headers[HEADERS.traceparent]);
          await handler(event, {
            tx,
            topic,
            partition,
            offset: message.offset,
            attempt,
            headers,
            logger,
            causedBy: () => ({
              correlationId: event.correlationId,
              causationId: event.eventId,
              traceparent: formatTraceparent(childTraceContext(trace)),
            }),
          });
        }
        return true;
      },
      { timeout: 30_000, maxWait: 10_000 },
    );
  }

  private async deadLetter(
    topic: string,
    partition: number,
    message: KafkaMessage,
    error: unknown,
    attempts: number,
  ): Promise<void> {
    this.counters.deadLettered += 1;
    const reason = error instanceof Error ? error : new Error(String(error));
    await this.dlqProducer.send({
      topic: dlqTopicOf(topic),
      acks: -1,
      messages: [
        {
          key: message.key,
          value: message.value,
          headers: {
            ...message.headers,
            [DLQ_HEADERS.originalTopic]: topic,
            [DLQ_HEADERS.originalPartition]: String(partition),
            [DLQ_HEADERS.originalOffset]: message.offset,
            [DLQ_HEADERS.originalTimestamp]: message.timestamp,
            [DLQ_HEADERS.consumerGroup]: this.options.groupId,
            [DLQ_HEADERS.errorCode]: errorCode(error),
            [DLQ_HEADERS.errorClass]: reason.name,
            [DLQ_HEADERS.errorMessage]: reason.message.slice(0, 4000),
            [DLQ_HEADERS.attempts]: String(attempts),
            [DLQ_HEADERS.failedAt]: new Date().toISOString(),
          },
        },
      ],
    });
  }

  private settle(outcome: MessageOutcome): void {
    this.options.onSettled?.(outcome);
  }

  /** Waits, heartbeating so the group does not evict this member during a long backoff. */
  private async sleep(ms: number, heartbeat: () => Promise<void>): Promise<void> {
    const deadline = Date.now() + ms;
    while (!this.stopping && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.sleeps.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, Math.min(1000, deadline - Date.now()));
        this.sleeps.add(wake);
      });
      if (!this.stopping) await heartbeat().catch(() => undefined);
    }
  }
}
