import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** What the outbox relay reports as it goes. */
export interface RelayMetrics {
  /** Rows of `topic` acknowledged by Kafka. */
  sent(topic: string, count: number): void;
  /** A round that failed (an outage: retried) or a row that cannot be published (its key waits). */
  failed(kind: 'round' | 'row'): void;
}

/** What an event consumer reports as it goes. */
export interface ConsumerMetrics {
  /** One handler run, in seconds. */
  handled(group: string, event: string, seconds: number): void;
  retried(group: string, topic: string): void;
  deadLettered(group: string, topic: string): void;
  /** Messages of the partition after the last one this member settled. */
  lag(group: string, topic: string, partition: number, lag: number): void;
  /** The member lost its partitions (a rebalance): their lag is another member's to report now. */
  partitionsRevoked(group: string): void;
}

export const HANDLER_DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * The messaging layer's metrics on a service's registry (served at /metrics): relay throughput and
 * errors, handler durations, retries, dead letters and consumer lag per group and partition. Outbox
 * depth and age are gauges read when scraped (`registerOutboxGauges`).
 */
export class MessagingMetrics implements RelayMetrics, ConsumerMetrics {
  private readonly relaySent: Counter<'topic'>;
  private readonly relayErrors: Counter<'kind'>;
  private readonly handlerSeconds: Histogram<'group' | 'event'>;
  private readonly retries: Counter<'group' | 'topic'>;
  private readonly deadLetters: Counter<'group' | 'topic'>;
  private readonly consumerLag: Gauge<'group' | 'topic' | 'partition'>;
  private readonly lagSeries = new Map<string, Set<string>>();

  /** The metrics, on `registry` or (without one) on none until `registerOn` is called. */
  constructor(registry?: Registry) {
    const registers = registry ? [registry] : [];
    this.relaySent = new Counter({
      name: 'outbox_relay_sent_total',
      help: 'Outbox events the relay published to Kafka (acknowledged by all in-sync replicas), by topic',
      labelNames: ['topic'] as const,
      registers,
    });
    this.relayErrors = new Counter({
      name: 'outbox_relay_errors_total',
      help: 'Relay failures: rounds that failed on an outage (retried) and rows that cannot be published',
      labelNames: ['kind'] as const,
      registers,
    });
    this.handlerSeconds = new Histogram({
      name: 'messaging_handler_duration_seconds',
      help: 'Duration of event handler runs in seconds, by consumer group and event',
      labelNames: ['group', 'event'] as const,
      buckets: HANDLER_DURATION_BUCKETS,
      registers,
    });
    this.retries = new Counter({
      name: 'messaging_consumer_retries_total',
      help: 'Handler attempts that failed for a retriable reason and were retried, by group and topic',
      labelNames: ['group', 'topic'] as const,
      registers,
    });
    this.deadLetters = new Counter({
      name: 'messaging_dead_letters_total',
      help: 'Messages sent to the dead-letter topic, by consumer group and original topic',
      labelNames: ['group', 'topic'] as const,
      registers,
    });
    this.consumerLag = new Gauge({
      name: 'messaging_consumer_lag',
      help: 'Messages of a partition after the last one this member settled (high watermark - 1 - offset)',
      labelNames: ['group', 'topic', 'partition'] as const,
      registers,
    });
  }

  /** Adds the metrics to `registry` (for a registry that exists only after the relay and consumers). */
  registerOn(registry: Registry): void {
    for (const metric of [
      this.relaySent,
      this.relayErrors,
      this.handlerSeconds,
      this.retries,
      this.deadLetters,
      this.consumerLag,
    ]) {
      registry.registerMetric(metric as never);
    }
  }

  sent(topic: string, count: number): void {
    this.relaySent.inc({ topic }, count);
  }

  failed(kind: 'round' | 'row'): void {
    this.relayErrors.inc({ kind });
  }

  handled(group: string, event: string, seconds: number): void {
    this.handlerSeconds.observe({ group, event }, seconds);
  }

  retried(group: string, topic: string): void {
    this.retries.inc({ group, topic });
  }

  deadLettered(group: string, topic: string): void {
    this.deadLetters.inc({ group, topic });
  }

  lag(group: string, topic: string, partition: number, lag: number): void {
    const labels = { group, topic, partition: String(partition) };
    this.consumerLag.set(labels, Math.max(0, lag));
    let series = this.lagSeries.get(group);
    if (!series) this.lagSeries.set(group, (series = new Set()));
    series.add(`${topic}\u0000${partition}`);
  }

  partitionsRevoked(group: string): void {
    for (const key of this.lagSeries.get(group) ?? []) {
      const [topic, partition] = key.split('\u0000') as [string, string];
      this.consumerLag.remove({ group, topic, partition });
    }
    this.lagSeries.delete(group);
  }
}

export interface OutboxGaugeSource {
  /** Unpublished rows and the age of the oldest, in seconds (0 when there are none). */
  backlog(): Promise<{ pending: number; oldestAgeSeconds: number }>;
  stats(): { unpublishable: number };
}

/** `outbox_pending_events`, `outbox_oldest_pending_age_seconds`, `outbox_unpublishable_events`, read when scraped (-1: unreadable). */
export function registerOutboxGauges(registry: Registry, relay: OutboxGaugeSource): void {
  // Both gauges of one scrape share one query (collected together, while it is in flight).
  let inFlight: Promise<{ pending: number; oldestAgeSeconds: number }> | null = null;
  const backlog = () => {
    inFlight ??= relay
      .backlog()
      .catch(() => ({ pending: -1, oldestAgeSeconds: -1 }))
      .finally(() => {
        inFlight = null;
      });
    return inFlight;
  };
  new Gauge({
    name: 'outbox_pending_events',
    help: 'Outbox rows committed and not yet published',
    registers: [registry],
    async collect() {
      this.set((await backlog()).pending);
    },
  });
  new Gauge({
    name: 'outbox_oldest_pending_age_seconds',
    help: 'Age of the oldest outbox row not yet published, in seconds (0 when the outbox is drained)',
    registers: [registry],
    async collect() {
      this.set((await backlog()).oldestAgeSeconds);
    },
  });
  new Gauge({
    name: 'outbox_unpublishable_events',
    help: 'Outbox rows that failed to publish for a reason of their own in the last round (their keys wait)',
    registers: [registry],
    collect() {
      this.set(relay.stats().unpublishable);
    },
  });
}
