import {
  idempotencyPurge,
  perInstance,
  type ServiceContext,
  type ServiceDefinition,
} from '@fv/service-runtime';
import { ReplenishmentDriver } from './background/replenishment-driver.js';
import { lockLevelsOfGroup } from './events/lock-group.js';
import { ReservationExpiry } from './background/reservation-expiry.js';
import { inventoryConfigSchema, limitsOf, type InventoryConfig } from './config.js';
import type { Tx } from './db/tx.js';
import { onCompensationRequested } from './events/on-compensation-requested.js';
import { onOrderCompleted } from './events/on-order-completed.js';
import { onOrderConfirmed } from './events/on-order-confirmed.js';
import { onOrderCreatedDeadLettered } from './events/on-dead-letter.js';
import { onOrderCreated } from './events/on-order-created.js';
import { onLowStockAlert } from './events/on-low-stock-alert.js';
import { onReturnReceived } from './events/on-return-received.js';
import { onStepRetryRequested } from './events/on-step-retry-requested.js';
import { PrismaClient } from './generated/prisma/client.js';
import { replenishmentRoutes } from './routes/replenishments.js';
import { reservationRoutes } from './routes/reservations.js';
import { stockRoutes } from './routes/stock.js';
import { HttpSupplier } from './supplier/supplier-client.js';
import type { InventoryDeps } from './use-cases/context.js';

type Context = ServiceContext<PrismaClient, InventoryConfig>;

/**
 * The instance's background rounds, made once: they sleep until due, and writers tell them of new work.
 * Their statements are SQL only, on the pool (no Prisma compilation per round).
 */
const roundsOf = perInstance((context: Context) => ({
  expiry: new ReservationExpiry({
    deps: depsOf(context),
    db: context.sql,
    transaction: (fn) => context.directTransaction(fn),
    ready: context.database.ready,
    intervalMs: context.config.RESERVATION_SWEEP_INTERVAL_MS,
    logger: context.logger.child({ component: 'reservation-expiry' }),
  }),
  driver: new ReplenishmentDriver({
    deps: depsOf(context),
    db: context.sql,
    transaction: (fn) => context.directTransaction(fn),
    supplier: new HttpSupplier(context.config.SUPPLIER_URL, context.config.SUPPLIER_TIMEOUT_MS),
    ready: context.database.ready,
    intervalMs: context.config.REPLENISHMENT_POLL_INTERVAL_MS,
    leaseMs: context.config.SUPPLIER_TIMEOUT_MS * 2 + context.config.REPLENISHMENT_POLL_INTERVAL_MS,
    logger: context.logger.child({ component: 'replenishment-driver' }),
  }),
}));

function depsOf(context: Context): InventoryDeps {
  return {
    outbox: context.outbox,
    limits: limitsOf(context.config),
    now: () => new Date(),
    dueBy: (at) => {
      const { expiry, driver } = roundsOf(context);
      expiry.dueBy(at);
      driver.dueBy(at);
    },
  };
}

const HOUR_MS = 60 * 60 * 1000;

/** X-Idempotency-Key answers are replayed, and kept, for IDEMPOTENCY_RETENTION_HOURS. */
const idempotencyTtlMs = (context: Context) => context.config.IDEMPOTENCY_RETENTION_HOURS * HOUR_MS;

const transactionOf =
  (context: Context) =>
  <T>(fn: (tx: Tx) => Promise<T>) =>
    context.transaction((tx) => fn(tx as Tx));

/** The inventory service: stock per product and location, reservations for the order saga. */
export const inventoryService: ServiceDefinition<PrismaClient, InventoryConfig> = {
  name: 'inventory',
  port: 8083,
  configSchema: inventoryConfigSchema,
  migrationsDir: new URL('../prisma/migrations', import.meta.url).pathname,
  createPrisma: (adapter) => new PrismaClient({ adapter }),
  tags: ['inventory', 'saga-participant'],
  async routes(app, context) {
    const routeDeps = {
      deps: depsOf(context),
      db: context.prisma,
      transaction: transactionOf(context),
      idempotency: { ttlMs: idempotencyTtlMs(context) },
    };
    await stockRoutes(app, routeDeps);
    await reservationRoutes(app, routeDeps);
    await replenishmentRoutes(app, routeDeps);
  },
  consumers(context) {
    const deps = depsOf(context);
    return [
      {
        // The stores write with SQL only: the consumer's transactions skip Prisma (docs/performance.md).
        transactions: 'direct',
        lockGroup: lockLevelsOfGroup,
        handlers: {
          OrderCreated: onOrderCreated(deps),
          OrderConfirmed: onOrderConfirmed(deps),
          OrderCompleted: onOrderCompleted(deps),
          CompensationRequested: onCompensationRequested(deps),
          StepRetryRequested: onStepRetryRequested(deps),
          LowStockAlert: onLowStockAlert(deps),
          ReturnReceived: onReturnReceived(deps),
        },
        deadLetterHandlers: { OrderCreated: onOrderCreatedDeadLettered(deps) },
      },
    ];
  },
  background(context) {
    const { expiry, driver } = roundsOf(context);
    return [expiry, driver, idempotencyPurge(context, { ttlMs: idempotencyTtlMs(context) })];
  },
};
