import type { Consumer, EachBatchPayload, EachMessagePayload, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import { dlqTopicOf, topicOf, type EventMap, type EventName } from '@fv/contracts';
import { Backoff, sleep, sleepWithHeartbeat } from '@fv/resilience';
import type { EventCodec } from './event-codec.js';
import { errorCode, isInfrastructureError, isRetriable } from './errors.js';
import { ensureTopics } from './kafka.js';
import { IdempotentProducer } from './idempotent-producer.js';
import { DLQ_HEADERS, HEADERS, headerValue, headersToStrings } from './headers.js';
import type { SqlClient, TransactionalSqlClient } from './sql-client.js';
import { performance } from 'node:perf_hooks';
import { lazyChild } from '@fv/service-kit/logger';
import { inSpan, recordSpanError } from '@fv/service-kit/telemetry';
import { context as contextApi, SpanKind, trace, type Context } from '@opentelemetry/api';
import { startProcessSpan, type MessageSpan } from './message-spans.js';
import type { ConsumerMetrics } from './metrics.js';

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

export interface DeadLetterContext {
  /** The transaction the step's failure event must be written in. */
  tx: SqlClient;
  /** Why the event was dead-lettered. */
  error: unknown;
  errorCode: string;
  logger: Logger;
  /** Meta for the events this hook publishes: same correlation, caused by the dead-lettered event. */
  causedBy(): { correlationId: string; causationId: string; traceparent: string };
}

/**
 * Runs after an event was dead-lettered, in a transaction that also records the event as processed:
 * the place to publish the step's failure event (a reservation that could not be attempted becomes
 * InventoryReservationFailed) so the saga compensates instead of waiting for a step that will never
 * happen. Because the event is then recorded as processed, a redelivery or a replay of it from the
 * dead-letter topic changes nothing.
 */
export type DeadLetterHandler<N extends EventName> = (
  event: EventMap[N],
  context: DeadLetterContext,
) => Promise<void>;
export type DeadLetterHandlers = { [N in EventName]?: DeadLetterHandler<N> };

export interface RetryPolicy {
  /** Delays before each retry; the number of retries is their count (seed 003: 1 s, 2 s, 4 s). */
  delaysMs: number[];
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { delaysMs: [1000, 2000, 4000] };

/** How long a group's transaction may run before the rest of the group is left to the next one. */
const GROUP_BUDGET_MS = 1000;

/** How long to wait between attempts while a dependency (database, broker, registry) is unavailable. */
export interface OutageBackoff {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_OUTAGE_BACKOFF: OutageBackoff = { initialMs: 500, maxMs: 10_000 };

/**
 * Group membership timings. A member that dies without leaving is noticed after `sessionTimeoutMs`,
 * and its partitions move to the other members then (kafkajs' default is 30 s; 10 s here). The
 * consumer heartbeats every `heartbeatIntervalMs` even while a handler runs or waits for an outage.
 */
export interface GroupTimings {
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  rebalanceTimeoutMs: number;
}

export const DEFAULT_GROUP_TIMINGS: GroupTimings = {
  sessionTimeoutMs: 10_000,
  heartbeatIntervalMs: 1_000,
  rebalanceTimeoutMs: 30_000,
};

export interface EventConsumerOptions {
  kafka: Kafka;
  codec: EventCodec;
  db: TransactionalSqlClient;
  logger: Logger;
  groupId: string;
  handlers: EventHandlers;
  /** Per event, what to do after it was dead-lettered (publish the step's failure event). */
  deadLetterHandlers?: DeadLetterHandlers;
  /** Bounded retries for failures of the message itself; outages are waited out without limit. */
  retry?: RetryPolicy;
  outageBackoff?: OutageBackoff;
  groupTimings?: Partial<GroupTimings>;
  /** Read topics from the beginning when the group has no committed offset (default true). */
  fromBeginning?: boolean;
  /** Partitions handled at the same time (order is kept within a partition; default 3). */
  partitionsConsumedConcurrently?: number;
  /**
   * Most messages of one partition applied in one database transaction (default 20). When a partition
   * has a backlog, its next messages are applied together — each still recorded and handled exactly
   * as alone, in order — and committed at once; if any of them fails, the transaction is rolled back
   * and they are applied one by one, with the usual retries and dead-lettering. 1 turns grouping off.
   */
  maxGroupSize?: number;
  /**
   * Called in a group's transaction before its handlers, with the group's new events in order: takes
   * the row locks their handlers will take, in one fixed order. Each handler locks its own rows in a
   * fixed order, but a group's handlers one after another lock the union of them in the order of the
   * events, so two groups can deadlock (PostgreSQL notices after `deadlock_timeout`, a second, and the
   * group is applied again one by one). Locking the union up front, sorted, avoids that.
   */
  lockGroup?: (tx: SqlClient, events: readonly GroupEvent[]) => Promise<void>;
  /** Topic layout used when the consumer creates missing topics and their DLQs at start (default 3 partitions, RF 1). */
  topicDefaults?: { numPartitions?: number; replicationFactor?: number };
  /** Called after each message is settled (handled, skipped as duplicate, or dead-lettered). */
  onSettled?: (outcome: MessageOutcome) => void;
  /** Where handler durations, retries, dead letters and lag are reported (the service's /metrics). */
  metrics?: ConsumerMetrics;
}

/** A consumer that kafkajs stopped for good and that is being restarted: readiness is red meanwhile. */
export interface ConsumerHealth {
  running: boolean;
  /** Why the consumer is not running (its crash), null while it runs. */
  crashed: string | null;
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
  /** Attempts that failed because a dependency was unavailable (retried without limit). */
  outageRetries: number;
  /** Messages currently held back, waiting for a dependency to come back. */
  waitingOnOutage: number;
  /** Groups of messages applied in one transaction each. */
  groups: number;
  /** Groups that failed and were applied again one message at a time. */
  groupFallbacks: number;
}

/** An event of a group applied in one transaction (see `lockGroup`). */
export interface GroupEvent {
  name: EventName;
  event: EventMap[EventName];
}

interface GroupItem {
  message: KafkaMessage;
  name: EventName;
  event: EventMap[EventName];
  headers: Record<string, string>;
}

/** A message handled alone (not in a group), with its `process` span and the heartbeat of its batch. */
interface LoneMessage {
  topic: string;
  partition: number;
  message: KafkaMessage;
  heartbeat: () => Promise<void>;
  headers: Record<string, string>;
  position: { topic: string; partition: number; offset: string };
  span: MessageSpan;
}

/**
 * A consumer group for a set of events: decodes each message by its schema id, runs the event's
 * handler inside a database transaction that also records the event id (so a redelivered event
 * changes nothing), retries retriable failures with backoff, and sends a message that keeps failing
 * or can never succeed to `<topic>.DLQ` with headers naming the error and the original position —
 * then goes on with the next message.
 *
 * The dead-letter topic is for poison messages only. When the database, the broker or the schema
 * registry is unavailable, the message is not at fault: the consumer holds it (and so its partition)
 * and tries again with a capped backoff until the dependency is back, however long that takes.
 */
export class EventConsumer {
  private consumer: Consumer;
  private readonly dlqProducer: IdempotentProducer;
  private readonly retry: RetryPolicy;
  private readonly outage: OutageBackoff;
  private stopping = false;
  private hasJoined = false;
  private crashed: string | null = null;
  /** Waits before replacing a crashed consumer: 0.5–1 s, doubling up to 15–30 s while it keeps crashing. */
  private readonly crashBackoff = new Backoff({ initialMs: 1000, maxMs: 30_000 });
  /** Aborted by `stop()`: cuts short any wait in progress. */
  private stopSignal = new AbortController();
  private readonly counters: EventConsumerStats = {
    handled: 0,
    duplicates: 0,
    retried: 0,
    deadLettered: 0,
    outageRetries: 0,
    waitingOnOutage: 0,
    groups: 0,
    groupFallbacks: 0,
  };

  constructor(private readonly options: EventConsumerOptions) {
    this.consumer = this.createKafkaConsumer();
    this.dlqProducer = new IdempotentProducer(options.kafka);
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.outage = options.outageBackoff ?? DEFAULT_OUTAGE_BACKOFF;
  }

  private createKafkaConsumer(): Consumer {
    const timings = { ...DEFAULT_GROUP_TIMINGS, ...this.options.groupTimings };
    const consumer = this.options.kafka.consumer({
      groupId: this.options.groupId,
      allowAutoTopicCreation: true,
      sessionTimeout: timings.sessionTimeoutMs,
      heartbeatInterval: timings.heartbeatIntervalMs,
      rebalanceTimeout: timings.rebalanceTimeoutMs,
    });
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.hasJoined = true;
      if (consumer === this.consumer && this.crashed !== null) {
        // Healthy again only once a restarted consumer is back in its group, not when it merely started.
        this.options.logger.info({ crashed: this.crashed }, 'consumer rejoined its group after a crash');
        this.crashed = null;
        this.crashBackoff.reset();
      }
      this.options.metrics?.partitionsRevoked(this.options.groupId);
    });
    // kafkajs restarts itself after a retriable crash, and gives up after any other one; a consumer that
    // stopped for good would leave its partitions unread with the service still "ready".
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart || this.stopping || consumer !== this.consumer) return;
      this.crashed = (payload.error as Error)?.message ?? String(payload.error);
      this.options.logger.error(
        { err: payload.error },
        'consumer crashed and will not restart itself; restarting it',
      );
      void this.restartAfterCrash();
    });
    return consumer;
  }

  /** Replaces a consumer kafkajs gave up on, with a growing wait between attempts until one rejoins. */
  private async restartAfterCrash(): Promise<void> {
    while (!this.stopping) {
      const delay = this.crashBackoff.next();
      await sleep(delay, this.stopSignal.signal);
      if (this.stopping) return;
      try {
        await this.consumer.disconnect().catch(() => undefined);
        this.consumer = this.createKafkaConsumer(); // a disconnected kafkajs consumer does not run again reliably
        await this.subscribeAndRun();
        this.options.logger.info('consumer restarted after a crash; waiting for it to rejoin its group');
        return;
      } catch (error) {
        this.options.logger.error({ err: error, retryInMs: delay }, 'restarting the consumer failed');
      }
    }
  }

  private async subscribeAndRun(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.topics, fromBeginning: this.options.fromBeginning ?? true });
    await this.consumer.run({
      autoCommit: true,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
      eachBatch: (payload) => this.handleBatch(payload),
    });
  }

  /** Red from a crash kafkajs does not recover from until a restarted consumer has rejoined its group. */
  health(): ConsumerHealth {
    return { running: this.crashed === null, crashed: this.crashed };
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
    if (this.stopSignal.signal.aborted) this.stopSignal = new AbortController();
    const admin = this.options.kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, this.topics, { ...this.options.topicDefaults, withDeadLetter: true });
    } finally {
      await admin.disconnect();
    }
    await this.dlqProducer.connect();
    await this.subscribeAndRun();
  }

  /** Stops fetching, lets the message in hand finish (a retry wait is cut short and left uncommitted), then disconnects. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.stopSignal.abort();
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

  /**
   * A fetched batch of one partition, in order: runs of decodable messages are applied in one
   * transaction each (`maxGroupSize`), anything else — a lone message, an undecodable one, a group
   * that failed — goes through `handleMessage`, one at a time. An offset is resolved only once its
   * message is settled, so a crash or a rebalance redelivers from the first unsettled message.
   */
  private async handleBatch({
    batch,
    resolveOffset,
    heartbeat,
    commitOffsetsIfNecessary,
    isRunning,
    isStale,
  }: EachBatchPayload): Promise<void> {
    const { topic, partition, messages } = batch;
    const maxGroup = Math.max(1, this.options.maxGroupSize ?? 20);
    let next = 0;
    while (next < messages.length && isRunning() && !isStale() && !this.stopping) {
      const group = maxGroup > 1 ? await this.decodableRun(topic, messages, next, maxGroup) : [];
      const settled = group.length > 1 ? await this.applyGroup(topic, partition, group, heartbeat) : 0;
      if (settled > 0) {
        for (const item of group.slice(0, settled)) resolveOffset(item.message.offset);
        next += settled;
      } else {
        // A group that failed is applied again one message at a time: nothing of it was committed.
        const count = Math.max(group.length, 1);
        for (let i = 0; i < count && isRunning() && !isStale() && !this.stopping; i += 1) {
          const message = messages[next]!;
          await this.handleMessage({ topic, partition, message, heartbeat, pause: () => () => undefined });
          resolveOffset(message.offset);
          next += 1;
        }
      }
      this.options.metrics?.lag(
        this.options.groupId,
        topic,
        partition,
        Number(batch.highWatermark) - Number(messages[next - 1]?.offset ?? batch.highWatermark) - 1,
      );
      await commitOffsetsIfNecessary();
      await heartbeat().catch(rethrowRebalance);
    }
  }

  /** The messages from `start` on that decode at once (at most `max`), stopping before the first that does not. */
  private async decodableRun(
    topic: string,
    messages: KafkaMessage[],
    start: number,
    max: number,
  ): Promise<GroupItem[]> {
    const run: GroupItem[] = [];
    for (let i = start; i < messages.length && run.length < max; i += 1) {
      const message = messages[i]!;
      try {
        const decoded = await this.options.codec.decode(topic, message.value);
        run.push({
          message,
          name: decoded.name,
          event: decoded.event,
          headers: headersToStrings(message.headers),
        });
      } catch {
        break; // handled alone, with its outage waits or its dead-lettering
      }
    }
    return run;
  }

  /**
   * Applies a group in one transaction: records every event id in one statement, then runs the
   * handlers of those not seen before, in order. Once the transaction has run for `GROUP_BUDGET_MS`
   * (handlers that call out, a slow database) the rest of the group is left for later: their ids are
   * recorded no more and the transaction commits what was applied. Returns how many messages, from the
   * start of the group, were settled; 0 when anything failed (rolled back: the caller applies the
   * messages one by one).
   */
  private async applyGroup(
    topic: string,
    partition: number,
    group: GroupItem[],
    heartbeat: () => Promise<void>,
  ): Promise<number> {
    const beat = keepAlive(heartbeat, this.heartbeatEveryMs());
    const spans = group.map((item) =>
      startProcessSpan(item.headers, this.options.groupId, topic, partition, item.message.offset),
    );
    let applied: boolean[];
    try {
      applied = await this.transaction(
        (tx) => this.applyGroupInTransaction(tx, topic, partition, group, spans),
        spans,
      );
    } catch (error) {
      if (this.stopping || isRebalance(error)) throw error;
      this.counters.groupFallbacks += 1;
      this.options.logger.debug(
        { err: error, topic, partition, size: group.length },
        'a group of events failed; applying them one by one',
      );
      for (const span of spans) span.span.setAttribute('fv.group.rolled_back', true);
      return 0;
    } finally {
      beat.stop();
      for (const span of spans) span.span.end();
    }
    this.counters.groups += 1;
    this.settleGroup(topic, partition, group, applied);
    return applied.length;
  }

  /**
   * The body of a group's transaction: records the group's event ids, takes the locks of its new
   * events (`lockGroup`), and runs their handlers in order until `GROUP_BUDGET_MS` has passed. Returns,
   * for each message from the start of the group that was settled, whether its event was new.
   */
  private async applyGroupInTransaction(
    tx: SqlClient,
    topic: string,
    partition: number,
    group: GroupItem[],
    spans: MessageSpan[],
  ): Promise<boolean[]> {
    const started = Date.now();
    const fresh = await this.recordProcessedGroup(tx, topic, partition, group);
    if (this.options.lockGroup && fresh.size > 1) {
      await this.options.lockGroup(tx, freshEvents(group, fresh));
    }
    const results: boolean[] = [];
    for (const [i, item] of group.entries()) {
      if (results.length > 0 && Date.now() - started > GROUP_BUDGET_MS) {
        await this.forgetProcessed(tx, [...fresh]);
        break;
      }
      // An event twice in the group (a republished batch) is applied once.
      if (!fresh.delete(item.event.eventId)) {
        results.push(false);
        continue;
      }
      await this.runGroupHandler(tx, topic, partition, item, spans[i]!);
      results.push(true);
    }
    return results;
  }

  /** Runs the handler of a group's event, if it has one, in the group's transaction (first attempt). */
  private async runGroupHandler(
    tx: SqlClient,
    topic: string,
    partition: number,
    item: GroupItem,
    span: MessageSpan,
  ): Promise<void> {
    const handler = this.options.handlers[item.name] as EventHandler<EventName> | undefined;
    if (!handler) return;
    const logger = lazyChild(this.options.logger, {
      event: item.name,
      eventId: item.event.eventId,
      correlationId: item.event.correlationId,
      traceId: span.trace.traceId,
    });
    const fields = {
      tx,
      topic,
      partition,
      offset: item.message.offset,
      attempt: 1,
      headers: item.headers,
    };
    await this.runHandler(handler, item.name, item.event, span, fields, logger);
  }

  /** Counts and reports the messages of a committed group as handled or duplicate. */
  private settleGroup(topic: string, partition: number, group: GroupItem[], applied: boolean[]): void {
    group.slice(0, applied.length).forEach((item, i) => {
      if (applied[i]) this.counters.handled += 1;
      else this.counters.duplicates += 1;
      this.settle({
        topic,
        partition,
        offset: item.message.offset,
        eventId: item.event.eventId,
        result: applied[i] ? 'handled' : 'duplicate',
        attempts: 1,
      });
    });
  }

  /** Takes back ids recorded by this transaction for events it leaves to a later one. */
  private async forgetProcessed(tx: SqlClient, eventIds: string[]): Promise<void> {
    if (eventIds.length === 0) return;
    await tx.$executeRawUnsafe(
      'delete from processed_events where consumer_group = $1 and event_id = any($2::uuid[])',
      this.options.groupId,
      `{${eventIds.join(',')}}`,
    );
  }

  /** Records the group's event ids as processed; returns the ids that were not recorded before. */
  private async recordProcessedGroup(
    tx: SqlClient,
    topic: string,
    partition: number,
    group: GroupItem[],
  ): Promise<Set<string>> {
    // Array literals: uuids, event names and offsets need no quoting.
    const literal = (values: string[]) => `{${values.join(',')}}`;
    const rows = await tx.$queryRawUnsafe<{ event_id: string }[]>(
      `insert into processed_events (consumer_group, event_id, event_name, topic, partition, "offset")
       select $1::text, e.event_id, e.event_name, $2::text, $3::int, e."offset"
         from unnest($4::uuid[], $5::text[], $6::bigint[]) as e(event_id, event_name, "offset")
       on conflict do nothing
       returning event_id::text as event_id`,
      this.options.groupId,
      topic,
      partition,
      literal(group.map((item) => item.event.eventId)),
      literal(group.map((item) => item.name)),
      literal(group.map((item) => item.message.offset)),
    );
    return new Set(rows.map((row) => row.event_id));
  }

  private async handleMessage({ topic, partition, message, heartbeat }: EachMessagePayload): Promise<void> {
    const headers = headersToStrings(message.headers);
    const eventIdHeader = headerValue(message.headers, HEADERS.eventId) ?? null;
    const position = { topic, partition, offset: message.offset };
    const beat = keepAlive(heartbeat, this.heartbeatEveryMs());
    const span = startProcessSpan(headers, this.options.groupId, topic, partition, message.offset);
    const lone: LoneMessage = { topic, partition, message, heartbeat, headers, position, span };
    try {
      const decoded = await this.decodeOrDeadLetter(lone, eventIdHeader);
      if (decoded) await this.handleDecoded(lone, decoded);
    } finally {
      beat.stop();
      span.span.end();
    }
  }

  /**
   * Decodes a message, waiting out outages. One that cannot be decoded is dead-lettered and settled,
   * and null is returned.
   */
  private async decodeOrDeadLetter(
    { topic, partition, message, heartbeat, position, span }: LoneMessage,
    eventIdHeader: string | null,
  ): Promise<GroupEvent | null> {
    try {
      return await this.untilAvailable(
        () => this.options.codec.decode(topic, message.value),
        heartbeat,
        lazyChild(this.options.logger, position),
        'decoding the message',
      );
    } catch (error) {
      if (this.stopping || isRebalance(error)) throw error;
      recordSpanError(span.span, error);
      await this.deadLetter(topic, partition, message, error, 1, heartbeat);
      this.settle({ ...position, eventId: eventIdHeader, result: 'dead-lettered', attempts: 1 });
      return null;
    }
  }

  /**
   * Applies a decoded message in its own transaction, waiting out outages and retrying a retriable
   * failure after each delay of the retry policy; a failure after that, or one that is not retriable,
   * dead-letters the message.
   */
  private async handleDecoded(lone: LoneMessage, decoded: GroupEvent): Promise<void> {
    const { topic, partition, message, heartbeat, headers, position, span } = lone;
    const handler = this.options.handlers[decoded.name] as EventHandler<EventName> | undefined;
    const event = decoded.event;
    const log = lazyChild(this.options.logger, {
      event: decoded.name,
      eventId: event.eventId,
      correlationId: event.correlationId,
      traceId: span.trace.traceId,
    });
    span.span.setAttribute('fv.event.name', decoded.name);
    let attempt = 0;
    for (;;) {
      attempt += 1;
      try {
        const applied = await this.untilAvailable(
          () =>
            this.apply(
              message,
              decoded.name,
              event,
              handler,
              { topic, partition, headers, attempt },
              span,
              log,
            ),
          heartbeat,
          log,
          'handling the event',
        );
        if (applied) this.counters.handled += 1;
        else this.counters.duplicates += 1;
        this.settle({
          ...position,
          eventId: event.eventId,
          result: applied ? 'handled' : 'duplicate',
          attempts: attempt,
        });
        return;
      } catch (error) {
        if (this.stopping || isRebalance(error)) throw error; // not committed: redelivered
        const retriable = isRetriable(error);
        const delay = this.retry.delaysMs[attempt - 1];
        if (retriable && delay !== undefined) {
          this.counters.retried += 1;
          this.options.metrics?.retried(this.options.groupId, topic);
          log.warn({ err: error, attempt, retryInMs: delay }, 'event handler failed; retrying');
          await this.sleep(delay, heartbeat);
          if (this.stopping) throw error;
          continue;
        }
        log.error(
          { err: error, attempt, retriable },
          'event handler failed; sending the message to the dead-letter topic',
        );
        await this.deadLetterDecoded(lone, decoded, error, attempt, log);
        return;
      }
    }
  }

  /** Dead-letters a decoded message that failed for good, runs its dead-letter hook, and settles it. */
  private async deadLetterDecoded(
    { topic, partition, message, heartbeat, position, span }: LoneMessage,
    decoded: GroupEvent,
    error: unknown,
    attempt: number,
    log: Logger,
  ): Promise<void> {
    const event = decoded.event;
    recordSpanError(span.span, error);
    await this.deadLetter(topic, partition, message, error, attempt, heartbeat);
    await this.afterDeadLetter(decoded.name, event, error, topic, partition, message, heartbeat, log, span);
    this.settle({ ...position, eventId: event.eventId, result: 'dead-lettered', attempts: attempt });
  }

  private heartbeatEveryMs(): number {
    return this.options.groupTimings?.heartbeatIntervalMs ?? DEFAULT_GROUP_TIMINGS.heartbeatIntervalMs;
  }

  /**
   * Runs `fn` until it succeeds or fails for a reason other than an outage. While the database, the
   * broker or the registry is unavailable, waits with a capped, jittered backoff (heartbeating, so the
   * group keeps this member) and tries again, without limit: an outage is never the message's fault.
   */
  private async untilAvailable<T>(
    fn: () => Promise<T>,
    heartbeat: () => Promise<void>,
    log: Logger,
    what: string,
  ): Promise<T> {
    const backoff = new Backoff({ initialMs: this.outage.initialMs, maxMs: this.outage.maxMs });
    let waiting = false;
    let since = 0;
    try {
      for (;;) {
        try {
          return await fn();
        } catch (error) {
          if (this.stopping || !isInfrastructureError(error)) throw error;
          this.counters.outageRetries += 1;
          if (!waiting) {
            waiting = true;
            since = Date.now();
            this.counters.waitingOnOutage += 1;
            log.warn(
              { err: error },
              `a dependency is unavailable while ${what}; holding the message until it is back`,
            );
          } else {
            log.debug(
              { err: error, waitingMs: Date.now() - since },
              `still waiting for a dependency while ${what}`,
            );
          }
          await this.sleep(backoff.next(), heartbeat);
          if (this.stopping) throw error;
        }
      }
    } finally {
      if (waiting) {
        this.counters.waitingOnOutage -= 1;
        log.info({ waitedMs: Date.now() - since }, `dependency back; ${what} resumed`);
      }
    }
  }

  /** Lets the dead-letter hook publish the step's failure event, recording the event as processed with it. */
  private async afterDeadLetter(
    name: EventName,
    event: EventMap[EventName],
    error: unknown,
    topic: string,
    partition: number,
    message: KafkaMessage,
    heartbeat: () => Promise<void>,
    log: Logger,
    span: MessageSpan,
  ): Promise<void> {
    const hook = this.options.deadLetterHandlers?.[name] as DeadLetterHandler<EventName> | undefined;
    if (!hook) return;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.untilAvailable(
          () =>
            this.transaction(
              async (tx) => {
                const inserted = await this.recordProcessed(tx, name, event, topic, partition, message);
                if (inserted === 0) return;
                await hook(event, {
                  tx,
                  error,
                  errorCode: errorCode(error),
                  logger: log,
                  causedBy: () => ({
                    correlationId: event.correlationId,
                    causationId: event.eventId,
                    traceparent: span.trace.traceparent,
                  }),
                });
              },
              [span],
            ),
          heartbeat,
          log,
          'publishing the failure of a dead-lettered step',
        );
        log.warn('dead-lettered event recorded; its step failure published');
        return;
      } catch (hookError) {
        if (this.stopping || isRebalance(hookError)) throw hookError;
        const delay = this.retry.delaysMs[attempt - 1];
        if (delay === undefined) {
          log.error(
            { err: hookError },
            'the dead-letter hook keeps failing; the step failure was not published',
          );
          return;
        }
        await this.sleep(delay, heartbeat);
      }
    }
  }

  /** Runs the handler and records the event id in one transaction; false when the event was already applied. */
  private async apply(
    message: KafkaMessage,
    name: EventName,
    event: EventMap[EventName],
    handler: EventHandler<EventName> | undefined,
    at: { topic: string; partition: number; headers: Record<string, string>; attempt: number },
    span: MessageSpan,
    logger: Logger,
  ): Promise<boolean> {
    return this.transaction(
      async (tx) => {
        const inserted = await this.recordProcessed(tx, name, event, at.topic, at.partition, message);
        if (inserted === 0) return false;
        if (handler) {
          const fields = { tx, ...at, offset: message.offset };
          await this.runHandler(handler, name, event, span, fields, logger);
        }
        return true;
      },
      [span],
    );
  }

  /**
   * A database transaction of the messaging layer, in a `db.transaction` span: a child of the first
   * message's `process` span, linked to the others of a group.
   */
  private transaction<T>(fn: (tx: SqlClient) => Promise<T>, spans: MessageSpan[]): Promise<T> {
    const [first, ...others] = spans;
    const links = first?.span.isRecording()
      ? others.map((other) => ({ context: other.span.spanContext() }))
      : [];
    return inSpan(
      'db.transaction',
      { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'postgresql' }, links },
      () => this.options.db.$transaction(fn, { timeout: 30_000, maxWait: 10_000 }),
      first?.context ?? contextApi.active(),
    );
  }

  /** Runs a handler in a `handle <event>` span under the message's `process` span, timing it. */
  private async runHandler(
    handler: EventHandler<EventName>,
    name: EventName,
    event: EventMap[EventName],
    span: MessageSpan,
    fields: Omit<HandlerContext, 'logger' | 'causedBy'>,
    logger: Logger,
  ): Promise<void> {
    const started = performance.now();
    try {
      await inSpan(
        `handle ${name}`,
        { attributes: { 'fv.event.name': name, 'messaging.consumer.group.name': this.options.groupId } },
        () =>
          handler(event, {
            ...fields,
            logger,
            causedBy: () => ({
              correlationId: event.correlationId,
              causationId: event.eventId,
              traceparent: span.trace.traceparent,
            }),
          }),
        parentOf(span),
      );
    } finally {
      this.options.metrics?.handled(this.options.groupId, name, (performance.now() - started) / 1000);
    }
  }

  private async recordProcessed(
    tx: SqlClient,
    name: EventName,
    event: EventMap[EventName],
    topic: string,
    partition: number,
    message: KafkaMessage,
  ): Promise<number> {
    return tx.$executeRawUnsafe(
      `insert into processed_events (consumer_group, event_id, event_name, topic, partition, "offset")
       values ($1, $2::uuid, $3, $4, $5, $6::bigint) on conflict do nothing`,
      this.options.groupId,
      event.eventId,
      name,
      topic,
      partition,
      message.offset,
    );
  }

  private async deadLetter(
    topic: string,
    partition: number,
    message: KafkaMessage,
    error: unknown,
    attempts: number,
    heartbeat: () => Promise<void>,
  ): Promise<void> {
    const reason = error instanceof Error ? error : new Error(String(error));
    await this.untilAvailable(
      () => this.sendToDeadLetter(topic, partition, message, error, reason, attempts),
      heartbeat,
      this.options.logger.child({ topic, partition, offset: message.offset }),
      'writing to the dead-letter topic',
    );
    this.counters.deadLettered += 1;
    this.options.metrics?.deadLettered(this.options.groupId, topic);
  }

  private async sendToDeadLetter(
    topic: string,
    partition: number,
    message: KafkaMessage,
    error: unknown,
    reason: Error,
    attempts: number,
  ): Promise<void> {
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
    await sleepWithHeartbeat(ms, {
      signal: this.stopSignal.signal,
      heartbeat: () => heartbeat().catch(rethrowRebalance),
    });
  }
}

/**
 * The parent of a handler's span: the transaction's span when it is in the message's trace (tracing on,
 * a message alone or the first of a group), the message's `process` span otherwise.
 */
function parentOf(span: MessageSpan): Context {
  const active = contextApi.active();
  const current = trace.getSpan(active);
  return current?.isRecording() && current.spanContext().traceId === span.trace.traceId
    ? active
    : span.context;
}

/** The group's events whose ids were not recorded before, each once, in the group's order. */
function freshEvents(group: GroupItem[], fresh: Set<string>): GroupItem[] {
  const told = new Set<string>();
  return group.filter(({ event }) => {
    if (!fresh.has(event.eventId) || told.has(event.eventId)) return false;
    told.add(event.eventId);
    return true;
  });
}

/** kafkajs errors telling this member its partitions are being taken away: stop and let them go. */
const REBALANCE_TYPES = new Set([
  'REBALANCE_IN_PROGRESS',
  'ILLEGAL_GENERATION',
  'UNKNOWN_MEMBER_ID',
  'NOT_COORDINATOR_FOR_GROUP',
  'FENCED_INSTANCE_ID',
]);

function isRebalance(error: unknown): boolean {
  return Boolean(
    error && typeof error === 'object' && REBALANCE_TYPES.has(String((error as { type?: unknown }).type)),
  );
}

function rethrowRebalance(error: unknown): void {
  if (isRebalance(error)) throw error;
}

/**
 * Heartbeats in the background while a message is in hand (kafkajs only heartbeats between messages),
 * so a slow handler or a long outage wait does not get this member evicted from its group.
 */
function keepAlive(heartbeat: () => Promise<void>, everyMs: number): { stop(): void } {
  const timer = setInterval(() => {
    heartbeat().catch(() => undefined);
  }, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
