import type { HealthCheck } from '@fv/service-kit';
import {
  idempotencyPurge,
  type ConsumerDefinition,
  perInstance,
  type DueTimeTask,
  type ServiceContext,
  type ServiceDefinition,
} from '@fv/service-runtime';
import { PrismaClient } from './generated/prisma/client.js';
import { assertConsistentConfig, ordersConfigSchema, type OrdersConfig } from './config.js';
import { onCompensationRequested } from './events/on-compensation-requested.js';
import { onDeliveryScheduledDeadLettered, onInventoryReservedDeadLettered } from './events/on-dead-letter.js';
import { onDeliveryScheduled } from './events/on-delivery-scheduled.js';
import { onDeliverySchedulingFailed } from './events/on-delivery-scheduling-failed.js';
import { onInventoryReservationFailed } from './events/on-inventory-reservation-failed.js';
import { onInventoryReserved } from './events/on-inventory-reserved.js';
import { onPriceChanged } from './events/on-price-changed.js';
import { onProductCreated } from './events/on-product-created.js';
import { onProductDeleted } from './events/on-product-deleted.js';
import { onProductUpdated } from './events/on-product-updated.js';
import { onReturnReceived } from './events/on-return-received.js';
import { onStepRetryRequested } from './events/on-step-retry-requested.js';
import { HttpPaymentProvider } from './payment/http-payment-provider.js';
import { PaymentGateway } from './payment/payment-gateway.js';
import type { PaymentProvider } from './payment/payment-provider.js';
import { registerOrderMetrics } from './routes/order-metrics.js';
import { registerPaymentMetrics } from './payment/payment-metrics.js';
import { orderEventsRoutes, type OrderEventsOptions } from './routes/order-events.js';
import { couponsRoutes } from './routes/coupons.js';
import { ordersRoutes } from './routes/orders.js';
import type { OrdersDeps } from './use-cases/orders-deps.js';
import { paymentRecovery } from './use-cases/payment-recovery.js';
import { returnRefundRetries } from './use-cases/return-refund-retries.js';

type Context = ServiceContext<PrismaClient, OrdersConfig>;

export interface OrdersServiceOptions {
  /** The payment provider adapter; by default the provider's HTTP API at PAYMENT_PROVIDER_URL. */
  paymentProvider?: PaymentProvider;
  /** The clock payment retries and the provider's patience are judged by (default: the system clock). */
  now?: () => number;
  /** How `GET /orders/{id}/events` streams look for changes and keep idle connections open. */
  orderEvents?: OrderEventsOptions;
}

const HOUR_MS = 60 * 60 * 1000;

/** The orders service: orders over the order saga, with payment through a provider adapter. */
export function createOrdersService(
  options: OrdersServiceOptions = {},
): ServiceDefinition<PrismaClient, OrdersConfig> {
  const retryLoopsOf = perInstance((context: Context): DueTimeTask[] => [
    // Retries saga payment calls that met an unavailable provider, and finishes those a crash left.
    paymentRecovery(context, depsOf(context), { minDelayMs: context.config.PAYMENT_RECOVERY_INTERVAL_MS }),
    // Attempts again the refunds of returns whose last attempt failed, once their backoff is over.
    returnRefundRetries(context, depsOf(context), {
      minDelayMs: context.config.PAYMENT_RECOVERY_INTERVAL_MS,
    }),
  ]);
  const depsOf = perInstance((context: Context): OrdersDeps => {
    const { config } = context;
    assertConsistentConfig(config);
    return {
      config,
      prisma: context.prisma,
      outbox: context.outbox,
      logger: context.logger,
      now: options.now ?? Date.now,
      sql: context.sql,
      // Every store writes with SQL only (typed Db): requests' transactions skip Prisma as the consumers' do.
      transaction: (fn) => context.directTransaction(fn),
      retryDueBy: (at) => {
        for (const loop of retryLoopsOf(context)) loop.dueBy(at);
      },
      gateway: paymentGateway(context, options.paymentProvider),
    };
  });

  return {
    name: 'orders',
    port: 8084,
    configSchema: ordersConfigSchema,
    migrationsDir: new URL('../prisma/migrations', import.meta.url).pathname,
    createPrisma: (adapter) => new PrismaClient({ adapter }),
    tags: ['orders', 'payments'],
    routes: (app, context) => {
      ordersRoutes(app, depsOf(context));
      couponsRoutes(app, depsOf(context));
      orderEventsRoutes(app, depsOf(context), options.orderEvents);
      registerPaymentMetrics(app.metrics, depsOf(context));
      registerOrderMetrics(app.metrics, depsOf(context));
    },
    consumers: (context) => ordersConsumers(context, depsOf(context)),
    // Forgets first answers to X-Idempotency-Key once they are IDEMPOTENCY_KEY_TTL_HOURS old.
    background: (context) => [
      idempotencyPurge(context, { ttlMs: context.config.IDEMPOTENCY_KEY_TTL_HOURS * HOUR_MS }),
      ...retryLoopsOf(context),
    ],
    healthChecks: (context) => [paymentProviderCheck(() => depsOf(context).gateway)],
  };
}

/** The payment gateway: the provider adapter behind retries, a timeout and a circuit breaker. */
function paymentGateway(context: Context, provider: PaymentProvider | undefined): PaymentGateway {
  const { config } = context;
  return new PaymentGateway({
    provider: provider ?? new HttpPaymentProvider(config.PAYMENT_PROVIDER_URL),
    timeoutMs: config.PAYMENT_TIMEOUT_MS,
    retryDelaysMs: config.PAYMENT_RETRY_DELAYS_MS,
    circuit: {
      failureThreshold: config.PAYMENT_CIRCUIT_FAILURE_THRESHOLD,
      windowMs: config.PAYMENT_CIRCUIT_WINDOW_MS,
      openMs: config.PAYMENT_CIRCUIT_OPEN_MS,
      minFailureRate: config.PAYMENT_CIRCUIT_MIN_FAILURE_RATE,
    },
    logger: context.logger.child({ component: 'payment' }),
  });
}

/** The saga's events, and the catalog's that keep the price list, each in a consumer group of its own. */
function ordersConsumers(context: Context, orders: OrdersDeps): ConsumerDefinition[] {
  return [
    {
      // The stores write with SQL only: the consumers' transactions skip Prisma (docs/performance.md).
      transactions: 'direct',
      handlers: {
        InventoryReserved: onInventoryReserved(orders),
        InventoryReservationFailed: onInventoryReservationFailed(),
        DeliveryScheduled: onDeliveryScheduled(orders),
        DeliverySchedulingFailed: onDeliverySchedulingFailed(),
        CompensationRequested: onCompensationRequested(orders),
        StepRetryRequested: onStepRetryRequested(orders),
        ReturnReceived: onReturnReceived(orders),
      },
      // A step whose event was dead-lettered still gets its answer: a payment that failed, or a
      // capture left to the recovery sweeper.
      deadLetterHandlers: {
        InventoryReserved: onInventoryReservedDeadLettered(orders),
        DeliveryScheduled: onDeliveryScheduledDeadLettered(orders),
      },
    },
    {
      // The price list has a group of its own, so catalog updates never wait behind a payment.
      groupId: `${context.config.SERVICE_NAME}-price-list`,
      transactions: 'direct',
      handlers: {
        ProductCreated: onProductCreated(),
        ProductUpdated: onProductUpdated(),
        PriceChanged: onPriceChanged(),
        ProductDeleted: onProductDeleted(),
      },
    },
  ];
}

/** The payment provider's health, as its circuit breaker sees it (not critical: orders are still taken). */
function paymentProviderCheck(gatewayOf: () => PaymentGateway): HealthCheck {
  return {
    name: 'payment-provider',
    critical: false,
    async check() {
      const gateway = gatewayOf();
      const circuit = gateway.circuitState;
      return {
        status: circuit === 'OPEN' ? 'DOWN' : 'UP',
        details: { provider: gateway.providerName, circuit },
      };
    },
  };
}

export const ordersService = createOrdersService();
