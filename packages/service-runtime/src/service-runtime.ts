import type { Database } from '@fv/database';
import {
  EventCodec,
  EventConsumer,
  OutboxRelay,
  brokerHealthCheck,
  createKafka,
  createOutbox,
  directTransactions,
  MessagingMetrics,
  registerOutboxGauges,
  type DeadLetterHandlers,
  type EventConsumerOptions,
  type EventHandlers,
  type Outbox,
  type RetryPolicy,
  type SqlClient,
  type TransactionalSqlClient,
} from '@fv/messaging';
import {
  Counter,
  Gauge,
  baseConfigSchema,
  createApp,
  createLiveConfig,
  DEFAULT_RETRY_SETTINGS,
  createLogger,
  envInteger,
  loadConfig,
  serviceCredentials,
  runService,
  startTelemetry,
  type BaseConfig,
  type Closeable,
  type CreateAppOptions,
  type Environment,
  type HealthCheck,
  type HealthDocumentBuilder,
  type LiveConfig,
  type LiveConfigValues,
  type Logger,
  type Telemetry,
} from '@fv/service-kit';
import { inSpan } from '@fv/service-kit/telemetry';
import type { FastifyInstance } from 'fastify';
import type { Kafka } from 'kafkajs';
import { z } from 'zod';
import { corsOriginPolicy, corsOriginsSetting, registerCors } from './cors.js';
import { BACKGROUND_MAX_IDLE_MS } from './interval-task.js';
import { LiveConfigSubscriber, type ConfigurationSource } from './live-config-subscriber.js';
import { ManagedDatabase } from './managed-database.js';
import { ServiceRegistration } from './registration.js';
import {
  messagingRetentionRules,
  retentionConfigShape,
  retentionPurge,
  type RetentionRule,
} from './retention.js';
import { retryForever } from './retry-forever.js';

/** A Prisma client as the runtime needs it (every generated client satisfies this). */
export interface PrismaLike extends TransactionalSqlClient {
  $disconnect(): Promise<void>;
}

export const runtimeConfigSchema = baseConfigSchema.extend({
  /** Register with the coordination service and heartbeat (true). */
  SERVICE_REGISTRATION: z
    .enum(['true', 'false'], { errorMap: () => ({ message: 'must be true or false' }) })
    .default('true')
    .transform((value) => value === 'true'),
  /** Host other services and the registry reach this instance at (default HOST). */
  ADVERTISED_HOST: z.string().min(1).optional(),
  /** Availability zone reported to the registry. */
  SERVICE_ZONE: z.string().min(1).optional(),
  /** Follow the configuration store and apply live keys (log level, feature flags, retry settings) without a restart (true). */
  LIVE_CONFIG: z
    .enum(['true', 'false'], { errorMap: () => ({ message: 'must be true or false' }) })
    .default('true')
    .transform((value) => value === 'true'),
  /** Configuration profile of this instance (e.g. `prod`), applied over the service's own keys. */
  CONFIG_PROFILE: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9-]{0,62}$/,
      'must be lower-case letters, digits and dashes, at most 63 characters',
    )
    .optional(),
  /** Origins whose pages may call the API (CORS); unset: loopback pages in development, none elsewhere. */
  CORS_ORIGINS: corsOriginsSetting(),
  /**
   * How often the outbox relay looks for rows nobody told it of. Every transaction of the runtime wakes
   * it once it commits, so this is only the net for rows written some other way.
   */
  OUTBOX_POLL_INTERVAL_MS: envInteger(100, 600_000).default(BACKGROUND_MAX_IDLE_MS),
  ...retentionConfigShape,
});

export type RuntimeConfig = z.output<typeof runtimeConfigSchema>;

export interface ServiceContext<P extends PrismaLike, C extends RuntimeConfig = RuntimeConfig> {
  config: C;
  logger: Logger;
  database: ManagedDatabase;
  prisma: P;
  kafka: Kafka;
  codec: EventCodec;
  outbox: Outbox;
  relay: OutboxRelay;
  /** Keys applied without a restart (log level, feature flags, retry settings). */
  liveConfig: LiveConfig<LiveConfigValues>;
  /** A Prisma transaction whose outbox events are published as soon as it commits. */
  transaction<T>(fn: (tx: SqlClient & P) => Promise<T>): Promise<T>;
  /**
   * The same on the database's pool, without Prisma, for work that writes with SQL only (a fifth of the
   * CPU per statement: docs/performance.md). `numeric` and `bigint` values come back as strings.
   * `{ listeners: false }`: once committed, wake the relay but not the `afterCommit` listeners: for the
   * rounds of a background task that is one of those listeners, which would otherwise wake itself.
   */
  directTransaction<T>(fn: (tx: SqlClient) => Promise<T>, options?: { listeners?: boolean }): Promise<T>;
  /**
   * Calls `listener` after each transaction of `transaction`, `directTransaction` or a consumer commits:
   * how background work that sleeps until it is due (`dueTimeTask`) learns that a write may have made
   * work due sooner.
   */
  afterCommit(listener: () => void): void;
  /** Statements on the database's pool outside any transaction, without Prisma (each commits on its own). */
  sql: SqlClient;
}

export interface ConsumerDefinition {
  /** Default SERVICE_NAME (the service name): one group per service, so its instances share the work. */
  groupId?: string;
  handlers: EventHandlers;
  /**
   * Per consumed event, the step failure to publish when the event is dead-lettered (e.g. an
   * OrderCreated that cannot be processed becomes InventoryReservationFailed), so the saga
   * compensates instead of waiting for a step that will never happen.
   */
  deadLetterHandlers?: DeadLetterHandlers;
  retry?: RetryPolicy;
  /**
   * Where the consumer's transactions run. `prisma` (default): handlers get a Prisma transaction
   * client. `direct`: on the database's pool, without Prisma — handlers get a `SqlClient` and write with
   * SQL only; for hot paths, where every statement through Prisma's client engine costs a query
   * compilation (see `directTransactions` in `@fv/messaging`).
   */
  transactions?: 'prisma' | 'direct';
  /** Row locks a group of events takes up front, in a fixed order (see `EventConsumerOptions.lockGroup`). */
  lockGroup?: EventConsumerOptions['lockGroup'];
}

/** A piece of background work (a timer, a poller) started with the service and stopped before the database closes. */
export interface BackgroundTask extends Closeable {
  start(): void;
}

export interface ServiceDefinition<P extends PrismaLike, C extends RuntimeConfig = RuntimeConfig> {
  /** Service name: names its database, consumer group, logs and registry entry. */
  name: string;
  /** Default port (PORT overrides). */
  port: number;
  version?: string;
  /** The service's own variables: `runtimeConfigSchema.extend({...})`. */
  configSchema?: z.ZodType<C, z.ZodTypeDef, unknown>;
  /** The service's Prisma migrations folder. */
  migrationsDir: string;
  createPrisma(adapter: Database['adapter']): P;
  routes?(app: FastifyInstance, context: ServiceContext<P, C>): Promise<void> | void;
  /** Routes outside `/api/v1` (e.g. extra probe paths); they are public unless they say otherwise. */
  rootRoutes?(app: FastifyInstance, context: ServiceContext<P, C>): Promise<void> | void;
  /** Where live configuration is read from (default: the coordination service's `GET /config/{service}`). */
  liveConfigSource?(context: ServiceContext<P, C>): ConfigurationSource;
  consumers?(context: ServiceContext<P, C>): ConsumerDefinition[];
  background?(context: ServiceContext<P, C>): BackgroundTask[];
  /** Tables of the service's own that only grow, purged with the outbox and processed events. */
  retention?(context: ServiceContext<P, C>): RetentionRule[];
  healthChecks?(context: ServiceContext<P, C>): HealthCheck[];
  healthDocument?(context: ServiceContext<P, C>): HealthDocumentBuilder;
  rateLimit?: CreateAppOptions['rateLimit'];
  /** Error codes of the service's own (`defineErrorCodes`), besides the shared ones. */
  errorCodes?: CreateAppOptions['errorCodes'];
  /** Tags reported to the registry. */
  tags?: string[];
}

export interface ServiceRuntime<P extends PrismaLike, C extends RuntimeConfig = RuntimeConfig> {
  app: FastifyInstance;
  context: ServiceContext<P, C>;
  consumers: EventConsumer[];
  registration: ServiceRegistration | null;
  /** Applies live configuration keys (null when LIVE_CONFIG=false). */
  liveConfigSubscriber: LiveConfigSubscriber | null;
  /**
   * Starts registration at once, and the relay, consumers and background tasks once the database is
   * migrated (each retries in the background until its dependency is there).
   */
  start(): Promise<void>;
  /** What to close, in order: consumers, background tasks, registration, relay, broker check, Prisma, database. */
  closeables: Closeable[];
  /** Closes the app and every closeable (for tests; `runService` does the same on a signal). */
  stop(): Promise<void>;
}

export async function createServiceRuntime<P extends PrismaLike, C extends RuntimeConfig = RuntimeConfig>(
  definition: ServiceDefinition<P, C>,
  options: { env?: Environment; logger?: Logger } = {},
): Promise<ServiceRuntime<P, C>> {
  const env = options.env ?? process.env;
  const config = loadServiceConfig(definition, env);
  const logger =
    options.logger ??
    createLogger({ service: config.SERVICE_NAME, version: config.SERVICE_VERSION, level: config.LOG_LEVEL });
  const telemetry = startTelemetry({
    serviceName: config.SERVICE_NAME,
    serviceVersion: config.SERVICE_VERSION,
    env,
  });
  const messagingMetrics = new MessagingMetrics();
  const { db, ...parts } = await openContextParts(definition, config, logger, messagingMetrics);
  const direct = directTransactions(db);
  const { context, afterCommit } = createContext(parts, direct);
  const { database, kafka, relay } = context;

  const broker = brokerHealthCheck(kafka);
  const app = await buildApp(definition, context, broker);
  const consumers = createConsumers(definition, context, { app, direct, messagingMetrics, afterCommit });
  registerMessagingMetrics(app, messagingMetrics, relay, consumers);
  const liveConfigSubscriber = config.LIVE_CONFIG
    ? new LiveConfigSubscriber(context, {
        service: definition.name,
        profile: config.CONFIG_PROFILE ?? null,
        ...(definition.liveConfigSource ? { source: definition.liveConfigSource(context) } : {}),
      })
    : null;
  const background = backgroundTasks(definition, context, app, liveConfigSubscriber);
  const registration = createRegistration(definition, config, logger);

  const abort = new AbortController();
  const closeables = closeablesInOrder(context, {
    abort,
    consumers,
    background,
    registration,
    broker,
    telemetry,
  });

  return {
    app,
    context,
    consumers,
    registration,
    liveConfigSubscriber,
    closeables,
    async start() {
      // The relay and the consumers wait for the migrated database; each retries on its own until its
      // dependency answers, so the service serves (with readiness red) meanwhile.
      void database.ready.then(() => {
        if (abort.signal.aborted) return;
        relay.start();
        for (const consumer of consumers) {
          void retryForever('starting the event consumer', () => consumer.start(), {
            logger: logger.child({ component: 'consumer' }),
            signal: abort.signal,
          });
        }
        for (const task of background) task.start();
      });
      registration?.start();
    },
    async stop() {
      await app.close();
      for (const closeable of closeables) {
        await closeable
          .close()
          .catch((error) => logger.error({ err: error, closeable: closeable.name }, 'close failed'));
      }
    },
  };
}

/** The service's configuration, its name, version and port defaulting to the definition's. */
function loadServiceConfig<P extends PrismaLike, C extends RuntimeConfig>(
  definition: ServiceDefinition<P, C>,
  env: Environment,
): C {
  const schema = (definition.configSchema ?? runtimeConfigSchema) as z.ZodType<C, z.ZodTypeDef, unknown>;
  return loadConfig(schema, {
    ...env,
    SERVICE_NAME: env.SERVICE_NAME ?? definition.name,
    SERVICE_VERSION: env.SERVICE_VERSION ?? definition.version,
    PORT: env.PORT ?? String(definition.port),
  }) as C;
}

/** The parts of a service's context that are not its transactions. */
type ContextParts<P extends PrismaLike, C extends RuntimeConfig> = Omit<
  ServiceContext<P, C>,
  'transaction' | 'directTransaction' | 'afterCommit' | 'sql'
>;

/** Opens the service's database (migrated in the background) and creates its broker client and outbox relay. */
async function openContextParts<P extends PrismaLike, C extends RuntimeConfig>(
  definition: ServiceDefinition<P, C>,
  config: C,
  logger: Logger,
  messagingMetrics: MessagingMetrics,
): Promise<ContextParts<P, C> & { db: Database }> {
  const database = new ManagedDatabase({
    service: definition.name,
    databaseUrl: config.DATABASE_URL,
    migrationsDir: definition.migrationsDir,
    logger,
  });
  const db = await database.open();
  const prisma = definition.createPrisma(db.adapter);
  const kafka = createKafka({ clientId: config.SERVICE_NAME, brokers: config.KAFKA_BROKERS, logger });
  const codec = new EventCodec(config.SCHEMA_REGISTRY_URL, {
    unknownSchemaIdGraceMs: config.SCHEMA_REGISTRY_UNKNOWN_ID_GRACE_MS,
  });
  const outbox = createOutbox({ producer: definition.name });
  const relay = new OutboxRelay({
    db,
    kafka,
    codec,
    logger: logger.child({ component: 'outbox-relay' }),
    lockName: definition.name,
    metrics: messagingMetrics,
    pollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS,
  });
  const liveConfig = createLiveConfig({
    logger,
    initial: { logLevel: config.LOG_LEVEL, featureFlags: {}, retry: DEFAULT_RETRY_SETTINGS },
  });
  return { config, logger, database, db, prisma, kafka, codec, outbox, relay, liveConfig };
}

/**
 * The service's context: its parts, with transactions after whose commit the relay publishes the
 * outbox rows they wrote and the `afterCommit` listeners run. `afterCommit` is that step alone.
 */
function createContext<P extends PrismaLike, C extends RuntimeConfig>(
  parts: ContextParts<P, C>,
  direct: TransactionalSqlClient,
): { context: ServiceContext<P, C>; afterCommit: (listeners?: boolean) => void } {
  const { config, logger, database, prisma, kafka, codec, outbox, relay, liveConfig } = parts;
  const commitListeners: (() => void)[] = [];
  const afterCommit = (listeners = true) => {
    relay.notify();
    if (listeners) for (const listener of commitListeners) listener();
  };
  /** A transaction in a span; once it commits, the relay publishes the outbox rows it wrote. */
  const committed = async <T>(run: () => Promise<T>, listeners = true): Promise<T> => {
    const result = await inSpan('db.transaction', { attributes: { 'db.system.name': 'postgresql' } }, run);
    afterCommit(listeners);
    return result;
  };
  const context: ServiceContext<P, C> = {
    config,
    logger,
    database,
    prisma,
    kafka,
    codec,
    outbox,
    relay,
    liveConfig,
    transaction: (fn) =>
      committed(() =>
        prisma.$transaction((tx) => fn(tx as SqlClient & P), { timeout: 30_000, maxWait: 10_000 }),
      ),
    directTransaction: (fn, options) => committed(() => direct.$transaction(fn), options?.listeners ?? true),
    afterCommit: (listener) => {
      commitListeners.push(listener);
    },
    sql: direct,
  };
  return { context, afterCommit };
}

/** The service's app: health checks, CORS, its routes under /api/v1 and its root routes. */
async function buildApp<P extends PrismaLike, C extends RuntimeConfig>(
  definition: ServiceDefinition<P, C>,
  context: ServiceContext<P, C>,
  broker: HealthCheck,
): Promise<FastifyInstance> {
  const { config, logger, database } = context;
  const app = await createApp({
    config,
    logger,
    healthChecks: [database.healthCheck(), broker, ...(definition.healthChecks?.(context) ?? [])],
    ...(definition.healthDocument ? { healthDocument: definition.healthDocument(context) } : {}),
    healthCacheMs: config.HEALTH_CACHE_MS,
    healthRatePerMinute: config.HEALTH_RATE_LIMIT_PER_MINUTE,
    ...(definition.rateLimit === undefined ? {} : { rateLimit: definition.rateLimit }),
    ...(definition.errorCodes ? { errorCodes: definition.errorCodes } : {}),
  });
  await registerCors(app, corsOriginPolicy(config));
  if (definition.routes) {
    await app.register(async (scope) => definition.routes!(scope, context), { prefix: '/api/v1' });
  }
  if (definition.rootRoutes) await definition.rootRoutes(app, context);
  return app;
}

/**
 * The service's event consumers, counted by result on /metrics. A handled event wakes the relay and the
 * `afterCommit` listeners; a duplicate or dead-lettered one, the relay only.
 */
function createConsumers<P extends PrismaLike, C extends RuntimeConfig>(
  definition: ServiceDefinition<P, C>,
  context: ServiceContext<P, C>,
  wiring: {
    app: FastifyInstance;
    direct: TransactionalSqlClient;
    messagingMetrics: MessagingMetrics;
    afterCommit: () => void;
  },
): EventConsumer[] {
  const { config, logger, prisma, kafka, codec, relay } = context;
  const { app, direct, messagingMetrics, afterCommit } = wiring;
  const consumed = new Counter({
    name: 'messaging_consumed_events_total',
    help: 'Events settled by this instance, by consumer group and result (handled, duplicate, dead-lettered)',
    labelNames: ['group', 'result'] as const,
    registers: [app.metrics],
  });
  return (definition.consumers?.(context) ?? []).map(
    (consumer) =>
      new EventConsumer({
        kafka,
        codec,
        db: consumer.transactions === 'direct' ? direct : prisma,
        logger: logger.child({ component: 'consumer' }),
        groupId: consumer.groupId ?? config.SERVICE_NAME,
        handlers: consumer.handlers,
        ...(consumer.deadLetterHandlers ? { deadLetterHandlers: consumer.deadLetterHandlers } : {}),
        ...(consumer.retry ? { retry: consumer.retry } : {}),
        ...(consumer.lockGroup ? { lockGroup: consumer.lockGroup } : {}),
        metrics: messagingMetrics,
        onSettled: (outcome) => {
          consumed.inc({ group: consumer.groupId ?? config.SERVICE_NAME, result: outcome.result });
          if (outcome.result === 'handled') afterCommit();
          else relay.notify();
        },
      }),
  );
}

/** The definition's background tasks, then the retention purge, then the live configuration subscriber. */
function backgroundTasks<P extends PrismaLike, C extends RuntimeConfig>(
  definition: ServiceDefinition<P, C>,
  context: ServiceContext<P, C>,
  app: FastifyInstance,
  liveConfigSubscriber: LiveConfigSubscriber | null,
): BackgroundTask[] {
  const { config } = context;
  return [
    ...(definition.background?.(context) ?? []),
    retentionPurge(context, {
      rules: [...messagingRetentionRules(config), ...(definition.retention?.(context) ?? [])],
      intervalMs: config.RETENTION_INTERVAL_MS,
      batchSize: config.RETENTION_BATCH_SIZE,
      metrics: app.metrics,
    }),
    ...(liveConfigSubscriber ? [liveConfigSubscriber] : []),
  ];
}

/** The service's entry in the coordination service's registry (null when SERVICE_REGISTRATION=false). */
function createRegistration<P extends PrismaLike, C extends RuntimeConfig>(
  definition: ServiceDefinition<P, C>,
  config: C,
  logger: Logger,
): ServiceRegistration | null {
  return config.SERVICE_REGISTRATION
    ? new ServiceRegistration({
        coordinationUrl: config.COORDINATION_URL,
        credentials: serviceCredentials(config),
        name: definition.name,
        version: config.SERVICE_VERSION,
        host: config.ADVERTISED_HOST ?? config.HOST,
        port: config.PORT,
        tags: definition.tags ?? [],
        ...(config.SERVICE_ZONE ? { zone: config.SERVICE_ZONE } : {}),
        logger: logger.child({ component: 'registration' }),
      })
    : null;
}

/**
 * What to close, in order: the start still waiting for the database, consumers, background tasks,
 * registration, relay, broker check, Prisma, database, telemetry.
 */
function closeablesInOrder<P extends PrismaLike, C extends RuntimeConfig>(
  { relay, prisma, database }: ServiceContext<P, C>,
  running: {
    abort: AbortController;
    consumers: EventConsumer[];
    background: BackgroundTask[];
    registration: ServiceRegistration | null;
    broker: { close(): Promise<void> };
    telemetry: Telemetry;
  },
): Closeable[] {
  const { abort, consumers, background, registration, broker, telemetry } = running;
  return [
    {
      name: 'startup',
      close: async () => abort.abort(),
    },
    ...consumers.map((consumer, i) => ({
      name: `consumer ${consumer.topics.length ? i : ''}`.trim(),
      close: () => consumer.stop(),
    })),
    ...background,
    ...(registration ? [{ name: 'registration', close: () => registration.close() }] : []),
    { name: 'outbox relay', close: () => relay.stop() },
    { name: 'broker health check', close: () => broker.close() },
    { name: 'prisma', close: () => prisma.$disconnect() },
    { name: 'database', close: () => database.close() },
    { name: 'telemetry', close: () => telemetry.shutdown() },
  ];
}

/**
 * The messaging layer on /metrics (outbox depth and age, relay sends and errors, handler durations,
 * retries, dead letters, lag, messages waiting for an outage to end) and its consumers in readiness:
 * a consumer that crashed for good turns the service not ready until it has been restarted.
 */
function registerMessagingMetrics(
  app: FastifyInstance,
  metrics: MessagingMetrics,
  relay: OutboxRelay,
  consumers: EventConsumer[],
): void {
  metrics.registerOn(app.metrics);
  registerOutboxGauges(app.metrics, relay);
  new Gauge({
    name: 'messaging_consumer_waiting_on_outage',
    help: 'Messages held back because the database, broker or schema registry is unavailable',
    registers: [app.metrics],
    collect() {
      this.set(consumers.reduce((sum, consumer) => sum + consumer.stats().waitingOnOutage, 0));
    },
  });
  if (consumers.length === 0) return;
  app.health.register({
    name: 'consumers',
    async check() {
      const crashed = consumers.map((consumer) => consumer.health()).filter((health) => !health.running);
      if (crashed.length > 0) {
        throw new Error(`event consumer crashed (restarting): ${crashed.map((c) => c.crashed).join('; ')}`);
      }
      return { details: { consumers: consumers.length } };
    },
  });
}

/** The whole of a service's `main.ts`: build, start, listen, and shut down in order on a signal. */
export async function runServiceMain<P extends PrismaLike, C extends RuntimeConfig>(
  definition: ServiceDefinition<P, C>,
): Promise<void> {
  let runtime: ServiceRuntime<P, C>;
  try {
    runtime = await createServiceRuntime(definition);
  } catch (error) {
    process.stderr.write(`${definition.name}: ${(error as Error).message}\n`);
    process.exit(1);
  }
  await runtime.start();
  await runService({
    app: runtime.app,
    config: runtime.context.config as BaseConfig,
    logger: runtime.context.logger,
    closeables: runtime.closeables,
  });
}
