import { Backoff, sleep } from '@fv/resilience';
import type { Kafka } from 'kafkajs';
import { waitFor, type WaitOptions } from './wait-for.js';

/**
 * Commits the current end of `topics` for `groupId`, so a consumer group that starts afterwards reads
 * only what is published from now on — not every earlier test's events on the shared topics. (Services
 * start new groups at the earliest offset, as seed 000 configures; tests must not replay history.)
 */
export async function startGroupAtEnd(kafka: Kafka, groupId: string, topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((topic) => !existing.has(topic));
    if (missing.length) {
      await admin
        .createTopics({ topics: missing.map((topic) => ({ topic, numPartitions: 3 })), waitForLeaders: true })
        .catch(() => undefined);
    }
    // The commit goes through a member of the group: a rebalance between its joining and its commit
    // (its session lapsing on a busy machine) refuses it with a stale generation. Join and commit again.
    for (let attempt = 1; ; attempt += 1) {
      try {
        const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
        let joined = false;
        consumer.on(consumer.events.GROUP_JOIN, () => {
          joined = true;
        });
        await consumer.connect();
        try {
          await retryingKafka(() => consumer.subscribe({ topics, fromBeginning: false }));
          await consumer.run({ autoCommit: false, eachMessage: async () => undefined });
          await waitFor(() => joined, { timeoutMs: 30_000, description: `${groupId} joining` });
          const offsets = (
            await Promise.all(
              topics.map(async (topic) =>
                (await retryingKafka(() => admin.fetchTopicOffsets(topic))).map(({ partition, high }) => ({
                  topic,
                  partition,
                  offset: high,
                })),
              ),
            )
          ).flat();
          await consumer.commitOffsets(offsets);
        } finally {
          await consumer.disconnect();
        }
        return;
      } catch (error) {
        if (attempt >= 5 || !isRebalance(error)) throw error;
      }
    }
  } finally {
    await admin.disconnect();
  }
}

/**
 * Waits until consumer group `groupId` has committed the end of every partition of `topics`, i.e.
 * has consumed everything published to them so far. On timeout the error names the partitions behind.
 */
export async function waitUntilConsumed(
  kafka: Kafka,
  groupId: string,
  topics: string[],
  options: WaitOptions = {},
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    let lagging = '';
    await waitFor(
      async () => {
        const behind: string[] = [];
        for (const topic of topics) {
          const ends = await retryingKafka(() => admin.fetchTopicOffsets(topic));
          const [committed] = await retryingKafka(() => admin.fetchOffsets({ groupId, topics: [topic] }));
          for (const end of ends) {
            const at = committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
            if (Number(at) < Number(end.high))
              behind.push(`${topic}[${end.partition}] at ${at} of ${end.high}`);
          }
        }
        lagging = behind.join(', ');
        return behind.length === 0;
      },
      { timeoutMs: 30_000, description: `${groupId} to consume every published event`, ...options },
    ).catch((error: Error) => {
      throw new Error(`${error.message}: ${lagging}`);
    });
  } finally {
    await admin.disconnect();
  }
}

/** Waits between two tries of a Kafka admin call: 100 ms doubling to 1 s, with jitter. */
const KAFKA_RETRY_BACKOFF = { initialMs: 100, maxMs: 1000 } as const;

/**
 * Retries a Kafka admin call that failed with a retriable broker error — typically "not the leader"
 * right after the topic was created, while its partitions' leadership settles. At most `attempts`
 * calls; the last error is thrown.
 */
export async function retryingKafka<T>(
  call: () => Promise<T>,
  attempts = 10,
  random: () => number = Math.random,
): Promise<T> {
  const backoff = new Backoff(KAFKA_RETRY_BACKOFF, random);
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= attempts || !(error as { retriable?: boolean }).retriable) throw error;
      await sleep(backoff.next());
    }
  }
}

/** A commit or heartbeat refused because the group moved on to another generation meanwhile. */
function isRebalance(error: unknown): boolean {
  for (
    let cause = error as { type?: string; cause?: unknown } | undefined;
    cause;
    cause = cause.cause as typeof cause
  ) {
    if (['ILLEGAL_GENERATION', 'REBALANCE_IN_PROGRESS', 'UNKNOWN_MEMBER_ID'].includes(cause.type ?? ''))
      return true;
  }
  return false;
}
