import { backoffDelay } from '@fv/resilience';

/**
 * Delay before attempt `attempt + 1`, after `attempt` failed ones: base · 2^(attempt − 1), capped.
 * 1 s, 2 s, 4 s, 8 s… with the defaults: the README's schedule, so without jitter.
 */
export function backoffDelayMs(attempt: number, policy: { baseMs: number; maxMs: number }): number {
  return backoffDelay(attempt - 1, { initialMs: policy.baseMs, maxMs: policy.maxMs, jitter: 'none' });
}
