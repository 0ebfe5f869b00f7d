import fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { authenticatorOptions, type IdentityConfig } from './auth-credentials.js';
import { authentication, authorization } from './auth.js';
import { acceptBodilessJson, buildValidator } from './body-parsing.js';
import type { BaseConfig } from './config.js';
import { errorHandling, handleFrameworkError } from './error-handler.js';
import type { ServiceErrorCodes } from './errors.js';
import {
  healthRoutes,
  HealthRegistry,
  lifecycle,
  type HealthCheck,
  type HealthDocumentBuilder,
} from './health.js';
import { createLogger, followLevel, type Logger } from './logger.js';
import { createMetricsRegistry, metrics, metricsRoute } from './metrics.js';
import { openApi, type OpenApiOptions } from './openapi.js';
import { rateLimiting, type RateLimitSettings } from './rate-limit.js';
import { RequestLogController, requestContext, requestIdFromHeaders } from './request-context.js';

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

export type AppConfig = Pick<BaseConfig, 'SERVICE_NAME' | 'SERVICE_VERSION' | 'LOG_LEVEL'> &
  Omit<IdentityConfig, 'SERVICE_NAME'>;

export interface CreateAppOptions {
  config: AppConfig;
  /** The service's logger; one is created from `config` when omitted. */
  logger?: Logger;
  /** Checks behind readiness and the health document; more can be added with `app.health.register`. */
  healthChecks?: readonly HealthCheck[];
  /** Default timeout of each health check, in milliseconds (2000). */
  healthCheckTimeoutMs?: number;
  /** Replaces the body of `/health` and `/api/v1/health`. */
  healthDocument?: HealthDocumentBuilder;
  /** How long one run of the health checks answers `/health` (default 0; services pass HEALTH_CACHE_MS). */
  healthCacheMs?: number;
  /** Health document requests per caller and minute (0: unlimited; services pass HEALTH_RATE_LIMIT_PER_MINUTE). */
  healthRatePerMinute?: number;
  /** Per caller class limits; `false` turns rate limiting off. */
  rateLimit?: RateLimitSettings | false;
  /** Largest accepted request body in bytes (1 MiB). */
  bodyLimit?: number;
  /** Trust `X-Forwarded-*` from these proxies (fastify's `trustProxy`); off by default. */
  trustProxy?: boolean | string | string[];
  /** Extra OpenAPI document fields (description, servers). */
  openapi?: Omit<OpenApiOptions, 'title' | 'version'>;
  /** Process metrics on /metrics (true). */
  defaultMetrics?: boolean;
  /** The service's own error codes (`defineErrorCodes`), listed in its `ErrorEnvelope` schema. */
  errorCodes?: ServiceErrorCodes;
  /** Runs when the app closes, after in-flight requests have finished. */
  onClose?: (app: FastifyInstance) => Promise<void> | void;
}

/**
 * Builds a service's fastify instance with the platform's request context, logging,
 * error envelope, authentication, rate limits, health probes, metrics and OpenAPI
 * document. It never listens: tests use `app.inject`, `runService` listens.
 *
 * Register the service's routes afterwards under `/api/v1`:
 * `await app.register(ordersRoutes, { prefix: '/api/v1' })`.
 */
export async function createApp(options: CreateAppOptions): Promise<FastifyInstance> {
  const { config } = options;
  const logger =
    options.logger ??
    createLogger({ service: config.SERVICE_NAME, version: config.SERVICE_VERSION, level: config.LOG_LEVEL });

  const app = fastify({
    // Typed as fastify's logger interface so the app is a plain FastifyInstance.
    loggerInstance: logger as FastifyBaseLogger,
    genReqId: requestIdFromHeaders,
    requestIdHeader: false,
    logController: new RequestLogController(),
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    trustProxy: options.trustProxy ?? false,
    // Requests that arrive while closing get the envelope from the lifecycle plugin instead.
    return503OnClosing: false,
    // A field the schema does not declare is refused (400 naming it) rather than silently dropped,
    // so a client's typo never passes unnoticed. Query strings and params are coerced, bodies are not.
    ajv: { customOptions: { removeAdditional: false, allErrors: false } },
    schemaController: { compilersFactory: { buildValidator } },
    frameworkErrors: handleFrameworkError,
  });

  acceptBodilessJson(app);
  const stopFollowingLevel = followLevel(logger, app.log as Logger);
  app.addHook('onClose', async () => stopFollowingLevel());

  const registry = new HealthRegistry({
    checks: options.healthChecks ?? [],
    ...(options.healthCheckTimeoutMs === undefined ? {} : { timeoutMs: options.healthCheckTimeoutMs }),
  });

  // Hook order matters: context first, so every later rejection carries the trace id;
  // then the shutdown guard, caller identification, rate limiting, and only then the
  // decision to reject an unauthenticated or unauthorised caller.
  await app.register(requestContext);
  await app.register(errorHandling, { errorCodes: options.errorCodes });
  await app.register(metrics, {
    registry: createMetricsRegistry({
      service: config.SERVICE_NAME,
      defaultMetrics: options.defaultMetrics ?? true,
    }),
  });
  await app.register(lifecycle, { registry });
  await app.register(authentication, authenticatorOptions(config));
  if (options.rateLimit !== false) await app.register(rateLimiting, options.rateLimit ?? {});
  await app.register(authorization);

  // The OpenAPI collector must be in place before any route is declared.
  await app.register(openApi, {
    title: config.SERVICE_NAME,
    version: config.SERVICE_VERSION,
    ...options.openapi,
  });
  await app.register(healthRoutes, {
    ...(options.healthDocument ? { document: options.healthDocument } : {}),
    cacheMs: options.healthCacheMs ?? 0,
    ratePerMinute: options.healthRatePerMinute ?? 0,
  });
  await app.register(metricsRoute);

  const onClose = options.onClose;
  if (onClose) app.addHook('onClose', async (instance) => onClose(instance));

  return app;
}
