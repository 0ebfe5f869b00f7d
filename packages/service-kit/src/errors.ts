/**
 * The error codes every service may answer with, and their HTTP statuses. The first block is seed 001's
 * error-code table without its workflow and saga codes, which only the coordination service answers
 * with and declares itself ({@link defineErrorCodes}); the second adds generic codes for the other
 * services.
 */
export const ERROR_STATUS = {
  INVALID_REQUEST: 400,
  AUTHENTICATION_REQUIRED: 401,
  INSUFFICIENT_PERMISSIONS: 403,
  SERVICE_UNAVAILABLE: 503,
  TIMEOUT_EXCEEDED: 504,
  RATE_LIMIT_EXCEEDED: 429,
  INTERNAL_ERROR: 500,

  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNPROCESSABLE_ENTITY: 422,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** The codes whose HTTP status is `S`, e.g. `CodeWithStatus<404>`. */
export type CodeWithStatus<S extends number> = {
  [K in ErrorCode]: (typeof ERROR_STATUS)[K] extends S ? K : never;
}[ErrorCode];

export const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

export type ErrorDetails = Record<string, unknown>;

export interface AppErrorOptions {
  details?: ErrorDetails;
  /** Whether repeating the same operation later may succeed. Defaults from the status. */
  retriable?: boolean;
  cause?: unknown;
  /** Response headers that belong to this error, e.g. `Retry-After`. */
  headers?: Record<string, string>;
}

/** Server-side failures and timeouts may pass on a later attempt; client errors will not. */
export function isRetriableStatus(status: number): boolean {
  return status >= 500;
}

/**
 * The one error type of the platform: a stable `code` from {@link ERROR_STATUS} (or from a service's
 * own {@link defineErrorCodes}), its HTTP `status`, structured `details` and a `retriable` flag that
 * consumers use to choose between retrying and dead-lettering.
 */
export class AppError extends Error {
  readonly code: ErrorCode | (string & {});
  readonly status: number;
  readonly details: ErrorDetails;
  readonly retriable: boolean;
  readonly headers: Readonly<Record<string, string>>;

  constructor(code: ErrorCode, message: string, options?: AppErrorOptions);
  /** A code of a service's own, with its status: see {@link defineErrorCodes}. */
  constructor(code: string, message: string, options: AppErrorOptions & { status: number });
  constructor(code: string, message: string, options: AppErrorOptions & { status?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = options.status ?? ERROR_STATUS[code as ErrorCode];
    this.details = options.details ?? {};
    this.retriable = options.retriable ?? isRetriableStatus(this.status);
    this.headers = options.headers ?? {};
  }
}

/** Error codes a service answers with besides the shared ones, with their HTTP statuses. */
export interface ServiceErrorCodes<C extends string = string> {
  readonly statuses: Readonly<Record<C, number>>;
  readonly codes: readonly C[];
  /** An {@link AppError} of one of these codes, with its status. */
  error(code: C, message: string, options?: AppErrorOptions): AppError;
}

/**
 * Declares a service's own error codes and their HTTP statuses, e.g. the coordination service's
 * `WORKFLOW_NOT_FOUND: 404`. Pass the result to `createApp({ errorCodes })` so that the service's
 * `ErrorEnvelope` schema (and its OpenAPI document) lists them, and build the errors with its `error`.
 * A code is UPPER_SNAKE_CASE, not one of the shared {@link ERROR_STATUS}, and its status a 4xx or 5xx.
 */
export function defineErrorCodes<const T extends Record<string, number>>(
  statuses: T,
): ServiceErrorCodes<Extract<keyof T, string>> {
  type Code = Extract<keyof T, string>;
  for (const [code, status] of Object.entries(statuses)) {
    if (!/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/.test(code))
      throw new TypeError(`Error code ${code} is not UPPER_SNAKE_CASE`);
    if (Object.hasOwn(ERROR_STATUS, code))
      throw new TypeError(`Error code ${code} is a shared code; a service cannot declare it again`);
    if (!Number.isInteger(status) || status < 400 || status > 599)
      throw new TypeError(`Error code ${code} needs an HTTP status from 400 to 599, not ${status}`);
  }
  const table = Object.freeze({ ...statuses }) as Readonly<Record<Code, number>>;
  return {
    statuses: table,
    codes: Object.freeze(Object.keys(table) as Code[]),
    error: (code, message, options = {}) => new AppError(code, message, { ...options, status: table[code] }),
  };
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

export interface ErrorEnvelope {
  error: {
    code: ErrorCode | (string & {});
    message: string;
    details: ErrorDetails;
    traceId: string;
  };
}

export function toErrorEnvelope(error: AppError, traceId: string): ErrorEnvelope {
  return { error: { code: error.code, message: error.message, details: error.details, traceId } };
}

/**
 * JSON schema of the envelope, registered on every app as `ErrorEnvelope`: its `code` is one of the
 * shared codes or of `serviceCodes`, the service's own.
 */
export function errorEnvelopeSchemaOf(serviceCodes: readonly string[] = []) {
  return {
    $id: 'ErrorEnvelope',
    type: 'object',
    description: 'Error response shared by every service',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message', 'details', 'traceId'],
        properties: {
          code: { type: 'string', enum: [...ERROR_CODES, ...serviceCodes] },
          message: { type: 'string' },
          details: { type: 'object', additionalProperties: true },
          traceId: { type: 'string' },
        },
      },
    },
  } as const;
}

/** The envelope's schema for a service without codes of its own. */
export const errorEnvelopeSchema = errorEnvelopeSchemaOf();

/** One offending input field, as listed in `details.fields` of an INVALID_REQUEST error. */
export interface FieldIssue {
  /** Where the field is, e.g. `body.items[0].quantity` or `query.page`. */
  field: string;
  /** The rule it breaks, e.g. `required`, `maximum`, `format`. */
  rule: string;
  message: string;
}

export function badRequest(message: string, details?: ErrorDetails): AppError {
  return new AppError('INVALID_REQUEST', message, { details });
}

export function invalidFields(fields: readonly FieldIssue[], message?: string): AppError {
  const summary = fields.map((field) => `${field.field} ${field.message}`).join('; ');
  return new AppError('INVALID_REQUEST', message ?? `Request validation failed: ${summary}`, {
    details: { fields },
  });
}

export function authenticationRequired(
  message = 'Authentication is required',
  details?: ErrorDetails,
): AppError {
  return new AppError('AUTHENTICATION_REQUIRED', message, {
    details,
    headers: { 'www-authenticate': 'Bearer' },
  });
}

export function insufficientPermissions(
  message = 'The caller lacks the permissions for this operation',
  details?: ErrorDetails,
): AppError {
  return new AppError('INSUFFICIENT_PERMISSIONS', message, { details });
}

export function notFound(code: CodeWithStatus<404>, message: string, details?: ErrorDetails): AppError {
  return new AppError(code, message, { details });
}

export function conflict(code: CodeWithStatus<409>, message: string, details?: ErrorDetails): AppError {
  return new AppError(code, message, { details });
}

export function unprocessable(code: CodeWithStatus<422>, message: string, details?: ErrorDetails): AppError {
  return new AppError(code, message, { details });
}

export function serviceUnavailable(message: string, details?: ErrorDetails, cause?: unknown): AppError {
  return new AppError('SERVICE_UNAVAILABLE', message, { details, cause });
}

export function timeoutExceeded(message: string, details?: ErrorDetails, cause?: unknown): AppError {
  return new AppError('TIMEOUT_EXCEEDED', message, { details, cause });
}

export function rateLimitExceeded(retryAfterSeconds: number, details?: ErrorDetails): AppError {
  return new AppError('RATE_LIMIT_EXCEEDED', `Rate limit exceeded, retry in ${retryAfterSeconds} s`, {
    details: { retryAfterSeconds, ...details },
    headers: { 'retry-after': String(retryAfterSeconds) },
  });
}

export function internalError(message = 'An unexpected error occurred', cause?: unknown): AppError {
  return new AppError('INTERNAL_ERROR', message, { cause });
}
