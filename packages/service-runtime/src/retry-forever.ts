import type { Logger } from 'pino';

/**
 * Runs `attempt` until it succeeds or `signal` aborts, waiting with capped exponential backoff in
 * between. Used for the things a service must survive at start: a database or broker that is not up
 * yet. Resolves true on success, false when aborted; an error `fatal` recognises (a configuration
 * that no retry can mend) is thrown at once.
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
  let delay = options.initialDelayMs ?? 500;
  let failures = 0;
  while (!options.signal.aborted) {
    try {
      await attempt();
      if (failures > 0) options.logger.info({ after: failures }, `${what}: succeeded`);
      return true;
    } catch (error) {
      if (options.fatal?.(error)) throw error;
      failures += 1;
      const log = failures === 1 || failures % 10 === 0 ? options.logger.warn : options.logger.debug;
      log.call(options.logger, { err: error, retryInMs: delay, failures }, `${what}: failed; retrying`);
    }
    await new Promise<void>((resolve) => {
      const onAbort = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        options.signal.removeEventListener('abort', onAbort);
        resolve();
      }, delay);
      options.signal.addEventListener('abort', onAbort, { once: true });
    });
    delay = Math.min(delay * 2, options.maxDelayMs ?? 10_000);
  }
  return false;
}
