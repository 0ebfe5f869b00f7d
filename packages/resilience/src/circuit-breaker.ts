export type CircuitState = 'CLOSED' | 'OPEN' | 'HALF_OPEN';

export interface CircuitBreakerOptions {
  /** Failures within `windowMs` that open the circuit (seed 003: 5). */
  failureThreshold: number;
  /** Sliding window the failures are counted in (seed 003: 60 s). */
  windowMs: number;
  /** How long the circuit stays open before one trial call is let through (seed 003: 30 s). */
  openMs: number;
  /**
   * The share of the window's calls that must have failed, besides `failureThreshold` failures, for the
   * circuit to open (default 0.5). A dependency that fails now and then for one request while serving
   * everyone else is not down: without this, five stray failures in a busy minute would refuse every
   * caller for `openMs`.
   */
  minFailureRate?: number;
  /**
   * Which errors count as failures; others (a payment provider's decline, a 404) say the dependency
   * answered, and pass through without counting. Every error counts when omitted.
   */
  isFailure?: (error: unknown) => boolean;
  /** Clock in milliseconds (tests pass their own). */
  now?: () => number;
  /** Called on each change of state, e.g. to log it (the state itself is `state`, for a gauge or a health check). */
  onStateChange?: (from: CircuitState, to: CircuitState) => void;
}

/** Thrown by `execute` instead of making the call while the circuit is open (or its one trial is in flight). */
export class CircuitOpenError extends Error {
  readonly retriable = true;
  /** When the circuit lets a call through again (epoch milliseconds of the breaker's clock). */
  readonly retryAt: number;

  constructor(retryAt: number) {
    super('the circuit breaker is open: calls are refused until the dependency recovers');
    this.name = 'CircuitOpenError';
    this.retryAt = retryAt;
  }
}

/**
 * A circuit breaker in front of one dependency. CLOSED lets every call through and records failures
 * and successes; `failureThreshold` failures within `windowMs`, making up at least `minFailureRate` of
 * the window's calls, open it. Failures are counted per key (for a payment provider, the payment's
 * idempotency key): the retries of one request are one failure, so a couple of bad requests cannot open
 * the circuit for everyone else; only many requests failing says the dependency is down. OPEN refuses
 * calls at once for `openMs`, then turns HALF_OPEN, which lets exactly one trial call through (others
 * are refused meanwhile): its success — or an error that does not count as a failure — closes the
 * circuit, its failure opens it again for `openMs`.
 */
export class CircuitBreaker {
  private current: CircuitState = 'CLOSED';
  private failures: { at: number; key: string }[] = [];
  private calls = 0;
  private successes: number[] = [];
  private openedAt = 0;
  private trialInFlight = false;
  private readonly now: () => number;
  private readonly isFailure: (error: unknown) => boolean;

  constructor(private readonly options: CircuitBreakerOptions) {
    this.now = options.now ?? Date.now;
    this.isFailure = options.isFailure ?? (() => true);
  }

  /** The state now (an open circuit whose time is up reports HALF_OPEN). */
  get state(): CircuitState {
    if (this.current === 'OPEN' && this.now() - this.openedAt >= this.options.openMs)
      this.transition('HALF_OPEN');
    return this.current;
  }

  /** Failures counted in the current window (the failures of one key count once). */
  get recentFailures(): number {
    this.prune();
    return new Set(this.failures.map((failure) => failure.key)).size;
  }

  /** Runs `call` unless the circuit is open; `key` names what it is for (each call is its own without). */
  async execute<T>(call: () => Promise<T>, key?: string): Promise<T> {
    const state = this.state;
    if (state === 'OPEN') throw new CircuitOpenError(this.openedAt + this.options.openMs);
    if (state === 'HALF_OPEN') {
      if (this.trialInFlight) throw new CircuitOpenError(this.now());
      this.trialInFlight = true;
    }
    const trial = state === 'HALF_OPEN';
    try {
      const result = await call();
      this.onSuccess(trial);
      return result;
    } catch (error) {
      this.onError(trial, error, key ?? `call-${++this.calls}`);
      throw error;
    } finally {
      if (trial) this.trialInFlight = false;
    }
  }

  private onSuccess(trial: boolean): void {
    if (trial) {
      this.failures = [];
      this.successes = [];
      this.transition('CLOSED');
      return;
    }
    if (this.current !== 'CLOSED') return;
    this.successes.push(this.now());
    this.prune();
  }

  private onError(trial: boolean, error: unknown, key: string): void {
    if (!this.isFailure(error)) {
      // The dependency answered (with a refusal): it is healthy.
      if (trial) this.onSuccess(true);
      return;
    }
    if (trial) {
      this.open();
      return;
    }
    if (this.current !== 'CLOSED') return;
    this.failures.push({ at: this.now(), key });
    this.prune();
    const failures = this.recentFailures;
    const rate = failures / (failures + this.successes.length);
    if (failures >= this.options.failureThreshold && rate >= (this.options.minFailureRate ?? 0.5))
      this.open();
  }

  private open(): void {
    this.openedAt = this.now();
    this.failures = [];
    this.successes = [];
    this.transition('OPEN');
  }

  private prune(): void {
    const since = this.now() - this.options.windowMs;
    this.failures = this.failures.filter((failure) => failure.at > since);
    this.successes = this.successes.filter((at) => at > since);
  }

  private transition(to: CircuitState): void {
    if (this.current === to) return;
    const from = this.current;
    this.current = to;
    this.options.onStateChange?.(from, to);
  }
}
