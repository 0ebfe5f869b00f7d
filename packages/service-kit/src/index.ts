export {
  baseConfigSchema,
  ConfigError,
  envBoolean,
  envBrokerList,
  envDelayList,
  envInteger,
  envList,
  envUrl,
  isLocalDevelopment,
  loadConfig,
  loadConfigOrExit,
  loadToolConfigOrExit,
  LOCAL_DEVELOPMENT_JWT_SECRET,
  LOG_LEVELS,
  splitEnvList,
  type BaseConfig,
  type ConfigIssue,
  type Environment,
  type EnvListOptions,
  type ExitTerminal,
  type LogLevel,
} from './config.js';

export {
  AppError,
  authenticationRequired,
  badRequest,
  conflict,
  defineErrorCodes,
  ERROR_CODES,
  ERROR_STATUS,
  errorEnvelopeSchema,
  errorEnvelopeSchemaOf,
  insufficientPermissions,
  internalError,
  invalidFields,
  isAppError,
  isRetriableStatus,
  notFound,
  rateLimitExceeded,
  serviceUnavailable,
  timeoutExceeded,
  toErrorEnvelope,
  unprocessable,
  type AppErrorOptions,
  type CodeWithStatus,
  type ErrorCode,
  type ErrorDetails,
  type ErrorEnvelope,
  type FieldIssue,
  type ServiceErrorCodes,
} from './errors.js';

export { fieldIssuesFromValidation, fieldIssuesFromZod, sendError, toAppError } from './error-handler.js';

export {
  createLogger,
  followLevel,
  lazyChild,
  redactSensitive,
  REDACTED,
  SENSITIVE_KEYS,
  withContext,
  type CreateLoggerOptions,
  type LogContext,
  type Logger,
} from './logger.js';

export {
  createTraceContext,
  formatTraceparent,
  generateSpanId,
  generateTraceId,
  parseTraceparent,
  traceContextFrom,
  type ParsedTraceparent,
  type TraceContext,
} from './trace-context.js';

export { startTelemetry, type Telemetry, type TelemetryOptions } from './telemetry/start-telemetry.js';

export {
  CORRELATION_ID_HEADER,
  correlationIdFrom,
  routeLabel,
  TRACE_ID_HEADER,
  TRACEPARENT_HEADER,
  UNMATCHED_ROUTE,
} from './request-context.js';

export {
  API_PREFIX,
  assertRoles,
  assertServiceAllowed,
  createAuthenticator,
  createJwksKeyResolver,
  createTokenVerifier,
  DEFAULT_MAX_TOKEN_LIFETIME_SECONDS,
  DEFAULT_TOKEN_AUDIENCE,
  DEFAULT_TOKEN_ISSUER,
  requirePrincipal,
  requiresAuthentication,
  ROLES,
  SERVICE_KEY_ID_PREFIX,
  signToken,
  type Authenticator,
  type AuthenticatorOptions,
  type JwksKeyResolver,
  type Principal,
  type Role,
  type SigningKey,
  type SignTokenOptions,
  type TokenPolicy,
  type TokenVerifier,
} from './auth.js';

export {
  authenticatorOptions,
  serviceCredentials,
  signServiceToken,
  type IdentityConfig,
  type ServiceCredentials,
} from './auth-credentials.js';

export { isUuid, idPattern, nameBasedUuid, normalizeCustomerId, parseId } from './ids.js';

export {
  assertCanSee,
  canSeeCustomer,
  customerScope,
  findVisible,
  isStaff,
  recordNotFound,
} from './access.js';
export { idParams } from './route-params.js';

export {
  callerClass,
  DEFAULT_RATE_LIMIT_WINDOW_MS,
  DEFAULT_RATE_LIMITS,
  rateLimitKey,
  type CallerClass,
  type RateLimitSettings,
} from './rate-limit.js';

export {
  DEFAULT_HEALTH_CHECK_TIMEOUT_MS,
  defaultHealthDocument,
  HealthRegistry,
  overallStatus,
  type HealthCheck,
  type HealthCheckOutcome,
  type HealthCheckResult,
  type HealthDocument,
  type HealthDocumentBuilder,
  type HealthStatus,
  type OverallHealthStatus,
  type Readiness,
} from './health.js';

export {
  createMetricsRegistry,
  EVENT_LOOP_SAMPLE_MS,
  HTTP_DURATION_BUCKETS,
  type MetricsRegistryOptions,
} from './metrics.js';
export { Counter, Gauge } from 'prom-client';

export { BEARER_SCHEME, DOCS_PREFIX, documentRoute, type OpenApiOptions } from './openapi.js';

export { createApp, DEFAULT_BODY_LIMIT, type AppConfig, type CreateAppOptions } from './create-app.js';
export {
  withSchemaTypes,
  type SchemaType,
  type SchemaTypedApp,
  type SchemaTypeProvider,
} from './type-provider.js';

export {
  runService,
  type Closeable,
  type ProcessLike,
  type RunningService,
  type RunServiceOptions,
} from './run-service.js';

export {
  createLiveConfig,
  DEFAULT_RETRY_SETTINGS,
  liveConfigBaseShape,
  retrySettingsSchema,
  type ApplyResult,
  type CreateLiveConfigOptions,
  type LiveConfig,
  type LiveConfigChange,
  type LiveConfigValues,
  type RetrySettings,
} from './live-config.js';

export { createDevToken, parseDevTokenArgs, type DevTokenRequest } from './dev-token.js';

export { percentile } from './percentile.js';

export {
  pagination,
  paginationSchema,
  springPage,
  springPageOf,
  springPageSchema,
  type PageRequest,
} from './paging.js';
