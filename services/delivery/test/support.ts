import { randomUUID } from 'node:crypto';
import { dlqTopicOf, topicOf, type EventName, type EventPayload } from '@fv/contracts';
import { EventCodec, createKafka } from '@fv/messaging';
import { createLogger, signToken, type Role } from '@fv/service-kit';
import { createServiceRuntime, type ServiceRuntime } from '@fv/service-runtime';
import {
  EventCollector,
  ServiceEventsHarness,
  createTestDatabase,
  startGroupAtEnd,
  uniqueName,
  waitFor,
  type TestDatabase,
} from '@fv/testing';
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

export const CONSUMED: EventName[] = ['OrderConfirmed', 'CompensationRequested', 'StepRetryRequested'];
export const PRODUCED: EventName[] = [
  'DeliveryScheduled',
  'DeliverySchedulingFailed',
  'ShipmentCancelled',
  'ShipmentDispatched',
  'ShipmentDelivered',
  'ReturnRequested',
  'ReturnReceived',
  'CompensationOutcome',
];

/**
 * One delivery service on the local stack (own database, own consumer group), a producer that
 * publishes what other services would, and collectors of what delivery publishes and dead-letters.
 */
export class DeliveryHarness extends ServiceEventsHarness {
  runtime!: ServiceRuntime<PrismaClient, DeliveryConfig>;
  database!: TestDatabase;
  deadLetters!: EventCollector;
  protected readonly eventSource = 'delivery-test';
  protected readonly consumedEvents = CONSUMED;

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
        NODE_ENV: 'test',
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

  protected consumerGroup(): string {
    return this.runtime.context.config.SERVICE_NAME;
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
