import type { Admin, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { advanceObserverClock, type PartitionOffsets } from './domain/observer-clock.js';
import type { ObserverClock } from './domain/state.js';

export interface ObserverProgressOptions {
  kafka: Kafka;
  /** The observer's consumer group. */
  groupId: string;
  /** The topics it reads. */
  topics: string[];
  /** A gap longer than this between two moments the observer was caught up restarts every timeout's count. */
  maxPauseMs: number;
  logger: Logger;
  clock?: () => Date;
}

/**
 * How far the saga observer has caught up with the platform's events, measured on the broker: the
 * consumer group's committed offsets against the topics' end offsets. Every sample of the end offsets
 * that the group has since reached on every partition says that everything published before that sample
 * was applied: the observer's clock (`observedUntil`) moves to it. While the group lags, or the broker
 * cannot be asked, the clock stands still; after a pause longer than `maxPauseMs` (the service down, the
 * consumer behind) `liveSince` restarts, so that time never counts towards a step's timeout.
 */
export class ObserverProgress {
  private admin: Admin | null = null;
  private previous: { at: number; ends: PartitionOffsets } | null = null;
  private state: ObserverClock = { observedUntil: null, liveSince: null };
  private failing = false;

  constructor(private readonly options: ObserverProgressOptions) {}

  /** The clock as of the last refresh. */
  current(): ObserverClock {
    return { ...this.state };
  }

  /** Samples the offsets once and moves the clock if the group reached the previous sample. */
  async refresh(): Promise<ObserverClock> {
    const at = (this.options.clock?.() ?? new Date()).getTime();
    try {
      const admin = await this.connected();
      const ends: PartitionOffsets = {};
      const starts: PartitionOffsets = {};
      // Every topic's ends in one request (per broker), not two per topic: this runs every second under load.
      for (const { topic, partitions } of await admin.fetchTopicsOffsets(this.options.topics)) {
        for (const partition of partitions) {
          ends[`${topic}:${partition.partition}`] = Number(partition.high);
          starts[`${topic}:${partition.partition}`] = Number(partition.low);
        }
      }
      const committed: PartitionOffsets = {};
      for (const topic of await admin.fetchOffsets({
        groupId: this.options.groupId,
        topics: this.options.topics,
      })) {
        for (const partition of topic.partitions) {
          const offset = Number(partition.offset);
          // No commit yet: the group has read nothing of it; an empty partition is still read to its end.
          committed[`${topic.topic}:${partition.partition}`] =
            offset >= 0 ? offset : (starts[`${topic.topic}:${partition.partition}`] ?? 0);
        }
      }
      this.state = advanceObserverClock(this.state, this.previous, committed, this.options.maxPauseMs);
      this.previous = { at, ends };
      if (this.failing) this.options.logger.info('observer progress can be measured again');
      this.failing = false;
    } catch (error) {
      if (!this.failing)
        this.options.logger.warn(
          { err: error },
          'cannot measure how far the saga observer has caught up; timeouts wait',
        );
      this.failing = true;
      await this.disconnect();
    }
    return this.current();
  }

  async close(): Promise<void> {
    await this.disconnect();
  }

  private async connected(): Promise<Admin> {
    if (this.admin) return this.admin;
    const admin = this.options.kafka.admin();
    await admin.connect();
    this.admin = admin;
    return admin;
  }

  private async disconnect(): Promise<void> {
    const admin = this.admin;
    this.admin = null;
    await admin?.disconnect().catch(() => undefined);
  }
}
