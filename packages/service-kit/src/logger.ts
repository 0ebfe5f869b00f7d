import { hostname } from 'node:os';
import pino, { type DestinationStream, type Logger } from 'pino';
import pinoPretty from 'pino-pretty';
import type { LogLevel } from './config.js';

export type { Logger } from 'pino';

/** Keys whose values never reach a log line, wherever they appear in a logged object. */
export const SENSITIVE_KEYS = [
  'authorization',
  'cookie',
  'set-cookie',
  'password',
  'newPassword',
  'currentPassword',
  'passwd',
  'secret',
  'clientSecret',
  'JWT_SECRET',
  'DATABASE_URL',
  'token',
  'accessToken',
  'refreshToken',
  'idToken',
  'apiKey',
  'api_key',
  'x-api-key',
  'x-publishable-api-key',
  'publishableKey',
  'cardNumber',
  'card_number',
  'cvv',
  'cvc',
] as const;

/** How deep below a logged object's top level sensitive keys are looked for (0 is the top level). */
const REDACTION_DEPTH = 4;
const SENSITIVE = new Set<string>(SENSITIVE_KEYS.map((key) => key.toLowerCase()));

function isPlain(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null || Array.isArray(value);
}

/**
 * `value` with every sensitive key (`SENSITIVE_KEYS`, any case) at depth 0..4 replaced by `REDACTED`,
 * through plain objects and arrays. Copies only what it changes: the caller's object is never touched,
 * and an object without secrets is returned as it is. One pass over the object: pino's path-based
 * redaction, with a wildcard path per key and depth, cost about 100 µs per line.
 */
export function redactSensitive<T>(value: T, depth = 0): T {
  if (!isPlain(value)) return value;
  let copy: Record<string, unknown> | unknown[] | null = null;
  const source = value as Record<string, unknown>;
  for (const key of Object.keys(source)) {
    const current = source[key];
    let next = current;
    if (SENSITIVE.has(key.toLowerCase())) {
      if (current !== undefined) next = REDACTED;
    } else if (depth < REDACTION_DEPTH && current !== null && typeof current === 'object') {
      next = redactSensitive(current, depth + 1);
    }
    if (next !== current) {
      copy ??= Array.isArray(value) ? [...(value as unknown[])] : { ...source };
      (copy as Record<string, unknown>)[key] = next;
    }
  }
  return (copy ?? value) as T;
}

export const REDACTED = '[REDACTED]';

// pino's serialized error has a prototype of its own: copied into a plain object (the same JSON) to be walked.
const redactedError = (error: Error) => redactSensitive({ ...pino.stdSerializers.err(error) });

export interface CreateLoggerOptions {
  service: string;
  version: string;
  level?: LogLevel;
  /** Where lines go; stdout when omitted. */
  destination?: DestinationStream;
  /** Human-readable output; defaults to true only when writing to a terminal. */
  pretty?: boolean;
}

/**
 * The platform's logger: JSON lines with `service` and `version` on each, secrets
 * redacted, pretty-printed only on a terminal. HTTP apps, consumers and the outbox relay
 * all log through one of these.
 */
export function createLogger(options: CreateLoggerOptions): Logger {
  const pretty = options.pretty ?? (options.destination === undefined && process.stdout.isTTY === true);
  const destination =
    options.destination ??
    (pretty
      ? pinoPretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' })
      : pino.destination({ dest: 1, sync: true }));

  const logger = pino(
    {
      level: options.level ?? 'info',
      base: { service: options.service, version: options.version, pid: process.pid, hostname: hostname() },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Secrets are taken out of every logged object, the bindings and every serialized error.
      formatters: {
        level: (label) => ({ level: label }),
        bindings: (bindings) => redactSensitive(bindings),
        log: (object) => redactSensitive(object),
      },
      serializers: { err: redactedError, error: redactedError },
    },
    destination,
  );
  // pino gives children no bindings formatter: their bindings are redacted here, for every descendant.
  const child = logger.child;
  logger.child = function redactedChild(this: Logger, bindings, childOptions) {
    return child.call(this, redactSensitive(bindings), childOptions);
  } as Logger['child'];
  return logger;
}

export interface LogContext {
  correlationId?: string | undefined;
  traceId?: string | undefined;
  [key: string]: unknown;
}

/** A child logger carrying the correlation and trace ids of the work at hand. */
export function withContext(logger: Logger, context: LogContext): Logger {
  const bindings: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(context)) {
    if (value !== undefined) bindings[key] = value;
  }
  return logger.child(bindings);
}

const LEVEL_METHODS: ReadonlySet<string> = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);
const skip = () => undefined;

/**
 * `parent.child(bindings)`, made only when something is logged through it. pino serializes and
 * redacts a child's bindings when the child is made, which costs more than handling a typical event
 * when nothing is logged at all: per-message loggers are made this way. A call at a level that is off
 * is a no-op and makes no child.
 */
export function lazyChild(parent: Logger, bindings: Record<string, unknown>): Logger {
  let child: Logger | undefined;
  const made = () => (child ??= parent.child(bindings));
  // The child's methods bound to it, each kept while the child still has that method (pino swaps its
  // level methods when the level changes).
  const bound = new Map<PropertyKey, { method: unknown; call: unknown }>();
  const boundTo = (real: Logger, property: PropertyKey, method: (...args: unknown[]) => unknown) => {
    const known = bound.get(property);
    if (known?.method === method) return known.call;
    const call = method.bind(real);
    bound.set(property, { method, call });
    return call;
  };
  return new Proxy(parent, {
    get(target, property) {
      if (!child && typeof property === 'string') {
        if (LEVEL_METHODS.has(property) && !target.isLevelEnabled(property)) return skip;
        // A child has its parent's level until told otherwise.
        if (property === 'level') return target.level;
        if (property === 'isLevelEnabled') return target.isLevelEnabled.bind(target);
      }
      const real = made();
      const value: unknown = Reflect.get(real, property, real);
      return typeof value === 'function'
        ? boundTo(real, property, value as (...args: unknown[]) => unknown)
        : value;
    },
    set(_target, property, value) {
      return Reflect.set(made(), property, value);
    },
  });
}

/**
 * Keeps `follower` at the level of `source` from now on. pino children copy their parent's
 * level when created, so a long-lived child (such as the one fastify derives for its app)
 * would otherwise miss a level change made at run time. Returns a function that stops
 * following.
 */
export function followLevel(source: Logger, follower: Logger): () => void {
  const listener = (
    level: string,
    _value: number,
    _previous: string,
    _previousValue: number,
    instance: Logger,
  ) => {
    if (instance === source && follower.level !== level) follower.level = level;
  };
  source.on('level-change', listener);
  return () => {
    source.off('level-change', listener);
  };
}
