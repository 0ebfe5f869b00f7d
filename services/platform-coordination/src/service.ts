import type { CreateAppOptions } from '@fv/service-kit';
import type { ServiceContext, ServiceDefinition } from '@fv/service-runtime';
import { ConfigService } from './config-store/config-service.js';
import { ConfigWatch } from './config-store/config-watch.js';
import { configSchema, type CoordinationConfig } from './config.js';
import { PrismaClient } from './generated/prisma/client.js';
import { coordinationHealthDocument } from './health/health-document.js';
import { HealthPoller } from './health/health-poller.js';
import { LeaseSweeper } from './registry/lease-sweeper.js';
import { RegistryService } from './registry/registry-service.js';
import { actuatorRoutes } from './routes/actuator.js';
import { configRoutes } from './routes/config.js';
import { serviceRoutes } from './routes/services.js';

export const SERVICE_NAME = 'platform-coordination';
export const SERVICE_PORT = 8081;

export type CoordinationContext = ServiceContext<PrismaClient, CoordinationConfig>;

/** The parts of the service, built once per runtime context. */
export interface CoordinationComponents {
  registry: RegistryService;
  config: ConfigService;
  watch: ConfigWatch;
  sweeper: LeaseSweeper;
  poller: HealthPoller;
}

export interface CoordinationOptions {
  /** Per caller class limits (seed 001 by default); `false` turns rate limiting off (benchmarks). */
  rateLimit?: CreateAppOptions['rateLimit'];
  /** Time source of the registry (tests move it forward instead of waiting). */
  clock?: () => Date;
}

/** The platform coordination service: registry, configuration store and health aggregator. */
export function coordinationService(options: CoordinationOptions = {}): ServiceDefinition<
  PrismaClient,
  CoordinationConfig
> & {
  components(context: CoordinationContext): CoordinationComponents;
} {
  const built = new WeakMap<CoordinationContext, CoordinationComponents>();
  const components = (context: CoordinationContext): CoordinationComponents => {
    const existing = built.get(context);
    if (existing) return existing;
    const { config, logger } = context;
    const transaction = context.transaction as CoordinationContext['transaction'];
    const registry = new RegistryService({
      prisma: context.prisma,
      transaction,
      outbox: context.outbox,
      heartbeatIntervalSeconds: config.REGISTRY_HEARTBEAT_INTERVAL_SECONDS,
      policy: {
        ttlMs: config.REGISTRY_HEARTBEAT_TTL_SECONDS * 1000,
        deregisterCriticalAfterMs: config.REGISTRY_DEREGISTER_CRITICAL_AFTER_SECONDS * 1000,
        selfPreservationThreshold: config.REGISTRY_SELF_PRESERVATION_THRESHOLD,
        selfPreservationMinInstances: config.REGISTRY_SELF_PRESERVATION_MIN_INSTANCES,
      },
      ...(options.clock ? { clock: options.clock } : {}),
    });
    const watch = new ConfigWatch();
    const store = new ConfigService({ prisma: context.prisma, transaction, outbox: context.outbox, watch });
    const parts: CoordinationComponents = {
      registry,
      config: store,
      watch,
      sweeper: new LeaseSweeper(registry, {
        intervalMs: config.REGISTRY_SWEEP_INTERVAL_MS,
        logger: logger.child({ component: 'lease-sweeper' }),
        ...(options.clock ? { clock: options.clock } : {}),
      }),
      poller: new HealthPoller(context.prisma, registry, {
        intervalMs: config.HEALTH_POLL_INTERVAL_MS,
        timeoutMs: config.HEALTH_POLL_TIMEOUT_MS,
        concurrency: config.HEALTH_POLL_CONCURRENCY,
        historySize: config.HEALTH_HISTORY_SIZE,
        logger: logger.child({ component: 'health-poller' }),
      }),
    };
    built.set(context, parts);
    return parts;
  };

  return {
    name: SERVICE_NAME,
    port: SERVICE_PORT,
    configSchema,
    migrationsDir: new URL('../prisma/migrations', import.meta.url).pathname,
    createPrisma: (adapter) => new PrismaClient({ adapter }),
    tags: ['registry', 'configuration', 'health'],
    ...(options.rateLimit === undefined ? {} : { rateLimit: options.rateLimit }),
    components,
    routes(app, context) {
      const parts = components(context);
      serviceRoutes(app, parts.registry, context.config.REGISTRY_HEARTBEAT_INTERVAL_SECONDS);
      configRoutes(app, parts.config, {
        watchMaxTimeoutSeconds: context.config.CONFIG_WATCH_MAX_TIMEOUT_SECONDS,
        watchRecheckMs: context.config.CONFIG_WATCH_RECHECK_MS,
      });
    },
    rootRoutes: (app) => actuatorRoutes(app),
    // The coordination service reads its own live keys straight from its store.
    liveConfigSource: (context) => (service, profile) =>
      components(context).config.effective(service, profile, false),
    background(context) {
      const parts = components(context);
      return [parts.sweeper, ...(context.config.HEALTH_POLL_ENABLED ? [parts.poller] : [])];
    },
    healthDocument(context) {
      const parts = components(context);
      return coordinationHealthDocument({
        prisma: context.prisma,
        self: SERVICE_NAME,
        queueDepth: () => context.relay.pending(),
        selfPreservation: () => parts.registry.selfPreservationActive,
        // The saga observer reports its workflows here once it exists; until then none are followed.
        workflows: async () => ({ active: 0, stuck: 0 }),
      });
    },
  };
}
