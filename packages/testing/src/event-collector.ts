import { retryingKafka } from './consumer-offsets.js';
import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { uniqueName } from './unique.js';
import { waitFor, type WaitOptions } from './wait-for.js';

export interface CollectedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  timestamp: string;
}

/**
 * Reads topics with a throwaway consumer group (from the end, or the beginning when asked) and keeps
 * every message, so a test can wait for the one it expects.
 */
export class EventCollector {
  readonly messages: CollectedMessage[] = [];
  private readonly consumer: Consumer;
  private ready = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly topics: string[],
    private readonly options: { fromBeginning?: boolean } = {},
  ) {
    this.consumer = kafka.consumer({ groupId: uniqueName('collector'), allowAutoTopicCreation: true });
  }

  async start(): Promise<this> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = this.topics.filter((t) => !existing.has(t));
      if (missing.length) {
        await admin
          .createTopics({
            topics: missing.map((topic) => ({ topic, numPartitions: 3 })),
            waitForLeaders: true,
          })
          .catch(() => undefined);
      }
    } finally {
      await admin.disconnect();
    }
    await this.consumer.connect();
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
      this.ready = true;
    });
    // Right after a topic is created its metadata may lag; the broker answers with a retriable error.
    await retryingKafka(() =>
      this.consumer.subscribe({ topics: this.topics, fromBeginning: this.options.fromBeginning ?? false }),
    );
    await this.consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        this.messages.push(toCollected(topic, partition, message));
      },
    });
    await waitFor(() => this.ready, {
      timeoutMs: 30_000,
      description: `collector joining ${this.topics.join(', ')}`,
    });
    return this;
  }

  async waitFor(
    predicate: (message: CollectedMessage) => boolean,
    options?: WaitOptions,
  ): Promise<CollectedMessage> {
    return waitFor(() => this.messages.find(predicate), options);
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}

function toCollected(topic: string, partition: number, message: KafkaMessage): CollectedMessage {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) headers[name] = Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
  }
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key ? message.key.toString('utf8') : null,
    value: message.value,
    headers,
    timestamp: message.timestamp,
  };
}
