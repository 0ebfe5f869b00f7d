import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { ConfigError, LOG_LEVELS, type ConfigIssue, type LogLevel } from './config.js';
import type { Logger } from './logger.js';

/** Retry policy for work that may succeed on a later attempt (consumers, outbound calls). */
export const retrySettingsSchema = z
  .object({
    maxAttempts: z.number().int().min(1).max(100),
    initialIntervalMs: z.number().int().min(0),
    multiplier: z.number().min(1),
    maxIntervalMs: z.number().int().min(0),
  })
  .refine((retry) => retry.maxIntervalMs >= retry.initialIntervalMs, {
    message: 'maxIntervalMs must not be smaller than initialIntervalMs',
    path: ['maxIntervalMs'],
  });

export type RetrySettings = z.output<typeof retrySettingsSchema>;

/** Three attempts, 1 s then doubling, capped at 30 s. */
export const DEFAULT_RETRY_SETTINGS: RetrySettings = {
  maxAttempts: 3,
  initialIntervalMs: 1000,
  multiplier: 2,
  maxIntervalMs: 30_000,
};

export const liveConfigBaseShape = {
  logLevel: z.enum(LOG_LEVELS),
  featureFlags: z.record(z.string(), z.boolean()),
  retry: retrySettingsSchema,
};

export interface BaseLiveConfigValues {
  logLevel: LogLevel;
  featureFlags: Record<string, boolean>;
  retry: RetrySettings;
}

export type LiveConfigValues<Extra extends z.ZodRawShape = Record<never, never>> = BaseLiveConfigValues &
  z.output<z.ZodObject<Extra>>;

export interface LiveConfigChange<Values> {
  previous: Readonly<Values>;
  current: Readonly<Values>;
  /** Top-level keys whose value changed. */
  changed: (keyof Values & string)[];
}

export interface ApplyResult<Values> {
  changed: (keyof Values & string)[];
  /** Keys of the update that this service does not know; left out. */
  ignored: string[];
}

export interface LiveConfig<Values> {
  get(): Readonly<Values>;
  /**
   * Validates `update` and applies it at once, or throws {@link ConfigError} and changes
   * nothing. Object values (`featureFlags`, `retry`, ...) are merged key by key into the
   * current ones, so an update may carry a single flag.
   */
  apply(update: Record<string, unknown>): ApplyResult<Values>;
  /** Called after each update that changed something; returns a function that unsubscribes. */
  on(event: 'change', listener: (change: LiveConfigChange<Values>) => void): () => void;
}

export interface CreateLiveConfigOptions<Extra extends z.ZodRawShape> {
  /** Its level follows `logLevel`. */
  logger: Logger;
  initial: LiveConfigValues<Extra>;
  /** Service-specific keys, with the schema each value must satisfy. */
  keys?: Extra;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Settings that may change while the service runs (log level, feature flags, retry
 * policy and the service's own keys), so that configuration updates from the
 * coordination service take effect without a restart.
 */
export function createLiveConfig<Extra extends z.ZodRawShape = Record<never, never>>(
  options: CreateLiveConfigOptions<Extra>,
): LiveConfig<LiveConfigValues<Extra>> {
  type Values = LiveConfigValues<Extra>;
  const schema = z.object({ ...liveConfigBaseShape, ...(options.keys ?? ({} as Extra)) });
  const { logger } = options;
  const listeners = new Set<(change: LiveConfigChange<Values>) => void>();

  const parse = (candidate: unknown): Values => {
    const result = schema.safeParse(candidate);
    if (result.success) return result.data as Values;
    const issues: ConfigIssue[] = result.error.issues.map((issue) => ({
      variable: issue.path.map(String).join('.') || '(live configuration)',
      rule: issue.message,
    }));
    throw new ConfigError(issues);
  };

  let current: Values = Object.freeze(parse(options.initial));
  logger.level = current.logLevel;

  return {
    get: () => current,

    apply(update) {
      const known = schema.shape as Record<string, unknown>;
      const ignored = Object.keys(update).filter((key) => !(key in known));
      const candidate: Record<string, unknown> = { ...current };
      for (const [key, value] of Object.entries(update)) {
        if (!(key in known)) continue;
        const existing = candidate[key];
        candidate[key] = isPlainObject(existing) && isPlainObject(value) ? { ...existing, ...value } : value;
      }
      const next = parse(candidate);
      const changed = (Object.keys(next) as (keyof Values & string)[]).filter(
        (key) => !isDeepStrictEqual(next[key], current[key]),
      );
      if (ignored.length > 0)
        logger.warn({ ignored }, 'live configuration keys not known to this service were ignored');
      if (changed.length === 0) return { changed, ignored };

      const previous = current;
      current = Object.freeze(next);
      if (current.logLevel !== previous.logLevel) logger.level = current.logLevel;
      logger.info({ changed }, 'live configuration applied');

      const change: LiveConfigChange<Values> = { previous, current, changed };
      for (const listener of listeners) {
        try {
          listener(change);
        } catch (error) {
          logger.error({ err: error }, 'a live configuration listener failed');
        }
      }
      return { changed, ignored };
    },

    on(_event, listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}
