/** What one request learnt from the limiter: whether it may go on, and the figures for the headers. */
export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window starts again (at least 1). */
  resetSeconds: number;
}

interface Window {
  startedAt: number;
  count: number;
}

/**
 * Fixed one-minute windows of requests per key, in this process's memory (as the platform's own rate
 * limits are): with several instances behind a balancer, a key may make up to its limit on each.
 */
export class KeyRateLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly windowMs = 60_000,
  ) {}

  /** Counts one request of `keyId` against `limit` requests per window. */
  take(keyId: string, limit: number): RateDecision {
    const now = this.now();
    let window = this.windows.get(keyId);
    if (!window || now - window.startedAt >= this.windowMs) {
      if (this.windows.size >= 10_000) this.forgetExpired(now);
      window = { startedAt: now, count: 0 };
      this.windows.set(keyId, window);
    }
    const resetSeconds = Math.max(1, Math.ceil((window.startedAt + this.windowMs - now) / 1000));
    if (window.count >= limit) return { allowed: false, limit, remaining: 0, resetSeconds };
    window.count += 1;
    return { allowed: true, limit, remaining: limit - window.count, resetSeconds };
  }

  private forgetExpired(now: number): void {
    for (const [keyId, window] of this.windows) {
      if (now - window.startedAt >= this.windowMs) this.windows.delete(keyId);
    }
  }
}
