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
import type { NotificationsConfig } from '../src/config.js';
import type { PrismaClient } from '../src/generated/prisma/client.js';
import { createNotificationsService, type NotificationsServiceOptions } from '../src/service.js';

export const JWT_SECRET = 'notifications-test-secret-0123456789';

export function bearer(sub: string, roles: Role[]): string {
  return `Bearer ${signToken(JWT_SECRET, { sub, roles, expiresIn: 600 })}`;
}

export const serviceToken = bearer('orders', ['service']);
export const adminToken = bearer('operator-1', ['admin']);

export const CONSUMED: EventName[] = [
  'OrderCreated',
  'OrderConfirmed',
  'DeliveryScheduled',
  'ShipmentDispatched',
  'ShipmentDelivered',
  'OrderCancelled',
  'PaymentFailed',
  'OrderRefunded',
  'CompensationRequested',
  'StepRetryRequested',
];
export const PRODUCED: EventName[] = ['NotificationSent', 'NotificationFailed', 'CompensationOutcome'];

/**
 * One notifications service on the local stack (own database, own consumer group), a producer that
 * publishes what other services would, and collectors of what notifications publishes and dead-letters.
 */
export class NotificationsHarness extends ServiceEventsHarness {
  runtime!: ServiceRuntime<PrismaClient, NotificationsConfig>;
  database!: TestDatabase;
  deadLetters!: EventCollector;
  protected readonly eventSource = 'notifications-test';
  protected readonly consumedEvents = CONSUMED;

  async start(options: NotificationsServiceOptions = {}, env: Record<string, string> = {}): Promise<this> {
    this.database = await createTestDatabase({ name: 'notifications' });
    if (this.database.target.kind !== 'postgres')
      throw new Error('the notifications integration tests need PostgreSQL');
    const serviceName = uniqueName('notifications');
    const logger = createLogger({ service: serviceName, version: 'test', level: 'fatal' });
    this.kafka = createKafka({
      clientId: uniqueName('notifications-test'),
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
    this.runtime = await createServiceRuntime(createNotificationsService(options), {
      env: {
        SERVICE_NAME: serviceName,
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'fatal',
        NODE_ENV: 'test',
        JWT_SECRET,
        NOTIFICATION_RETRY_BASE_MS: '50',
        NOTIFICATION_RETRY_MAX_MS: '200',
        NOTIFICATION_MAX_ATTEMPTS: '3',
        NOTIFICATION_POLL_INTERVAL_MS: '50',
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
      description: 'notifications readiness',
    });
    await waitFor(() => this.runtime.consumers.every((consumer) => consumer.joined), {
      timeoutMs: 30_000,
      description: 'notifications consumers joining their group',
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

export function orderCreated(
  orderId: string,
  customerId: string,
  overrides: Partial<EventPayload<'OrderCreated'>> = {},
): EventPayload<'OrderCreated'> {
  return {
    orderId,
    customerId,
    customerEmail: 'ada@example.com',
    items: [{ productId: 'prod-lamp', sku: 'LAMP-1', quantity: 2, unitPrice: '49.99', warehouseId: null }],
    totalAmount: '99.98',
    currency: 'USD',
    paymentMethod: 'CREDIT_CARD',
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
    options: null,
    metadata: {},
    ...overrides,
  };
}

export function orderConfirmed(
  orderId: string,
  customerId: string,
  overrides: Partial<EventPayload<'OrderConfirmed'>> = {},
): EventPayload<'OrderConfirmed'> {
  return {
    orderId,
    customerId,
    customerEmail: 'ada@example.com',
    items: [{ productId: 'prod-lamp', sku: 'LAMP-1', quantity: 2, unitPrice: '49.99', warehouseId: null }],
    totalAmount: '99.98',
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

export function notifyCustomerRequest(orderId: string, attempt = 1): EventPayload<'CompensationRequested'> {
  return {
    sagaId: randomUUID(),
    workflowId: randomUUID(),
    orderId,
    action: 'NOTIFY_CUSTOMER',
    attempt,
    reason: 'PAYMENT_FAILED',
    parameters: {},
  };
}
