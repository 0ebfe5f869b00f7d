import { retryUntilDone } from '@fv/resilience';
import type { Logger } from 'pino';

/**
 * Runs `attempt` until it succeeds or `signal` aborts, waiting with capped exponential backoff (equal
 * jitter) in between. Used for the things a service must survive at start: a database or broker that
 * is not up yet. Resolves true on success, false when aborted; an error `fatal` recognises (a
 * configuration that no retry can mend) is thrown at once.
 */
export async function retryForever(
  what: string,
  attempt: () => Promise<void>,
  options: {
    logger: Logger;
    signal: AbortSignal;
    initialDelayMs?: number;
    maxDelayMs?: number;
    fatal?: (error: unknown) => boolean;
  },
): Promise<boolean> {
  const { logger } = options;
  let failed = 0;
  const done = await retryUntilDone(attempt, {
    signal: options.signal,
    policy: { initialMs: options.initialDelayMs ?? 500, maxMs: options.maxDelayMs ?? 10_000 },
    fatal: options.fatal,
    onFailure: (error, failures, retryInMs) => {
      failed = failures;
      const log = failures === 1 || failures % 10 === 0 ? logger.warn : logger.debug;
      log.call(logger, { err: error, retryInMs, failures }, `${what}: failed; retrying`);
    },
  });
  if (done && failed > 0) logger.info({ after: failed }, `${what}: succeeded`);
  return done;
}
