/**
 * How long to wait before the next attempt: `initialMs × multiplier^failures`, capped at `maxMs`, with
 * jitter so that many clients failing together do not retry together.
 *
 * - `equal` (the default): half the ceiling plus a random half — never shorter than half the step;
 * - `full`: anywhere between 0 and the ceiling (AWS's "full jitter"), for clients of a shared server;
 * - `none`: exactly the ceiling, for schedules a person reads (and tests pin down).
 */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  /** Growth per failure; 2 when omitted. */
  multiplier?: number;
  jitter?: 'equal' | 'full' | 'none';
}

/** The wait after `failures` consecutive failures (0: after the first one). */
export function backoffDelay(
  failures: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(failures, 0), 64);
  const ceiling = Math.min(policy.maxMs, policy.initialMs * (policy.multiplier ?? 2) ** exponent);
  switch (policy.jitter ?? 'equal') {
    case 'none':
      return Math.round(ceiling);
    case 'full':
      return Math.round(random() * ceiling);
    case 'equal':
      return Math.round(ceiling / 2 + (random() * ceiling) / 2);
  }
}

/** The backoff of a loop: each `next()` is the wait after one more failure; `reset()` after a success. */
export class Backoff {
  #failures = 0;

  constructor(
    private readonly policy: BackoffPolicy,
    private readonly random: () => number = Math.random,
  ) {}

  /** Failures since the last reset. */
  get failures(): number {
    return this.#failures;
  }

  next(): number {
    const delay = backoffDelay(this.#failures, this.policy, this.random);
    this.#failures += 1;
    return delay;
  }

  reset(): void {
    this.#failures = 0;
  }
}
