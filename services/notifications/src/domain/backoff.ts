/**
 * Delay before attempt `attempt + 1`, after `attempt` failed ones: base · 2^(attempt − 1), capped.
 * 1 s, 2 s, 4 s, 8 s… with the defaults.
 */
export function backoffDelayMs(attempt: number, policy: { baseMs: number; maxMs: number }): number {
  const exponent = Math.max(0, attempt - 1);
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(exponent, 30));
}
