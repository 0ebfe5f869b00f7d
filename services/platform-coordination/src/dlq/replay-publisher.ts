import type { Kafka, Producer } from 'kafkajs';
import type { ReplayMessage } from './dead-letter-message.js';

/**
 * Sends replays straight to the broker with an idempotent producer (acks=all, one request in flight),
 * so the messages of one partition land in the order given and a retried request is not duplicated.
 * Connects on first use; a failed connection is tried again on the next replay.
 */
export class ReplayPublisher {
  readonly name = 'dead-letter replay producer';
  private producer: Producer | null = null;
  private connecting: Promise<Producer> | null = null;

  constructor(private readonly kafka: Kafka) {}

  /** Resolves once the broker acknowledged every message; consecutive messages of one topic go in one request. */
  async send(messages: readonly ReplayMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const producer = await this.connected();
    let run: ReplayMessage[] = [];
    const flush = async () => {
      if (run.length === 0) return;
      await producer.send({
        topic: run[0]!.topic,
        acks: -1,
        messages: run.map((message) => ({
          key: message.key,
          value: message.value,
          headers: message.headers,
          ...(message.partition === undefined ? {} : { partition: message.partition }),
        })),
      });
      run = [];
    };
    for (const message of messages) {
      if (run.length > 0 && run[0]!.topic !== message.topic) await flush();
      run.push(message);
    }
    await flush();
  }

  private connected(): Promise<Producer> {
    if (this.producer) return Promise.resolve(this.producer);
    if (!this.connecting) {
      const producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      this.connecting = producer.connect().then(
        () => {
          this.producer = producer;
          this.connecting = null;
          return producer;
        },
        async (error: unknown) => {
          this.connecting = null;
          await producer.disconnect().catch(() => undefined);
          throw error;
        },
      );
    }
    return this.connecting;
  }

  start(): void {}

  async close(): Promise<void> {
    const producer = this.producer ?? (await this.connecting?.catch(() => null)) ?? null;
    this.producer = null;
    await producer?.disconnect();
  }
}
