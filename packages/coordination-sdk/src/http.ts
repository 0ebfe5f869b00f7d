import { backoffDelay as backoffDelayOf, sleep } from '@fv/resilience';
import type { components } from './generated/openapi.js';

export type ErrorCode = components['schemas']['ErrorEnvelope']['error']['code'];

/**
 * An answer in seed 001's error envelope (`{ error: { code, message, details, traceId } }`), or a
 * failure to get any answer (`status` 0, code SERVICE_UNAVAILABLE or TIMEOUT_EXCEEDED).
 */
export class CoordinationError extends Error {
  override readonly name = 'CoordinationError';
  readonly code: ErrorCode | (string & {});
  readonly status: number;
  readonly details: Record<string, unknown>;
  readonly traceId: string | null;
  /** The server's Retry-After in milliseconds, when it sent one. */
  readonly retryAfterMs: number | null;

  constructor(init: {
    code: string;
    message: string;
    status: number;
    details?: Record<string, unknown>;
    traceId?: string | null;
    retryAfterMs?: number | null;
    cause?: unknown;
  }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.status = init.status;
    this.details = init.details ?? {};
    this.traceId = init.traceId ?? null;
    this.retryAfterMs = init.retryAfterMs ?? null;
  }
}

export interface RetryOptions {
  /** Attempts after the first one for a 429 or 503 answer (default 3; 0 turns retries off). */
  maxRetries?: number;
  /** First backoff in milliseconds (default 200); doubled at each attempt, with full jitter. */
  baseDelayMs?: number;
  /** Longest wait between two attempts, Retry-After included (default 10 000). */
  maxDelayMs?: number;
}

export interface ClientOptions {
  /** The API's base URL, version included: `http://platform-coordination:8081/api/v1`. */
  baseUrl: string;
  /**
   * The bearer token sent as `Authorization: Bearer <apiKey>` (a JWT), or a function answering the
   * current one for callers whose tokens expire and are renewed (asked before every attempt).
   */
  apiKey?: string | (() => string) | undefined;
  /** Per-request time limit in milliseconds (default 30 000). */
  timeoutMs?: number;
  retry?: RetryOptions;
  /** Another fetch implementation (default: the global one). */
  fetch?: typeof fetch;
  /** Headers added to every request. */
  headers?: Record<string, string>;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined> | undefined;
  body?: unknown;
  headers?: Record<string, string | undefined>;
  /** A POST may be repeated after a 503 only when it is idempotent (it carries an idempotency key). */
  idempotent?: boolean;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Statuses besides 2xx that answer with the documented body rather than an error (health: 503). */
  accept?: number[];
}

export interface HttpAnswer<T> {
  status: number;
  headers: Headers;
  body: T;
}

const RETRIED = new Set([429, 503]);
const SAFE_METHODS = new Set(['GET', 'HEAD', 'PUT', 'DELETE']);

/** Retry-After as milliseconds: delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (value === null || value.trim() === '') return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/**
 * Exponential backoff with full jitter (many clients of one server spread their retries over the whole
 * window); the server's Retry-After, when given, is the floor, and `maxDelayMs` the cap of both.
 */
export function backoffDelay(
  attempt: number,
  retryAfterMs: number | null,
  options: Required<RetryOptions>,
  random: () => number = Math.random,
): number {
  const jittered = backoffDelayOf(
    attempt,
    { initialMs: options.baseDelayMs, maxMs: options.maxDelayMs, jitter: 'full' },
    random,
  );
  return Math.min(options.maxDelayMs, Math.max(jittered, retryAfterMs ?? 0));
}

function errorOf(status: number, payload: unknown, headers: Headers): CoordinationError {
  const envelope = (payload as { error?: Record<string, unknown> } | null)?.error;
  const retryAfterMs = parseRetryAfter(headers.get('retry-after'));
  if (envelope && typeof envelope.code === 'string') {
    return new CoordinationError({
      code: envelope.code,
      message: typeof envelope.message === 'string' ? envelope.message : `HTTP ${status}`,
      status,
      details: (envelope.details as Record<string, unknown> | undefined) ?? {},
      traceId: typeof envelope.traceId === 'string' ? envelope.traceId : headers.get('x-trace-id'),
      retryAfterMs,
    });
  }
  return new CoordinationError({
    code: status === 503 ? 'SERVICE_UNAVAILABLE' : status >= 500 ? 'INTERNAL_ERROR' : 'INVALID_REQUEST',
    message: `HTTP ${status} without an error envelope`,
    status,
    details: payload === null || payload === undefined ? {} : { body: payload },
    traceId: headers.get('x-trace-id'),
    retryAfterMs,
  });
}

/** Waits `ms`; throws the signal's reason when the caller aborts meanwhile (or already had). */
async function pause(ms: number, signal?: AbortSignal): Promise<void> {
  if (!(await sleep(ms, signal))) throw signal?.reason;
}

/** The transport: JSON in and out, typed errors, retries of 429 and 503 with backoff. */
export class HttpClient {
  private readonly baseUrl: string;
  private readonly retry: Required<RetryOptions>;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: ClientOptions) {
    if (!options.baseUrl) throw new TypeError('CoordinationClient needs a baseUrl');
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.retry = {
      maxRetries: options.retry?.maxRetries ?? 3,
      baseDelayMs: options.retry?.baseDelayMs ?? 200,
      maxDelayMs: options.retry?.maxDelayMs ?? 10_000,
    };
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  url(path: string, query?: RequestOptions['query']): string {
    const url = new URL(`${this.baseUrl}${path}`);
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    return url.toString();
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<HttpAnswer<T>> {
    const url = this.url(path, options.query);
    const headers: Record<string, string> = { accept: 'application/json', ...this.options.headers };
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      if (value !== undefined) headers[name.toLowerCase()] = value;
    }
    const hasBody = options.body !== undefined;
    if (hasBody) headers['content-type'] = 'application/json';
    const retriesAllowed = SAFE_METHODS.has(method) || options.idempotent === true;
    // A request's own Authorization header wins over the client's key.
    const ownAuthorization = Object.entries(options.headers ?? {}).some(
      ([name, value]) => name.toLowerCase() === 'authorization' && value !== undefined,
    );

    for (let attempt = 0; ; attempt += 1) {
      const apiKey = typeof this.options.apiKey === 'function' ? this.options.apiKey() : this.options.apiKey;
      if (apiKey && !ownAuthorization) headers.authorization = `Bearer ${apiKey}`;
      let response: Response;
      try {
        const timeout = AbortSignal.timeout(options.timeoutMs ?? this.options.timeoutMs ?? 30_000);
        response = await this.fetchImpl(url, {
          method,
          headers,
          ...(hasBody ? { body: JSON.stringify(options.body) } : {}),
          signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
        });
      } catch (error) {
        if (options.signal?.aborted) throw error;
        const timedOut = (error as { name?: string }).name === 'TimeoutError';
        const failure = new CoordinationError({
          code: timedOut ? 'TIMEOUT_EXCEEDED' : 'SERVICE_UNAVAILABLE',
          message: timedOut
            ? `${method} ${url} got no answer in time`
            : `${method} ${url} could not be sent: ${(error as Error).message}`,
          status: 0,
          cause: error,
        });
        // A request that may have reached the server is repeated only when repeating it is harmless.
        if (!timedOut && retriesAllowed && attempt < this.retry.maxRetries) {
          await pause(backoffDelay(attempt, null, this.retry), options.signal);
          continue;
        }
        throw failure;
      }
      const text = await response.text();
      let payload: unknown = null;
      if (text !== '') {
        try {
          payload = JSON.parse(text);
        } catch {
          payload = text;
        }
      }
      if (response.ok || options.accept?.includes(response.status))
        return { status: response.status, headers: response.headers, body: payload as T };
      const error = errorOf(response.status, payload, response.headers);
      const retriable = response.status === 429 || (RETRIED.has(response.status) && retriesAllowed);
      if (!retriable || attempt >= this.retry.maxRetries) throw error;
      await pause(backoffDelay(attempt, error.retryAfterMs, this.retry), options.signal);
    }
  }
}
