import type { Kafka, Producer, ProducerBatch, ProducerRecord, RecordMetadata } from 'kafkajs';
import { InfrastructureError, someCause } from './errors.js';

/**
 * Broker answers that say the producer's own state, not the messages, is wrong: the broker expects
 * another sequence number for a partition, or no longer knows (or has fenced) the producer id. They
 * come, for example, after a request whose acknowledgement was lost (the broker appended the batch,
 * the client did not learn it) is followed by a different batch from the same sequence number: the
 * broker takes it neither as a duplicate nor as the next batch. No retry with the same producer can
 * succeed; a new producer (a new producer id, sequences from zero) can.
 */
const PRODUCER_STATE_ERRORS = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'DUPLICATE_SEQUENCE_NUMBER',
  'INVALID_PRODUCER_EPOCH',
  'INVALID_PRODUCER_ID_MAPPING',
  'UNKNOWN_PRODUCER_ID',
  'PRODUCER_FENCED',
]);

/** True when the broker refused the producer's sequence or id (see `PRODUCER_STATE_ERRORS`). */
export function isProducerStateError(error: unknown): boolean {
  return someCause(error, (candidate) => {
    const type = (candidate as { type?: unknown }).type;
    return typeof type === 'string' && PRODUCER_STATE_ERRORS.has(type);
  });
}

export interface IdempotentProducerOptions {
  /** Whether sending to a missing topic lets the broker create it (kafkajs' default, true). */
  allowAutoTopicCreation?: boolean;
  /** Told when the producer is replaced, with the broker's answer. */
  onReplaced?: (error: unknown) => void;
}

/**
 * A kafkajs idempotent producer (acks=all, one request in flight, so one partition's messages land
 * in the order sent and a retried request is not appended twice) that replaces itself when the
 * broker refuses its sequence or id. The send that met the refusal fails with an
 * `InfrastructureError`, so callers treat it as an outage and send again: the next send goes out from
 * a new producer. What the old producer had appended may then be appended a second time; delivery is
 * at least once either way, and consumers discard a duplicate by its eventId.
 *
 * Connects on first use (or `connect()`); a failed connection is tried again by the next send.
 */
export class IdempotentProducer {
  private producer: Producer | null = null;
  private connecting: Promise<Producer> | null = null;
  /** Producers created so far (1 after the first connection; more after replacements). */
  generation = 0;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: IdempotentProducerOptions = {},
  ) {}

  async connect(): Promise<void> {
    await this.connected();
  }

  send(record: ProducerRecord): Promise<RecordMetadata[]> {
    return this.using((producer) => producer.send(record));
  }

  sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
    return this.using((producer) => producer.sendBatch(batch));
  }

  async disconnect(): Promise<void> {
    const producer = this.producer ?? (await this.connecting?.catch(() => null)) ?? null;
    this.producer = null;
    this.connecting = null;
    await producer?.disconnect();
  }

  private async using(send: (producer: Producer) => Promise<RecordMetadata[]>): Promise<RecordMetadata[]> {
    const producer = await this.connected();
    try {
      return await send(producer);
    } catch (error) {
      if (!isProducerStateError(error)) throw error;
      if (this.producer === producer) this.producer = null;
      await producer.disconnect().catch(() => undefined);
      this.options.onReplaced?.(error);
      throw new InfrastructureError(
        `the broker refused the producer's sequence (${(error as Error).message}); the next send uses a new producer`,
        { cause: error },
      );
    }
  }

  private connected(): Promise<Producer> {
    if (this.producer) return Promise.resolve(this.producer);
    if (!this.connecting) {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: this.options.allowAutoTopicCreation ?? true,
      });
      this.generation += 1;
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
}
