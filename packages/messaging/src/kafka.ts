import { Kafka, logLevel, type Admin, type ITopicConfig, type LogEntry } from 'kafkajs';
import type { Logger } from 'pino';

export interface KafkaOptions {
  clientId: string;
  /** Comma-separated `host:port` list, as in KAFKA_BROKERS. */
  brokers: string | string[];
  logger: Logger;
  connectionTimeoutMs?: number;
}

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** A kafkajs client whose logs go to the service's pino logger. */
export function createKafka(options: KafkaOptions): Kafka {
  const brokers = (Array.isArray(options.brokers) ? options.brokers : options.brokers.split(','))
    .map((broker) => broker.trim())
    .filter(Boolean);
  const log = options.logger.child({ component: 'kafka' });
  return new Kafka({
    clientId: options.clientId,
    brokers,
    connectionTimeout: options.connectionTimeoutMs ?? 3000,
    logLevel: logLevel.WARN,
    retry: { initialRetryTime: 300, retries: 8 },
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...rest } = entry;
        log[LEVELS[level] ?? 'info'](rest, message);
      },
  });
}

/** Creates the topics that do not exist yet (and their dead-letter topics when asked). */
export async function ensureTopics(
  admin: Admin,
  topics: string[],
  options: { numPartitions?: number; replicationFactor?: number; withDeadLetter?: boolean } = {},
): Promise<string[]> {
  const wanted = new Set(topics);
  if (options.withDeadLetter) for (const topic of topics) wanted.add(`${topic}.DLQ`);
  const existing = new Set(await admin.listTopics());
  const missing: ITopicConfig[] = [...wanted]
    .filter((topic) => !existing.has(topic))
    .map((topic) => ({
      topic,
      numPartitions: options.numPartitions ?? 3,
      replicationFactor: options.replicationFactor ?? 1,
    }));
  if (missing.length === 0) return [];
  try {
    await admin.createTopics({ topics: missing, waitForLeaders: true });
  } catch (error) {
    // Another process created some of them in between: only fail if one is still missing.
    const now = new Set(await admin.listTopics());
    const still = missing.filter((t) => !now.has(t.topic));
    if (still.length > 0) throw error;
  }
  return missing.map((t) => t.topic);
}

/** A readiness check: the broker answers a metadata request in time. */
export function brokerHealthCheck(kafka: Kafka, timeoutMs = 2000) {
  let admin: Admin | null = null;
  return {
    name: 'broker',
    async check(): Promise<{ details: { brokers: number; controller: number | null } }> {
      admin ??= kafka.admin();
      const attempt = (async () => {
        await admin!.connect();
        const cluster = await admin!.describeCluster();
        return { details: { brokers: cluster.brokers.length, controller: cluster.controller } };
      })();
      let timer: NodeJS.Timeout | undefined;
      try {
        return await Promise.race([
          attempt,
          new Promise<never>((_, reject) => {
            timer = setTimeout(
              () => reject(new Error(`broker did not answer within ${timeoutMs} ms`)),
              timeoutMs,
            );
          }),
        ]);
      } catch (error) {
        // Start from a fresh connection next time.
        const stale = admin;
        admin = null;
        attempt.catch(() => undefined);
        await stale?.disconnect().catch(() => undefined);
        throw error;
      } finally {
        clearTimeout(timer);
      }
    },
    async close(): Promise<void> {
      await admin?.disconnect();
      admin = null;
    },
  };
}
