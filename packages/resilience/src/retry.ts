import { Backoff, type BackoffPolicy } from './backoff.js';
import { sleep } from './sleep.js';

export interface RetryOptions {
  /** Ends the retries; `retryUntilDone` then resolves false. */
  signal: AbortSignal;
  policy: BackoffPolicy;
  /** An error no retry can mend (a wrong configuration): thrown at once. */
  fatal?: (error: unknown) => boolean;
  /** Called after each failure with the wait before the next attempt. */
  onFailure?: (error: unknown, failures: number, retryInMs: number) => void;
  random?: () => number;
}

/**
 * Runs `attempt` until it succeeds (resolves true) or `signal` aborts (resolves false), waiting with the
 * policy's backoff between failures. For what a process must outlast rather than give up on: a database
 * or a broker that is not up yet.
 */
export async function retryUntilDone(attempt: () => Promise<void>, options: RetryOptions): Promise<boolean> {
  const backoff = new Backoff(options.policy, options.random);
  while (!options.signal.aborted) {
    try {
      await attempt();
      return true;
    } catch (error) {
      if (options.fatal?.(error)) throw error;
      const delay = backoff.next();
      options.onFailure?.(error, backoff.failures, delay);
      await sleep(delay, options.signal);
    }
  }
  return false;
}
