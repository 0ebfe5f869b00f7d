import { randomUUID } from 'node:crypto';
import { topicOf, type EventMap, type EventName, type EventPayload } from '@fv/contracts';
import { EventCodec, createKafka, ensureTopics } from '@fv/messaging';
import { signToken } from '@fv/service-kit';
import { createServiceRuntime, type ServiceRuntime } from '@fv/service-runtime';
import {
  EventCollector,
  createTestDatabase,
  startGroupAtEnd,
  uniqueName,
  waitFor,
  type TestDatabase,
} from '@fv/testing';
import type { Kafka, Producer } from 'kafkajs';
import pino from 'pino';
import type { OrdersConfig } from '../src/config.js';
import type { PrismaClient } from '../src/generated/prisma/client.js';
import { startProvider, type TestProvider } from '@fv/payment-provider/testing';
import { createOrdersService } from '../src/service.js';

export const JWT_SECRET = 'orders-test-secret-0123456789';
const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export function bearer(sub: string, roles: ('customer' | 'admin' | 'service')[]): string {
  return `Bearer ${signToken(JWT_SECRET, { sub, roles, expiresIn: 600 })}`;
}

/** Events this service publishes, read back from the broker. */
export const PRODUCED: EventName[] = [
  'OrderCreated',
  'PaymentProcessed',
  'PaymentFailed',
  'OrderConfirmed',
  'OrderCompleted',
  'OrderCancelled',
  'OrderFailed',
  'OrderRefunded',
  'PaymentVoided',
  'PaymentRefunded',
  'PaymentRefundFailed',
  'SplitPaymentProcessed',
  'CouponApplied',
  'CouponRejected',
  'CouponReleased',
  'CompensationOutcome',
];

/** Events this service consumes. */
export const CONSUMED: EventName[] = [
  'InventoryReserved',
  'InventoryReservationFailed',
  'DeliveryScheduled',
  'DeliverySchedulingFailed',
  'CompensationRequested',
  'StepRetryRequested',
  'ReturnReceived',
  'ProductCreated',
  'ProductUpdated',
  'PriceChanged',
  'ProductDeleted',
];

/** The events that name the order they are about in an `orderId` field. */
export type OrderEventName = {
  [N in EventName]: EventMap[N] extends { orderId: string } ? N : never;
}[EventName];

export interface Harness {
  runtime: ServiceRuntime<PrismaClient, OrdersConfig>;
  prisma: PrismaClient;
  provider: TestProvider;
  /** Another orders runtime on the same database and provider (the first one's process state is not shared). */
  restart(): Promise<ServiceRuntime<PrismaClient, OrdersConfig>>;
  kafka: Kafka;
  codec: EventCodec;
  collector: EventCollector;
  dlq: EventCollector;
  /** Publishes an event as the service that owns it would; returns the full event. */
  publish<N extends EventName>(
    name: N,
    payload: EventPayload<N>,
    meta: { correlationId: string; eventId?: string; producer?: string; occurredAt?: number },
  ): Promise<EventMap[N]>;
  /** Waits for an event of `name` on the broker matching `predicate`. */
  received<N extends EventName>(
    name: N,
    predicate: (event: EventMap[N]) => boolean,
    description: string,
  ): Promise<EventMap[N]>;
  /** Waits for an event of `name` about the order `orderId` on the broker. */
  receivedFor<N extends OrderEventName>(name: N, orderId: string, description?: string): Promise<EventMap[N]>;
  /** Waits until the service has applied (or skipped as already applied) the event `eventId`. */
  consumed(eventId: string): Promise<void>;
  /** Events of `name` for `orderId` the service has committed to its outbox (whether relayed yet or not). */
  committed(name: EventName, orderId: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/**
 * The orders service on the shared broker, registry and PostgreSQL, with a database of its own and
 * consumer groups that start at the end of every topic (so other runs' events are not replayed).
 */
export async function startOrders(name: string, env: Record<string, string> = {}): Promise<Harness> {
  const provider = await startProvider(name);
  const database: TestDatabase = await createTestDatabase({ name });
  if (database.target.kind !== 'postgres')
    throw new Error('the orders integration tests need the PostgreSQL server');
  const serviceName = uniqueName(`orders-${name}`);
  const kafka = createKafka({ clientId: serviceName, brokers: process.env.KAFKA_BROKERS!, logger });
  const codec = new EventCodec(process.env.SCHEMA_REGISTRY_URL!);

  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(
      admin,
      [...CONSUMED, ...PRODUCED].map((event) => topicOf(event)),
      { withDeadLetter: true },
    );
    const consumed = CONSUMED.map((event) => topicOf(event));
    await Promise.all(
      [serviceName, `${serviceName}-price-list`].map((groupId) => startGroupAtEnd(kafka, groupId, consumed)),
    );
  } finally {
    await admin.disconnect();
  }
  const collector = await new EventCollector(
    kafka,
    PRODUCED.map((event) => topicOf(event)),
  ).start();
  const dlq = await new EventCollector(
    kafka,
    CONSUMED.map((event) => `${topicOf(event)}.DLQ`),
  ).start();
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();

  const runtimeEnv = {
    SERVICE_NAME: serviceName,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'fatal',
    NODE_ENV: 'test',
    JWT_SECRET,
    DATABASE_URL: database.target.url,
    KAFKA_BROKERS: process.env.KAFKA_BROKERS,
    SCHEMA_REGISTRY_URL: process.env.SCHEMA_REGISTRY_URL,
    SERVICE_REGISTRATION: 'false',
    LIVE_CONFIG: 'false',
    PAYMENT_PROVIDER_URL: provider.url,
    PAYMENT_TIMEOUT_MS: '300',
    PAYMENT_RETRY_DELAYS_MS: '20,40,80',
    PAYMENT_CIRCUIT_FAILURE_THRESHOLD: '50',
    PAYMENT_CIRCUIT_OPEN_MS: '500',
    PAYMENT_RECOVERY_INTERVAL_MS: '200',
    PAYMENT_RECOVERY_BACKOFF_MAX_MS: '1000',
    PAYMENT_RECOVERY_AFTER_MS: '20000',
    // Short, so a provider that never comes back fails an authorization within a test.
    PAYMENT_PROVIDER_PATIENCE_MS: '1500',
    ...env,
  };
  let runtime = await createServiceRuntime(createOrdersService(), { env: runtimeEnv });
  await runtime.start();
  await waitFor(async () => (await runtime.app.inject({ url: '/health/ready' })).statusCode === 200, {
    timeoutMs: 30_000,
    description: 'readiness',
  });
  await waitFor(() => runtime.consumers.every((consumer) => consumer.joined), {
    timeoutMs: 30_000,
    description: 'the consumers joining their groups',
  });

  const decoded = new Map<string, EventMap[EventName]>();
  const decode = async (message: {
    topic: string;
    partition: number;
    offset: string;
    value: Buffer | null;
  }) => {
    const id = `${message.topic}:${message.partition}:${message.offset}`;
    if (!decoded.has(id)) decoded.set(id, (await codec.decode(message.topic, message.value)).event);
    return decoded.get(id)!;
  };

  const harness: Harness = {
    runtime,
    prisma: runtime.context.prisma,
    provider,
    async restart() {
      await runtime.stop();
      runtime = await createServiceRuntime(createOrdersService(), { env: runtimeEnv });
      await runtime.start();
      await waitFor(async () => (await runtime.app.inject({ url: '/health/ready' })).statusCode === 200, {
        timeoutMs: 30_000,
        description: 'readiness after the restart',
      });
      await waitFor(() => runtime.consumers.every((consumer) => consumer.joined), {
        timeoutMs: 60_000,
        description: 'the consumers joining their groups after the restart',
      });
      harness.runtime = runtime;
      harness.prisma = runtime.context.prisma;
      return runtime;
    },
    kafka,
    codec,
    collector,
    dlq,
    async publish(name, payload, meta) {
      const event = {
        ...payload,
        eventId: meta.eventId ?? randomUUID(),
        occurredAt: meta.occurredAt ?? Date.now(),
        correlationId: meta.correlationId,
        causationId: null,
        producer: meta.producer ?? 'orders-test',
      } as unknown as EventMap[typeof name];
      await producer.send({
        topic: topicOf(name),
        acks: -1,
        messages: [
          {
            key: meta.correlationId,
            value: await codec.encode(name, event),
            headers: { 'event-id': event.eventId, 'event-name': name, 'correlation-id': meta.correlationId },
          },
        ],
      });
      return event;
    },
    async received(name, predicate, description) {
      const topic = topicOf(name);
      return waitFor(
        async () => {
          for (const message of collector.messages.filter((m) => m.topic === topic)) {
            const event = (await decode(message)) as EventMap[typeof name];
            if (predicate(event)) return event;
          }
          return undefined;
        },
        { timeoutMs: 20_000, description },
      );
    },
    receivedFor(name, orderId, description = name) {
      return harness.received(name, (event) => event.orderId === orderId, description);
    },
    async consumed(eventId) {
      await waitFor(async () => (await harness.prisma.processedEvent.count({ where: { eventId } })) > 0, {
        description: `event ${eventId} to be consumed`,
      });
    },
    async committed(name, orderId) {
      const rows = await harness.runtime.context.prisma.outboxEvent.findMany({
        where: { eventName: name, messageKey: orderId },
        orderBy: { position: 'asc' },
      });
      return rows.map((row) => row.payload as Record<string, unknown>);
    },
    async close() {
      await Promise.all([runtime.stop(), producer.disconnect(), collector.stop(), dlq.stop()]);
      await database.dispose();
      await provider.close();
    },
  };
  return harness;
}
