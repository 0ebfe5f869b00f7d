import { describe, expect, it } from 'vitest';
import { KeyRateLimiter } from './key-rate-limiter.js';

describe('the per-key rate limiter', () => {
  it('admits `limit` requests a minute per key, then refuses until the window ends', () => {
    let now = 1_000_000;
    const limiter = new KeyRateLimiter(() => now);
    expect(limiter.take('a', 2)).toEqual({ allowed: true, limit: 2, remaining: 1, resetSeconds: 60 });
    now += 15_000;
    expect(limiter.take('a', 2)).toEqual({ allowed: true, limit: 2, remaining: 0, resetSeconds: 45 });
    expect(limiter.take('a', 2)).toEqual({ allowed: false, limit: 2, remaining: 0, resetSeconds: 45 });
    // Another key has a window of its own.
    expect(limiter.take('b', 2).allowed).toBe(true);
    now += 45_000;
    expect(limiter.take('a', 2)).toEqual({ allowed: true, limit: 2, remaining: 1, resetSeconds: 60 });
  });

  it('applies a changed limit at once', () => {
    const limiter = new KeyRateLimiter(() => 0);
    limiter.take('a', 5);
    limiter.take('a', 5);
    expect(limiter.take('a', 2).allowed).toBe(false);
    expect(limiter.take('a', 10)).toMatchObject({ allowed: true, remaining: 7 });
  });
});
