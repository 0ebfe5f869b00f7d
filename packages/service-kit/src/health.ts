import { performance } from 'node:perf_hooks';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { withTimeout } from '@fv/resilience';
import { API_PREFIX } from './auth.js';
import { rateLimitExceeded, serviceUnavailable } from './errors.js';

export type HealthStatus = 'UP' | 'DOWN';

/** What a check may report besides "it did not throw". */
export interface HealthCheckResult {
  /** DOWN without throwing, e.g. a pool that answers but is exhausted. UP when omitted. */
  status?: HealthStatus;
  /** Shown in the health document next to the status. */
  details?: Record<string, unknown>;
}

export interface HealthCheck {
  name: string;
  /** A failing critical check makes the service not ready. Defaults to true. */
  critical?: boolean;
  /** Overrides the registry's timeout for this check. */
  timeoutMs?: number;
  /** Resolves when the dependency is usable; a thrown error or a timeout means DOWN. */
  check(): Promise<HealthCheckResult | void>;
}

export interface HealthCheckOutcome {
  name: string;
  critical: boolean;
  status: HealthStatus;
  details: Record<string, unknown>;
  durationMs: number;
}

export type OverallHealthStatus = 'UP' | 'DEGRADED' | 'DOWN';

export interface HealthDocument {
  status: OverallHealthStatus;
  details: Record<string, { status: HealthStatus } & Record<string, unknown>>;
  timestamp: string;
}

/** Builds the body of `/health` from the outcomes of all checks. */
export type HealthDocumentBuilder = (outcomes: readonly HealthCheckOutcome[]) => Promise<object>;

export interface Readiness {
  ready: boolean;
  /** Names of the critical checks that failed. */
  failing: string[];
  shuttingDown: boolean;
  outcomes: HealthCheckOutcome[];
}

export const DEFAULT_HEALTH_CHECK_TIMEOUT_MS = 2000;

class HealthCheckTimeout extends Error {
  constructor(timeoutMs: number) {
    super(`timed out after ${timeoutMs} ms`);
    this.name = 'HealthCheckTimeout';
  }
}

/** The set of checks of one service, and whether it is shutting down. */
export class HealthRegistry {
  readonly #checks = new Map<string, HealthCheck>();
  readonly #timeoutMs: number;
  #shuttingDown = false;

  constructor(options: { checks?: readonly HealthCheck[]; timeoutMs?: number } = {}) {
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_HEALTH_CHECK_TIMEOUT_MS;
    for (const check of options.checks ?? []) this.register(check);
  }

  register(check: HealthCheck): void {
    if (this.#checks.has(check.name))
      throw new Error(`A health check named "${check.name}" is already registered`);
    this.#checks.set(check.name, check);
  }

  get checks(): readonly HealthCheck[] {
    return [...this.#checks.values()];
  }

  /** From now on the service reports not ready; it cannot become ready again. */
  markShuttingDown(): void {
    this.#shuttingDown = true;
  }

  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  async runCheck(check: HealthCheck): Promise<HealthCheckOutcome> {
    const critical = check.critical ?? true;
    const started = performance.now();
    const timeoutMs = check.timeoutMs ?? this.#timeoutMs;
    try {
      const result = await withTimeout(
        Promise.resolve().then(() => check.check()),
        timeoutMs,
        () => new HealthCheckTimeout(timeoutMs),
      );
      return {
        name: check.name,
        critical,
        status: result?.status ?? 'UP',
        details: result?.details ?? {},
        durationMs: performance.now() - started,
      };
    } catch (error) {
      return {
        name: check.name,
        critical,
        status: 'DOWN',
        details: { error: error instanceof Error ? error.message : String(error) },
        durationMs: performance.now() - started,
      };
    }
  }

  /** Runs the checks (all, or those `filter` selects) concurrently. */
  async run(filter: (check: HealthCheck) => boolean = () => true): Promise<HealthCheckOutcome[]> {
    return Promise.all(this.checks.filter(filter).map((check) => this.runCheck(check)));
  }

  /** Ready when not shutting down and every critical check passes. */
  async readiness(): Promise<Readiness> {
    if (this.#shuttingDown) return { ready: false, failing: [], shuttingDown: true, outcomes: [] };
    const outcomes = await this.run((check) => check.critical ?? true);
    const failing = outcomes.filter((outcome) => outcome.status === 'DOWN').map((outcome) => outcome.name);
    return { ready: failing.length === 0, failing, shuttingDown: false, outcomes };
  }
}

/** DOWN when a critical check fails, DEGRADED when only non-critical ones do. */
export function overallStatus(outcomes: readonly HealthCheckOutcome[]): OverallHealthStatus {
  const down = outcomes.filter((outcome) => outcome.status === 'DOWN');
  if (down.some((outcome) => outcome.critical)) return 'DOWN';
  return down.length > 0 ? 'DEGRADED' : 'UP';
}

export function defaultHealthDocument(
  outcomes: readonly HealthCheckOutcome[],
  now = new Date(),
): HealthDocument {
  const details: HealthDocument['details'] = {};
  for (const outcome of outcomes) {
    details[outcome.name] = { status: outcome.status, critical: outcome.critical, ...outcome.details };
  }
  return { status: overallStatus(outcomes), details, timestamp: now.toISOString() };
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Health checks of this service; add more with `app.health.register(...)`. */
    health: HealthRegistry;
  }

  interface FastifyContextConfig {
    /** A probe keeps answering while the service shuts down and is never rate limited. */
    probe?: boolean;
  }
}

const statusSchema = { type: 'string', enum: ['UP', 'DOWN'] } as const;

const healthDocumentSchema = {
  description: 'Full health document: overall status and one entry per check',
  type: 'object',
  additionalProperties: true,
} as const;

export interface LifecycleOptions {
  registry: HealthRegistry;
}

/**
 * Decorates the app with its {@link HealthRegistry} and, once the service is shutting
 * down, answers every route but the probes with 503 SERVICE_UNAVAILABLE.
 */
const lifecyclePlugin: FastifyPluginAsync<LifecycleOptions> = async (app, options) => {
  const { registry } = options;
  app.decorate('health', registry);

  app.addHook('preClose', async () => {
    registry.markShuttingDown();
  });

  app.addHook('onRequest', async (request, reply) => {
    if (!registry.shuttingDown || request.routeOptions.config.probe === true) return;
    reply.header('connection', 'close');
    throw serviceUnavailable('The service is shutting down');
  });
};

export const lifecycle = fp(lifecyclePlugin, { name: '@fv/service-kit/lifecycle', fastify: '5.x' });

export interface HealthRoutesOptions {
  /** Replaces the default body of `/health` and `/api/v1/health`. */
  document?: HealthDocumentBuilder;
  /**
   * How long one run of the checks and its document answer `/health` and `/api/v1/health` (default 0:
   * every request runs them). Concurrent requests always share one run, so a burst of anonymous calls
   * costs the database, the broker and the document builder one run per period, not one per request.
   */
  cacheMs?: number;
  /**
   * Requests to the health document each caller (token subject, else address) may make per minute
   * (default 0: unlimited). The liveness and readiness probes are never limited.
   */
  ratePerMinute?: number;
}

/** The probes and the health document: open, answered while shutting down, never rate limited. */
const probeConfig = { probe: true, public: true, rateLimit: false } as const;

const livenessSchema = {
  tags: ['operations'],
  summary: 'Liveness probe: UP while the process answers; never consults dependencies',
  response: { 200: { type: 'object', required: ['status'], properties: { status: statusSchema } } },
} as const;

const readinessSchema = {
  tags: ['operations'],
  summary: 'Readiness probe: UP only when every critical check passes',
  response: {
    200: { type: 'object', required: ['status'], properties: { status: statusSchema } },
    503: {
      type: 'object',
      required: ['status', 'failing'],
      properties: {
        status: statusSchema,
        failing: { type: 'array', items: { type: 'string' } },
        reason: { type: 'string' },
        checks: { type: 'object', additionalProperties: true },
      },
    },
  },
} as const;

const documentRoute = {
  config: probeConfig,
  schema: {
    tags: ['operations'],
    summary: 'Health document with the status of every check',
    response: { 200: healthDocumentSchema, 503: healthDocumentSchema },
  },
};

/**
 * `/health/live`, `/health/ready`, `/health` and `/api/v1/health`, all open. The full
 * document is served under /api/v1 too because clients of the API (and the coordination
 * service's aggregator) address everything relative to the base URL; it exposes no more
 * than the probes do, so it needs no token.
 */
const healthPlugin: FastifyPluginAsync<HealthRoutesOptions> = async (app, options) => {
  const registry = app.health;
  registerLiveness(app);
  registerReadiness(app, registry);
  registerHealthDocument(app, registry, options);
};

function registerLiveness(app: FastifyInstance): void {
  app.get('/health/live', { config: probeConfig, logLevel: 'warn', schema: livenessSchema }, async () => ({
    status: 'UP' as const,
  }));
}

/** `/health/ready`: 503 with the failing critical checks; logs when readiness is lost and regained. */
function registerReadiness(app: FastifyInstance, registry: HealthRegistry): void {
  let wasReady: boolean | undefined;
  app.get(
    '/health/ready',
    { config: probeConfig, logLevel: 'warn', schema: readinessSchema },
    async (_request, reply) => {
      const readiness = await registry.readiness();
      if (readiness.ready) {
        if (wasReady === false) app.log.info('ready again: all critical checks pass');
        wasReady = true;
        return { status: 'UP' as const };
      }
      if (readiness.shuttingDown) {
        return reply.code(503).send({ status: 'DOWN', failing: [], reason: 'shutting down' });
      }
      const checks: Record<string, unknown> = {};
      for (const outcome of readiness.outcomes) {
        if (outcome.status === 'DOWN') checks[outcome.name] = { status: outcome.status, ...outcome.details };
      }
      // Probes repeat every few seconds: log the transition, not every answer.
      if (wasReady !== false)
        app.log.warn({ failing: readiness.failing, checks }, 'not ready: critical checks failing');
      wasReady = false;
      return reply
        .code(503)
        .send({ status: 'DOWN', failing: readiness.failing, reason: 'critical checks failing', checks });
    },
  );
}

/** `/health` and `/api/v1/health`: the health document, from a run of the checks shared and cached. */
function registerHealthDocument(
  app: FastifyInstance,
  registry: HealthRegistry,
  options: HealthRoutesOptions,
): void {
  const buildDocument: HealthDocumentBuilder =
    options.document ?? (async (outcomes) => defaultHealthDocument(outcomes));
  const evaluate = async () => {
    const outcomes = await registry.run();
    return { down: overallStatus(outcomes) === 'DOWN', document: await buildDocument(outcomes) };
  };
  const answeringRun = sharedRun(evaluate, options.cacheMs ?? 0);
  const admit = healthDocumentLimiter(options.ratePerMinute ?? 0);
  const fullDocument = async (request: FastifyRequest, reply: FastifyReply) => {
    admit(request);
    const { down, document } = await answeringRun();
    return reply.code(down || registry.shuttingDown ? 503 : 200).send(document);
  };
  app.get('/health', documentRoute, fullDocument);
  app.get(`${API_PREFIX}/health`, documentRoute, fullDocument);
}

/** The run that answers: shared while pending, then kept for `cacheMs` after it settled. */
function sharedRun<T>(evaluate: () => Promise<T>, cacheMs: number): () => Promise<T> {
  let last: { settledAt: number | null; run: Promise<T> } | null = null;
  return () => {
    const fresh = last && (last.settledAt === null || performance.now() - last.settledAt < cacheMs);
    if (!fresh) {
      const current: NonNullable<typeof last> = { settledAt: null, run: evaluate() };
      last = current;
      current.run.then(
        () => {
          current.settledAt = performance.now();
        },
        // A failed run is not kept for the next caller.
        () => {
          if (last === current) last = null;
        },
      );
    }
    return last!.run;
  };
}

/**
 * A fixed one-minute window per caller for the health document, which runs the checks (a database
 * ping, a broker call) whenever its cache has expired. Throws 429 RATE_LIMIT_EXCEEDED past the limit.
 */
function healthDocumentLimiter(perMinute: number): (request: FastifyRequest) => void {
  const WINDOW_MS = 60_000;
  let windowStart = 0;
  let counts = new Map<string, number>();
  return (request) => {
    if (perMinute <= 0) return;
    const now = performance.now();
    if (now - windowStart >= WINDOW_MS) {
      windowStart = now;
      counts = new Map();
    }
    const key = request.principal ? `sub:${request.principal.sub}` : `ip:${request.ip}`;
    const count = (counts.get(key) ?? 0) + 1;
    counts.set(key, count);
    if (count > perMinute) {
      const retryAfter = Math.max(1, Math.ceil((windowStart + WINDOW_MS - now) / 1000));
      throw rateLimitExceeded(retryAfter, { limit: perMinute, windowSeconds: 60 });
    }
  };
}

export const healthRoutes = fp(healthPlugin, {
  name: '@fv/service-kit/health',
  fastify: '5.x',
  dependencies: ['@fv/service-kit/lifecycle'],
});
