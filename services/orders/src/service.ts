import {
  idempotencyPurge,
  type ConsumerDefinition,
  type ServiceContext,
  type ServiceDefinition,
} from '@fv/service-runtime';
import { PrismaClient } from './generated/prisma/client.js';
import { assertConsistentConfig, ordersConfigSchema, type OrdersConfig } from './config.js';
import { onCompensationRequested } from './events/on-compensation-requested.js';
import { onDeliveryScheduled } from './events/on-delivery-scheduled.js';
import { onDeliverySchedulingFailed } from './events/on-delivery-scheduling-failed.js';
import { onInventoryReservationFailed } from './events/on-inventory-reservation-failed.js';
import { onInventoryReserved } from './events/on-inventory-reserved.js';
import { onPriceChanged } from './events/on-price-changed.js';
import { onProductCreated } from './events/on-product-created.js';
import { onProductDeleted } from './events/on-product-deleted.js';
import { onProductUpdated } from './events/on-product-updated.js';
import { PaymentGateway } from './payment/payment-gateway.js';
import type { PaymentProvider } from './payment/payment-provider.js';
import { PaymentSimulator } from './payment/payment-simulator.js';
import { ordersRoutes } from './routes/orders.js';
import type { OrdersDeps } from './use-cases/orders-deps.js';

type Context = ServiceContext<PrismaClient, OrdersConfig>;

export interface OrdersServiceOptions {
  /** The payment provider adapter; by default the one PAYMENT_PROVIDER names. */
  paymentProvider?: PaymentProvider;
}

function providerFor(config: OrdersConfig): PaymentProvider {
  switch (config.PAYMENT_PROVIDER) {
    case 'simulator':
      return new PaymentSimulator();
  }
}

const HOUR_MS = 60 * 60 * 1000;

/** The orders service: orders over the order saga, with payment through a provider adapter. */
export function createOrdersService(
  options: OrdersServiceOptions = {},
): ServiceDefinition<PrismaClient, OrdersConfig> {
  const deps = new WeakMap<Context, OrdersDeps>();
  const depsOf = (context: Context): OrdersDeps => {
    let existing = deps.get(context);
    if (!existing) {
      const { config } = context;
      assertConsistentConfig(config);
      existing = {
        config,
        prisma: context.prisma,
        outbox: context.outbox,
        logger: context.logger,
        transaction: (fn) => context.transaction(fn),
        gateway: new PaymentGateway({
          provider: options.paymentProvider ?? providerFor(config),
          timeoutMs: config.PAYMENT_TIMEOUT_MS,
          retryDelaysMs: config.PAYMENT_RETRY_DELAYS_MS,
          circuit: {
            failureThreshold: config.PAYMENT_CIRCUIT_FAILURE_THRESHOLD,
            windowMs: config.PAYMENT_CIRCUIT_WINDOW_MS,
            openMs: config.PAYMENT_CIRCUIT_OPEN_MS,
          },
          logger: context.logger.child({ component: 'payment' }),
        }),
      };
      deps.set(context, existing);
    }
    return existing;
  };

  return {
    name: 'orders',
    port: 8084,
    configSchema: ordersConfigSchema,
    migrationsDir: new URL('../prisma/migrations', import.meta.url).pathname,
    createPrisma: (adapter) => new PrismaClient({ adapter }),
    tags: ['orders', 'payments'],
    routes: (app, context) => ordersRoutes(app, depsOf(context)),
    consumers(context): ConsumerDefinition[] {
      const orders = depsOf(context);
      return [
        {
          handlers: {
            InventoryReserved: onInventoryReserved(orders),
            InventoryReservationFailed: onInventoryReservationFailed(),
            DeliveryScheduled: onDeliveryScheduled(orders),
            DeliverySchedulingFailed: onDeliverySchedulingFailed(),
            CompensationRequested: onCompensationRequested(orders),
          },
        },
        {
          // The price list has a group of its own, so catalog updates never wait behind a payment.
          groupId: `${context.config.SERVICE_NAME}-price-list`,
          handlers: {
            ProductCreated: onProductCreated(),
            ProductUpdated: onProductUpdated(),
            PriceChanged: onPriceChanged(),
            ProductDeleted: onProductDeleted(),
          },
        },
      ];
    },
    // Forgets first answers to X-Idempotency-Key once they are IDEMPOTENCY_KEY_TTL_HOURS old.
    background: (context) => [
      idempotencyPurge(context, { ttlMs: context.config.IDEMPOTENCY_KEY_TTL_HOURS * HOUR_MS }),
    ],
    healthChecks: (context) => [
      {
        name: 'payment-provider',
        critical: false,
        async check() {
          const { gateway } = depsOf(context);
          const circuit = gateway.circuitState;
          return {
            status: circuit === 'OPEN' ? 'DOWN' : 'UP',
            details: { provider: gateway.providerName, circuit },
          };
        },
      },
    ],
  };
}

export const ordersService = createOrdersService();
