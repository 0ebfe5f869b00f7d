import {
  idempotencyRetentionRule,
  perInstance,
  type ServiceContext,
  type ServiceDefinition,
} from '@fv/service-runtime';
import type { CarrierAdapter } from './carrier/carrier.js';
import { SimulatedCarrier } from './carrier/simulated-carrier.js';
import { deliveryConfigSchema, type DeliveryConfig } from './config.js';
import { onCompensationRequested } from './events/on-compensation-requested.js';
import { onOrderConfirmedDeadLettered } from './events/on-dead-letter.js';
import { onOrderConfirmed } from './events/on-order-confirmed.js';
import { onStepRetryRequested } from './events/on-step-retry-requested.js';
import { PrismaClient } from './generated/prisma/client.js';
import { returnRoutes } from './routes/returns.js';
import { shipmentRoutes } from './routes/shipments.js';
import { trackingWebhookRoutes } from './routes/tracking-webhook.js';
import type { DeliveryDeps } from './use-cases/deps.js';

export interface DeliveryServiceOptions {
  /** The carrier integration; the simulated carrier (deterministic labels) by default. */
  carrier?: (config: DeliveryConfig) => CarrierAdapter;
  /** The clock (tests move it to exercise the return window). */
  now?: () => Date;
}

type Context = ServiceContext<PrismaClient, DeliveryConfig>;

/** The delivery service: shipments and labels for confirmed orders, tracking, delivery confirmation and returns. */
export function createDeliveryService(
  options: DeliveryServiceOptions = {},
): ServiceDefinition<PrismaClient, DeliveryConfig> {
  const depsOf = perInstance(({ config, outbox }: Context): DeliveryDeps => ({
    outbox,
    carrier:
      options.carrier?.(config) ??
      new SimulatedCarrier({
        supportedCountries: config.CARRIER_SUPPORTED_COUNTRIES,
        publicBaseUrl: config.PUBLIC_BASE_URL,
      }),
    returnWindowDays: config.RETURN_WINDOW_DAYS,
    now: options.now ?? (() => new Date()),
  }));

  return {
    name: 'delivery',
    port: 8085,
    configSchema: deliveryConfigSchema,
    migrationsDir: new URL('../prisma/migrations', import.meta.url).pathname,
    createPrisma: (adapter) => new PrismaClient({ adapter }),
    retention: (context) => [idempotencyRetentionRule(context.config.IDEMPOTENCY_RETENTION_HOURS)],
    tags: ['delivery', 'shipping', 'returns'],
    async routes(app, context) {
      const routeContext = { ...context, deps: depsOf(context) };
      await app.register(async (scope) => shipmentRoutes(scope, routeContext));
      await app.register(async (scope) => returnRoutes(scope, routeContext));
      // Its own scope: it reads JSON bodies as raw bytes to check their signature.
      await app.register(async (scope) => trackingWebhookRoutes(scope, routeContext));
    },
    consumers(context) {
      const deps = depsOf(context);
      const delaysMs = context.config.EVENT_RETRY_DELAYS_MS;
      return [
        {
          // The handlers' stores use SQL only: the consumer's transactions skip Prisma (docs/performance.md).
          transactions: 'direct',
          retry: { delaysMs },
          handlers: {
            OrderConfirmed: onOrderConfirmed(deps, delaysMs.length),
            CompensationRequested: onCompensationRequested(deps),
            StepRetryRequested: onStepRetryRequested(deps, delaysMs.length),
          },
          deadLetterHandlers: { OrderConfirmed: onOrderConfirmedDeadLettered(deps) },
        },
      ];
    },
  };
}

export const deliveryService = createDeliveryService();
