import { topicOf } from '@fv/contracts';
import { EventConsumer, NonRetriableError, type EventCodec } from '@fv/messaging';
import { createLogger } from '@fv/service-kit';
import { startGroupAtEnd, uniqueName, waitFor, type TestDatabase } from '@fv/testing';
import type { Kafka } from 'kafkajs';
import { platformDlqTopics } from '../../src/dlq/dead-letter-ledger.js';
import { ledgerGroupOf } from '../../src/dlq/dead-letters.js';
import type { CoordinationRuntime } from '../../src/runtime.js';
import { startCoordination } from '../support.js';

/**
 * The coordination service with its dead-letter ledger on. The ledger's group starts at the end of the
 * dead-letter topics, so only what this suite dead-letters is recorded (not every earlier test's).
 */
export async function startWithLedger(kafka: Kafka, database: TestDatabase): Promise<CoordinationRuntime> {
  const serviceName = uniqueName('coordination');
  await startGroupAtEnd(kafka, ledgerGroupOf(serviceName), platformDlqTopics());
  const runtime = await startCoordination(database, {
    SERVICE_NAME: serviceName,
    DLQ_LEDGER_ENABLED: 'true',
    LIVE_CONFIG: 'false',
  });
  await waitFor(() => runtime.components.deadLetters.ledger.joined, {
    timeoutMs: 60_000,
    description: 'the dead-letter ledger joining its group',
  });
  return runtime;
}

/**
 * A consumer of OrderCreated as a participant service runs it (the EventConsumer of @fv/messaging, its
 * own group, idempotency records in the given database): it rejects, for good, the orders in `poisoned`
 * — so they are dead-lettered — and records every event it applies.
 */
export class OrderCreatedParticipant {
  readonly groupId = uniqueName('participant');
  readonly poisoned = new Set<string>();
  /** Event ids the handler applied, in the order applied. */
  readonly applied: string[] = [];
  private readonly consumer: EventConsumer;

  constructor(
    private readonly kafka: Kafka,
    codec: EventCodec,
    db: CoordinationRuntime['context']['prisma'],
  ) {
    this.consumer = new EventConsumer({
      kafka,
      codec,
      db,
      logger: createLogger({ service: 'participant', version: '0', level: 'fatal' }),
      groupId: this.groupId,
      retry: { delaysMs: [] },
      handlers: {
        OrderCreated: async (event) => {
          if (this.poisoned.has(event.orderId))
            throw new NonRetriableError(`order ${event.orderId} is refused by the test`, 'ORDER_REFUSED');
          this.applied.push(event.eventId);
        },
      },
    });
  }

  async start(): Promise<this> {
    await startGroupAtEnd(this.kafka, this.groupId, [topicOf('OrderCreated')]);
    await this.consumer.start();
    await waitFor(() => this.consumer.joined, { timeoutMs: 60_000, description: 'the participant joining' });
    return this;
  }

  stats() {
    return this.consumer.stats();
  }

  stop(): Promise<void> {
    return this.consumer.stop();
  }
}

/** The value of one series of the Prometheus text, or undefined when it is absent. */
export function metricValue(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const match = /^[^{]+\{([^}]*)\}\s+(\S+)/.exec(line);
    if (!match) continue;
    const found = Object.fromEntries(
      [...match[1]!.matchAll(/(\w+)="([^"]*)"/g)].map(([, key, value]) => [key!, value!]),
    );
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[2]);
  }
  return undefined;
}
