import type { Kafka } from 'kafkajs';
import { IdempotentProducer } from '@fv/messaging';
import type { ReplayMessage } from './domain/dead-letter-message.js';

/**
 * Sends replays straight to the broker with an idempotent producer (acks=all, one request in flight),
 * so the messages of one partition land in the order given and a retried request is not duplicated.
 * Connects on first use; a failed connection is tried again on the next replay, and a producer whose
 * sequence the broker refuses is replaced (the replay fails and may be asked for again).
 */
export class ReplayPublisher {
  readonly name = 'dead-letter replay producer';
  private readonly producer: IdempotentProducer;

  constructor(kafka: Kafka) {
    this.producer = new IdempotentProducer(kafka);
  }

  /** Resolves once the broker acknowledged every message; consecutive messages of one topic go in one request. */
  async send(messages: readonly ReplayMessage[]): Promise<void> {
    if (messages.length === 0) return;
    let run: ReplayMessage[] = [];
    const flush = async () => {
      if (run.length === 0) return;
      await this.producer.send({
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

  start(): void {}

  async close(): Promise<void> {
    await this.producer.disconnect();
  }
}
