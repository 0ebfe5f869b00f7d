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
  jitter?: Jitter;
}

export type Jitter = 'equal' | 'full' | 'none';

/**
 * `ms` with `jitter` (`equal` when omitted): `equal` between half of it and all of it, `full` between 0
 * and all of it, `none` exactly it. Never longer than `ms`: for a fixed schedule of waits (a configured
 * list such as 1 s, 2 s, 4 s) whose total must stay within a budget.
 */
export function jittered(ms: number, jitter: Jitter = 'equal', random: () => number = Math.random): number {
  switch (jitter) {
    case 'none':
      return Math.round(ms);
    case 'full':
      return Math.round(random() * ms);
    case 'equal':
      return Math.round(ms / 2 + (random() * ms) / 2);
  }
}

/** The wait after `failures` consecutive failures (0: after the first one). */
export function backoffDelay(
  failures: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(failures, 0), 64);
  const ceiling = Math.min(policy.maxMs, policy.initialMs * (policy.multiplier ?? 2) ** exponent);
  return jittered(ceiling, policy.jitter, random);
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
