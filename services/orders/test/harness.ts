import { runtimeHarness } from '@fv/service-runtime/testing';
import type { EventMap, EventName } from '@fv/contracts';
import { startProvider, type TestProvider } from '@fv/payment-provider/testing';
import { signToken } from '@fv/service-kit';
import type { ServiceRuntime } from '@fv/service-runtime';
import { ServiceHarness, waitFor } from '@fv/testing';
import type { OrdersConfig } from '../src/config.js';
import type { PrismaClient } from '../src/generated/prisma/client.js';
import { createOrdersService } from '../src/service.js';

export const JWT_SECRET = 'orders-test-secret-0123456789';

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

/**
 * The orders service on the shared broker, registry and PostgreSQL, with a database of its own, consumer
 * groups that start at the end of every topic (so other runs' events are not replayed), and a payment
 * provider of its own.
 */
export class OrdersHarness extends ServiceHarness<ServiceRuntime<PrismaClient, OrdersConfig>> {
  protected readonly eventSource = 'orders-test';
  protected readonly consumedEvents = CONSUMED;
  provider!: TestProvider;

  /** Starts orders as `orders-<name>`, with `env` over the test settings, and its payment provider. */
  async start(name: string, env: Record<string, string> = {}): Promise<this> {
    this.provider = await startProvider(name);
    return this.startService({
      service: `orders-${name}`,
      produced: PRODUCED,
      ...runtimeHarness(createOrdersService()),
      // The price list reads the catalog's events in a group of its own.
      consumerGroupSuffixes: ['-price-list'],
      env: {
        JWT_SECRET,
        PAYMENT_PROVIDER_URL: this.provider.url,
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
      },
    });
  }

  /** Waits for the first event of `name` the service published about the order `orderId`. */
  receivedFor<N extends OrderEventName>(
    name: N,
    orderId: string,
    description: string = name,
  ): Promise<EventMap[N]> {
    return this.received(name, (event) => (event as { orderId: string }).orderId === orderId, description);
  }

  /** Waits until the service has applied (or skipped as already applied) the event `eventId`. */
  async consumed(eventId: string): Promise<void> {
    await waitFor(async () => (await this.prisma.processedEvent.count({ where: { eventId } })) > 0, {
      description: `event ${eventId} to be consumed`,
    });
  }

  /** Events of `name` for `orderId` the service has committed to its outbox (whether relayed yet or not). */
  async committed(name: EventName, orderId: string): Promise<Record<string, unknown>[]> {
    const rows = await this.prisma.outboxEvent.findMany({
      where: { eventName: name, messageKey: orderId },
      orderBy: { position: 'asc' },
    });
    return rows.map((row) => row.payload as Record<string, unknown>);
  }

  override async stop(): Promise<void> {
    await super.stop();
    await this.provider?.close();
  }
}

/** Starts an orders harness (see `OrdersHarness.start`). */
export function startOrders(name: string, env: Record<string, string> = {}): Promise<OrdersHarness> {
  return new OrdersHarness().start(name, env);
}
