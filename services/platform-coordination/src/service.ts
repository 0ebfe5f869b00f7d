import { serviceCredentials, type CreateAppOptions } from '@fv/service-kit';
import { perInstance, type ServiceContext, type ServiceDefinition } from '@fv/service-runtime';
import { ConfigService } from './configuration/config-service.js';
import { ConfigWatch } from './configuration/config-watch.js';
import { configSchema, type CoordinationConfig } from './config.js';
import { COORDINATION_ERROR_CODES } from './shared/errors.js';
import { PrismaClient } from './generated/prisma/client.js';
import { coordinationHealthDocument } from './health/health-document.js';
import { HealthPoller } from './health/health-poller.js';
import { outboundPolicyOf } from './net/outbound-policy.js';
import { LeaseSweeper } from './registry/lease-sweeper.js';
import { RegistryService } from './registry/registry-service.js';
import { actuatorRoutes } from './http/actuator.js';
import { configRoutes } from './configuration/config-routes.js';
import { serviceRoutes } from './registry/registry-routes.js';
import { sagaRoutes } from './workflows/saga-routes.js';
import { webhookRoutes } from './webhooks/webhook-routes.js';
import { workflowRoutes } from './workflows/workflow-routes.js';
import { activeAndStuck } from './workflows/workflow-queries.js';
import { ACTIVE_WORKFLOW_STATUSES } from './workflows/domain/state.js';
import type { WorkflowTemplate } from './workflows/domain/template.js';
import { workflowTemplates } from './workflows/domain/templates/index.js';
import { topicOf } from '@fv/contracts';
import { combineHandlers } from '@fv/messaging';
import { observedEvents, onPlatformEvent } from './workflows/on-platform-event.js';
import { WebhookDispatcher } from './webhooks/webhook-dispatcher.js';
import { WebhookFanout } from './webhooks/webhook-fanout.js';
import { WebhookService } from './webhooks/webhook-service.js';
import { ObserverProgress } from './workflows/observer-progress.js';
import { OrdersClient } from './workflows/orders-client.js';
import { TimeoutSweeper } from './workflows/timeout-sweeper.js';
import { WorkflowEngine } from './workflows/workflow-engine.js';
import { registerWorkflowMetrics } from './workflows/workflow-metrics.js';
import { WorkflowReports } from './workflows/workflow-reports.js';
import { WorkflowService } from './workflows/workflow-service.js';
import { createDeadLetters, ledgerGroupOf, type DeadLetters } from './dlq/dead-letters.js';
import { registerDeadLetterMetrics } from './dlq/dead-letter-metrics.js';
import { deadLetterRoutes } from './dlq/dlq-routes.js';
import { coordinationRetentionRules } from './retention.js';
import { consoleParts, type ConsoleParts } from './console/console-parts.js';
import { consoleRoutes } from './console/console-routes.js';
import { consoleAssets } from './console/console-assets.js';
import { closeStreamsOnShutdown } from './console/console-stream.js';
import { operationRoutes } from './operations/operation-routes.js';
import { analyticsGroupOf, analyticsModule } from './analytics/analytics-module.js';

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
  template: WorkflowTemplate;
  engine: WorkflowEngine;
  workflows: WorkflowService;
  reports: WorkflowReports;
  webhooks: WebhookService;
  timeouts: TimeoutSweeper;
  dispatcher: WebhookDispatcher;
  /** The dead-letter ledger, its admin service and the replay producer. */
  deadLetters: DeadLetters;
  /** The saga console's reads and live feed, and its bulk operations. */
  console: ConsoleParts;
}

export interface CoordinationOptions {
  /** Per caller class limits (seed 001 by default); `false` turns rate limiting off (benchmarks). */
  rateLimit?: CreateAppOptions['rateLimit'];
  /** Time source of the registry (tests move it forward instead of waiting). */
  clock?: () => Date;
  /** Time source of the saga observer (timeouts, compensation retries). */
  workflowClock?: () => Date;
}

type CoordinationDefinition = ServiceDefinition<PrismaClient, CoordinationConfig>;
type CoordinationApp = Parameters<NonNullable<CoordinationDefinition['routes']>>[0];
type OutboundPolicy = ReturnType<typeof outboundPolicyOf>;

/** The registry, with its lease policy, from the configuration. */
function registryOf(
  context: CoordinationContext,
  transaction: CoordinationContext['transaction'],
  outbound: OutboundPolicy,
  clock: (() => Date) | undefined,
): RegistryService {
  const { config } = context;
  return new RegistryService({
    outbound,
    prisma: context.prisma,
    sql: context.sql,
    transaction,
    outbox: context.outbox,
    heartbeatIntervalSeconds: config.REGISTRY_HEARTBEAT_INTERVAL_SECONDS,
    maxInstancesPerService: config.REGISTRY_MAX_INSTANCES_PER_SERVICE,
    readCacheMs: config.REGISTRY_READ_CACHE_MS,
    policy: {
      ttlMs: config.REGISTRY_HEARTBEAT_TTL_SECONDS * 1000,
      deregisterCriticalAfterMs: config.REGISTRY_DEREGISTER_CRITICAL_AFTER_SECONDS * 1000,
      selfPreservationThreshold: config.REGISTRY_SELF_PRESERVATION_THRESHOLD,
      selfPreservationMinInstances: config.REGISTRY_SELF_PRESERVATION_MIN_INSTANCES,
    },
    ...(clock ? { clock } : {}),
  });
}

/** The workflows' retry policy (also the webhook dispatcher's backoff). */
function retryPolicyOf(config: CoordinationConfig) {
  return {
    maxAttempts: config.WORKFLOW_RETRY_MAX_ATTEMPTS,
    backoffMultiplier: config.WORKFLOW_RETRY_BACKOFF_MULTIPLIER,
    initialIntervalMs: config.WORKFLOW_RETRY_INITIAL_INTERVAL,
    maxIntervalMs: config.WORKFLOW_RETRY_MAX_INTERVAL,
  };
}

/** Every workflow template, with the timeouts and policies of the configuration. */
function templatesOf(
  config: CoordinationConfig,
  retry: ReturnType<typeof retryPolicyOf>,
): WorkflowTemplate[] {
  return workflowTemplates({
    workflowTimeoutMs: config.WORKFLOW_TIMEOUT_ORDER_FULFILLMENT,
    workflowTimeoutsMs: {
      RETURN_PROCESSING: config.WORKFLOW_TIMEOUT_RETURN_PROCESSING,
      INVENTORY_REPLENISHMENT: config.WORKFLOW_TIMEOUT_INVENTORY_REPLENISHMENT,
    },
    inventoryReservationTimeoutMs: config.WORKFLOW_TIMEOUT_INVENTORY_RESERVATION,
    paymentProcessingTimeoutMs: config.WORKFLOW_TIMEOUT_PAYMENT_PROCESSING,
    retry,
    compensationTimeoutMs: config.SAGA_COMPENSATION_TIMEOUT,
    compensationMaxRetries: config.SAGA_COMPENSATION_MAX_RETRIES,
    compensationMaxIntervalMs: config.SAGA_COMPENSATION_MAX_INTERVAL,
  });
}

/** How far the observer's consumer group has caught up, when the observer runs. */
function observerProgressOf(
  context: CoordinationContext,
  workflowClock: (() => Date) | undefined,
): ObserverProgress | null {
  const { config, logger } = context;
  return config.SAGA_OBSERVER_ENABLED
    ? new ObserverProgress({
        kafka: context.kafka,
        groupId: config.SERVICE_NAME,
        topics: [...new Set(observedEvents().map((name) => topicOf(name)))],
        maxPauseMs: config.SAGA_OBSERVER_MAX_PAUSE,
        logger: logger.child({ component: 'observer-progress' }),
        ...(workflowClock ? { clock: workflowClock } : {}),
      })
    : null;
}

/** The workflow use cases, with the order service's client. */
function workflowServiceOf(
  context: CoordinationContext,
  transaction: CoordinationContext['transaction'],
  engine: WorkflowEngine,
  workflowClock: (() => Date) | undefined,
): WorkflowService {
  const { config } = context;
  return new WorkflowService({
    engine,
    orders: new OrdersClient({
      baseUrl: config.ORDERS_URL,
      credentials: serviceCredentials({ ...config, SERVICE_NAME }),
      timeoutMs: config.ORDERS_TIMEOUT_MS,
    }),
    prisma: context.prisma,
    transaction,
    ...(workflowClock ? { now: workflowClock } : {}),
    ...(config.TRACE_URL_TEMPLATE ? { traceUrlTemplate: config.TRACE_URL_TEMPLATE } : {}),
  });
}

/** The health poller of the registered instances. */
function healthPollerOf(
  context: CoordinationContext,
  registry: RegistryService,
  outbound: OutboundPolicy,
): HealthPoller {
  const { config, logger } = context;
  return new HealthPoller(context.prisma, registry, {
    intervalMs: config.HEALTH_POLL_INTERVAL_MS,
    timeoutMs: config.HEALTH_POLL_TIMEOUT_MS,
    concurrency: config.HEALTH_POLL_CONCURRENCY,
    historySize: config.HEALTH_HISTORY_SIZE,
    logger: logger.child({ component: 'health-poller' }),
    outbound,
  });
}

/** The sweeper that fails the steps and workflows whose time ran out. */
function timeoutSweeperOf(
  context: CoordinationContext,
  engine: WorkflowEngine,
  progress: ObserverProgress | null,
  workflowClock: (() => Date) | undefined,
): TimeoutSweeper {
  const { config, logger } = context;
  return new TimeoutSweeper(engine, {
    db: context.sql,
    transaction: (fn) => context.directTransaction(fn),
    intervalMs: config.WORKFLOW_SWEEP_INTERVAL_MS,
    logger: logger.child({ component: 'workflow-timeouts' }),
    ...(workflowClock ? { clock: workflowClock } : {}),
    ...(progress ? { progress } : {}),
  });
}

/** The dispatcher of the webhook deliveries. */
function webhookDispatcherOf(
  context: CoordinationContext,
  transaction: CoordinationContext['transaction'],
  fanout: WebhookFanout,
  outbound: OutboundPolicy,
  retry: ReturnType<typeof retryPolicyOf>,
): WebhookDispatcher {
  const { config, logger } = context;
  return new WebhookDispatcher({
    transaction,
    db: context.sql,
    fanout,
    intervalMs: config.WEBHOOK_DISPATCH_INTERVAL_MS,
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
    backoff: retry,
    logger: logger.child({ component: 'webhooks' }),
    outbound,
  });
}

/** The parts of the service for one runtime context (see `coordinationService`). */
function buildComponents(context: CoordinationContext, options: CoordinationOptions): CoordinationComponents {
  const { config, logger } = context;
  const transaction = context.transaction as CoordinationContext['transaction'];
  // Webhook and health URLs are chosen by callers: one policy decides which ones are ever called.
  const outbound = outboundPolicyOf(config);
  const registry = registryOf(context, transaction, outbound, options.clock);
  const watch = new ConfigWatch();
  const store = new ConfigService({ prisma: context.prisma, transaction, outbox: context.outbox, watch });
  const retry = retryPolicyOf(config);
  const templates = templatesOf(config, retry);
  const template = templates[0]!;
  const fanout = new WebhookFanout();
  const workflowClock = options.workflowClock;
  // Timeouts are judged on how far the observer's consumer group has caught up (see the README).
  const progress = observerProgressOf(context, workflowClock);
  const engine = new WorkflowEngine({
    templates,
    outbox: context.outbox,
    webhooks: fanout,
    logger: logger.child({ component: 'saga-observer' }),
    openingProducers: config.WORKFLOW_OPENING_PRODUCERS,
    ...(progress ? { observerClock: () => progress.current() } : {}),
    ...(workflowClock ? { now: workflowClock } : {}),
  });
  const workflows = workflowServiceOf(context, transaction, engine, workflowClock);
  const base: Omit<CoordinationComponents, 'console'> = {
    registry,
    config: store,
    watch,
    sweeper: new LeaseSweeper(registry, {
      intervalMs: config.REGISTRY_SWEEP_INTERVAL_MS,
      logger: logger.child({ component: 'lease-sweeper' }),
      ...(options.clock ? { clock: options.clock } : {}),
    }),
    poller: healthPollerOf(context, registry, outbound),
    template,
    engine,
    workflows,
    reports: new WorkflowReports({
      prisma: context.prisma,
      templates,
      estimates: () => workflows.currentEstimates(),
      ...(workflowClock ? { now: workflowClock } : {}),
    }),
    webhooks: new WebhookService({ prisma: context.prisma, fanout, outbound }),
    timeouts: timeoutSweeperOf(context, engine, progress, workflowClock),
    dispatcher: webhookDispatcherOf(context, transaction, fanout, outbound, retry),
    deadLetters: createDeadLetters({
      kafka: context.kafka,
      codec: context.codec,
      prisma: context.prisma,
      logger,
      groupId: ledgerGroupOf(config.SERVICE_NAME),
    }),
  };
  const parts: CoordinationComponents = { ...base, console: consoleParts(context, base, workflowClock) };
  // The background rounds that sleep until work is due learn of new work from commits.
  context.afterCommit(() => {
    parts.timeouts.commitSeen();
    parts.dispatcher.commitSeen();
  });
  return parts;
}

/** The service's API routes and its metrics. */
function registerRoutes(
  app: CoordinationApp,
  context: CoordinationContext,
  parts: CoordinationComponents,
  options: CoordinationOptions,
): void {
  serviceRoutes(app, parts.registry, context.config.REGISTRY_HEARTBEAT_INTERVAL_SECONDS);
  configRoutes(app, parts.config, {
    watchMaxTimeoutSeconds: context.config.CONFIG_WATCH_MAX_TIMEOUT_SECONDS,
    watchRecheckMs: context.config.CONFIG_WATCH_RECHECK_MS,
    watchMaxPerCaller: context.config.CONFIG_WATCH_MAX_PER_CALLER,
  });
  workflowRoutes(app, parts.workflows, parts.reports);
  sagaRoutes(app, parts.workflows);
  webhookRoutes(app, parts.webhooks);
  deadLetterRoutes(app, parts.deadLetters.service);
  consoleRoutes(app, parts.console.service, parts.console.stream);
  closeStreamsOnShutdown(app, parts.console.stream);
  operationRoutes(app, parts.console.operations);
  analyticsModule(context.prisma).routes(app, options.workflowClock);
  registerDeadLetterMetrics(app.metrics, { prisma: context.prisma });
  registerWorkflowMetrics(app.metrics, {
    prisma: context.prisma,
    stuckAfterMs: context.config.WORKFLOW_STUCK_AFTER,
    ...(options.workflowClock ? { now: options.workflowClock } : {}),
  });
}

/** The consumer of the saga observer and the analytics, as the configuration turns them on. */
function consumersOf(
  context: CoordinationContext,
  components: (context: CoordinationContext) => CoordinationComponents,
) {
  const { config } = context;
  const observer = config.SAGA_OBSERVER_ENABLED ? onPlatformEvent(components(context).engine) : null;
  const analytics = config.ANALYTICS_ENABLED ? analyticsModule(context.prisma).handlers : null;
  if (!observer && !analytics) return [];
  // One consumer reads each event once for the observer and the analytics (one fetch, one decode, one
  // transaction), in the observer's group; the analytics alone keeps a group of its own. Both write with
  // SQL only: their transactions skip Prisma (docs/performance.md).
  return [
    {
      ...(observer ? {} : { groupId: analyticsGroupOf(config.SERVICE_NAME) }),
      handlers: combineHandlers(...[observer, analytics].filter((reader) => reader !== null)),
      transactions: 'direct' as const,
    },
  ];
}

/** The background rounds, as the configuration turns them on. */
function backgroundOf(context: CoordinationContext, parts: CoordinationComponents) {
  return [
    parts.sweeper,
    ...(context.config.HEALTH_POLL_ENABLED ? [parts.poller] : []),
    ...(context.config.SAGA_OBSERVER_ENABLED ? [parts.timeouts] : []),
    parts.dispatcher,
    ...(context.config.DLQ_LEDGER_ENABLED ? [parts.deadLetters.ledger] : []),
    parts.deadLetters.publisher,
    parts.console.runner,
  ];
}

/** The service's own health: the database, the relay's queue, self-preservation, and stuck workflows. */
function healthDocumentOf(
  context: CoordinationContext,
  parts: CoordinationComponents,
  workflowClock: (() => Date) | undefined,
) {
  return coordinationHealthDocument({
    prisma: context.prisma,
    self: SERVICE_NAME,
    queueDepth: () => context.relay.pending(),
    selfPreservation: () => parts.registry.selfPreservationActive,
    workflows: () =>
      activeAndStuck(
        context.prisma,
        ACTIVE_WORKFLOW_STATUSES,
        workflowClock?.() ?? new Date(),
        context.config.WORKFLOW_STUCK_AFTER,
      ),
    stuckThreshold: context.config.WORKFLOW_STUCK_THRESHOLD,
  });
}

/** The platform coordination service: registry, configuration store and health aggregator. */
export function coordinationService(options: CoordinationOptions = {}): CoordinationDefinition & {
  components(context: CoordinationContext): CoordinationComponents;
} {
  const components = perInstance((context: CoordinationContext): CoordinationComponents =>
    buildComponents(context, options),
  );

  return {
    name: SERVICE_NAME,
    port: SERVICE_PORT,
    configSchema,
    migrationsDir: new URL('../prisma/migrations', import.meta.url).pathname,
    createPrisma: (adapter) => new PrismaClient({ adapter }),
    tags: ['registry', 'configuration', 'health', 'workflows'],
    errorCodes: COORDINATION_ERROR_CODES,
    ...(options.rateLimit === undefined ? {} : { rateLimit: options.rateLimit }),
    components,
    routes(app, context) {
      registerRoutes(app, context, components(context), options);
    },
    consumers(context) {
      return consumersOf(context, components);
    },
    rootRoutes: (app) => {
      actuatorRoutes(app);
      consoleAssets(app);
    },
    // The coordination service reads its own live keys straight from its store.
    liveConfigSource: (context) => (service, profile) =>
      components(context).config.effective(service, profile, false),
    retention: (context) => coordinationRetentionRules(context.config),
    background(context) {
      return backgroundOf(context, components(context));
    },
    healthDocument(context) {
      return healthDocumentOf(context, components(context), options.workflowClock);
    },
  };
}
