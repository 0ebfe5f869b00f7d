import { randomUUID } from 'node:crypto';
import { dlqTopicOf, topicOf, type EventMap, type EventName, type EventPayload } from '@fv/contracts';
import { EventCodec, createKafka } from '@fv/messaging';
import { createLogger, signToken, type Role } from '@fv/service-kit';
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
import type { DeliveryConfig } from '../src/config.js';
import type { PrismaClient } from '../src/generated/prisma/client.js';
import { createDeliveryService, type DeliveryServiceOptions } from '../src/service.js';

export const JWT_SECRET = 'delivery-test-secret-0123456789';
export const WEBHOOK_SECRET = 'carrier-webhook-secret-0123456789';

export function bearer(sub: string, roles: Role[]): string {
  return `Bearer ${signToken(JWT_SECRET, { sub, roles, expiresIn: 600 })}`;
}

export const serviceToken = bearer('orders', ['service']);
export const adminToken = bearer('operator-1', ['admin']);

export const CONSUMED: EventName[] = ['OrderConfirmed', 'CompensationRequested'];
export const PRODUCED: EventName[] = [
  'DeliveryScheduled',
  'DeliverySchedulingFailed',
  'ShipmentCancelled',
  'ShipmentDispatched',
  'ShipmentDelivered',
  'ReturnRequested',
  'ReturnReceived',
];

/**
 * One delivery service on the local stack (own database, own consumer group), a producer that
 * publishes what other services would, and collectors of what delivery publishes and dead-letters.
 */
export class DeliveryHarness {
  runtime!: ServiceRuntime<PrismaClient, DeliveryConfig>;
  database!: TestDatabase;
  kafka!: Kafka;
  codec!: EventCodec;
  producer!: Producer;
  events!: EventCollector;
  deadLetters!: EventCollector;

  async start(options: DeliveryServiceOptions = {}, env: Record<string, string> = {}): Promise<this> {
    this.database = await createTestDatabase({ name: 'delivery' });
    if (this.database.target.kind !== 'postgres')
      throw new Error('the delivery integration tests need PostgreSQL');
    const serviceName = uniqueName('delivery');
    const logger = createLogger({ service: serviceName, version: 'test', level: 'fatal' });
    this.kafka = createKafka({
      clientId: uniqueName('delivery-test'),
      brokers: process.env.KAFKA_BROKERS!,
      logger,
    });
    this.codec = new EventCodec(process.env.SCHEMA_REGISTRY_URL!);
    this.producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await this.producer.connect();
    // The consumed topics hold every earlier run's events: start this group at their end.
    await startGroupAtEnd(
      this.kafka,
      serviceName,
      CONSUMED.map((name) => topicOf(name)),
    );
    this.events = new EventCollector(
      this.kafka,
      PRODUCED.map((name) => topicOf(name)),
    );
    this.deadLetters = new EventCollector(
      this.kafka,
      CONSUMED.map((name) => dlqTopicOf(topicOf(name))),
    );
    const collecting = Promise.all([this.events.start(), this.deadLetters.start()]);
    this.runtime = await createServiceRuntime(createDeliveryService(options), {
      env: {
        SERVICE_NAME: serviceName,
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'fatal',
        JWT_SECRET,
        CARRIER_WEBHOOK_SECRET: WEBHOOK_SECRET,
        CARRIER_SUPPORTED_COUNTRIES: 'US,CA,GB,DE',
        PUBLIC_BASE_URL: 'http://delivery.test',
        DATABASE_URL: this.database.target.url,
        KAFKA_BROKERS: process.env.KAFKA_BROKERS!,
        SCHEMA_REGISTRY_URL: process.env.SCHEMA_REGISTRY_URL!,
        SERVICE_REGISTRATION: 'false',
        LIVE_CONFIG: 'false',
        EVENT_RETRY_DELAYS_MS: '50,100',
        ...env,
      },
    });
    await this.runtime.start();
    await collecting;
    await waitFor(async () => (await this.runtime.app.inject({ url: '/health/ready' })).statusCode === 200, {
      timeoutMs: 30_000,
      description: 'delivery readiness',
    });
    await waitFor(() => this.runtime.consumers.every((consumer) => consumer.joined), {
      timeoutMs: 30_000,
      description: 'delivery consumers joining their group',
    });
    return this;
  }

  get app() {
    return this.runtime.app;
  }

  get prisma() {
    return this.runtime.context.prisma;
  }

  async stop(): Promise<void> {
    await Promise.all([
      this.runtime?.stop(),
      this.events?.stop(),
      this.deadLetters?.stop(),
      this.producer?.disconnect(),
    ]);
    await this.database?.dispose();
  }

  /** Publishes an event as its producing service would (Avro, keyed by the correlation id). */
  async publish<N extends EventName>(
    name: N,
    payload: EventPayload<N>,
    envelope: Partial<EventMap[N]> = {},
  ): Promise<EventMap[N]> {
    const correlationId = (payload as { orderId?: string }).orderId ?? randomUUID();
    const event = {
      eventId: randomUUID(),
      occurredAt: Date.now(),
      correlationId,
      causationId: null,
      producer: 'delivery-test',
      ...payload,
      ...envelope,
    } as EventMap[N];
    await this.producer.send({
      topic: topicOf(name),
      acks: -1,
      messages: [
        {
          key: event.correlationId,
          value: await this.codec.encode(name, event),
          headers: { 'event-id': event.eventId },
        },
      ],
    });
    return event;
  }

  /** The decoded events delivery published of one kind, for one order (in the order they were read). */
  async published<N extends EventName>(name: N, orderId: string): Promise<EventMap[N][]> {
    const topic = topicOf(name);
    const decoded: EventMap[N][] = [];
    for (const message of this.events.messages.filter((m) => m.topic === topic && m.key === orderId)) {
      decoded.push((await this.codec.decode(topic, message.value)).event as EventMap[N]);
    }
    return decoded;
  }

  /** Waits until delivery has published `count` events of a kind for an order, and returns them. */
  async waitForPublished<N extends EventName>(name: N, orderId: string, count = 1): Promise<EventMap[N][]> {
    return waitFor(
      async () => {
        const found = await this.published(name, orderId);
        return found.length >= count ? found : undefined;
      },
      { timeoutMs: 30_000, description: `${count} ${name} event(s) for order ${orderId}` },
    );
  }

  /** Waits until every message published so far has been consumed (the group caught up), then returns. */
  async waitUntilConsumed(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const groupId = this.runtime.context.config.SERVICE_NAME;
      let lagging = '';
      await waitFor(
        async () => {
          const behind: string[] = [];
          for (const name of CONSUMED) {
            const topic = topicOf(name);
            const ends = await admin.fetchTopicOffsets(topic);
            const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
            for (const end of ends) {
              const at = committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
              if (Number(at) < Number(end.high))
                behind.push(`${topic}[${end.partition}] at ${at} of ${end.high}`);
            }
          }
          lagging = behind.join(', ');
          return behind.length === 0;
        },
        { timeoutMs: 30_000, description: 'delivery to consume every published event' },
      ).catch((error: Error) => {
        throw new Error(`${error.message}: ${lagging}`);
      });
    } finally {
      await admin.disconnect();
    }
  }
}

export function orderConfirmed(
  orderId: string,
  overrides: Partial<EventPayload<'OrderConfirmed'>> = {},
): EventPayload<'OrderConfirmed'> {
  return {
    orderId,
    customerId: randomUUID(),
    customerEmail: 'ada@example.com',
    items: [
      { productId: 'prod-lamp', sku: 'LAMP-1', quantity: 2, unitPrice: '49.99', warehouseId: 'wh-001' },
      { productId: 'prod-desk', sku: 'DESK-1', quantity: 1, unitPrice: '299.00', warehouseId: 'wh-001' },
    ],
    totalAmount: '398.98',
    currency: 'USD',
    reservationId: randomUUID(),
    paymentId: randomUUID(),
    shippingAddress: {
      name: 'Ada Lovelace',
      street: '123 Main St',
      city: 'New York',
      state: 'NY',
      zipCode: '10001',
      country: 'US',
      phone: '+12125550100',
    },
    shippingMethod: 'STANDARD',
    ...overrides,
  };
}

export function cancelShipmentRequest(orderId: string, attempt = 1): EventPayload<'CompensationRequested'> {
  return {
    sagaId: randomUUID(),
    workflowId: randomUUID(),
    orderId,
    action: 'CANCEL_SHIPMENT',
    attempt,
    reason: 'PAYMENT_FAILED',
    parameters: {},
  };
}
