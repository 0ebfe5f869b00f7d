import { describe, expect, it } from 'vitest';
import { Backoff, backoffDelay, jittered } from './backoff.js';

const policy = { initialMs: 100, maxMs: 1000 };

describe('backoffDelay', () => {
  it('doubles from the initial wait up to the cap without jitter', () => {
    const delays = [0, 1, 2, 3, 4, 5].map((n) => backoffDelay(n, { ...policy, jitter: 'none' }));
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('grows by the given multiplier', () => {
    expect(backoffDelay(2, { initialMs: 10, maxMs: 10_000, multiplier: 3, jitter: 'none' })).toBe(90);
  });

  it('keeps equal jitter between half the ceiling and the ceiling', () => {
    expect(backoffDelay(2, policy, () => 0)).toBe(200);
    expect(backoffDelay(2, policy, () => 0.999_999)).toBe(400);
    expect(backoffDelay(2, policy, () => 0.5)).toBe(300);
  });

  it('spreads full jitter over the whole ceiling', () => {
    expect(backoffDelay(3, { ...policy, jitter: 'full' }, () => 0)).toBe(0);
    expect(backoffDelay(3, { ...policy, jitter: 'full' }, () => 0.25)).toBe(200);
  });

  it('spreads concurrent clients apart with the real random source', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(4, policy)));
    expect(delays.size).toBeGreaterThan(10);
    for (const delay of delays) expect(delay).toBeGreaterThanOrEqual(500);
  });

  it('treats a negative failure count as none and a huge one as the cap', () => {
    expect(backoffDelay(-3, { ...policy, jitter: 'none' })).toBe(100);
    expect(backoffDelay(10_000, { ...policy, jitter: 'none' })).toBe(1000);
  });
});

describe('Backoff', () => {
  it('counts failures and starts over after a reset', () => {
    const backoff = new Backoff({ ...policy, jitter: 'none' });
    expect([backoff.next(), backoff.next(), backoff.next()]).toEqual([100, 200, 400]);
    expect(backoff.failures).toBe(3);
    backoff.reset();
    expect(backoff.failures).toBe(0);
    expect(backoff.next()).toBe(100);
  });
});

describe('jittered', () => {
  it('keeps a fixed wait between half of it and all of it by default, and never longer', () => {
    expect(jittered(1000, undefined, () => 0)).toBe(500);
    expect(jittered(1000, 'equal', () => 0.5)).toBe(750);
    expect(jittered(1000, 'equal', () => 0.999_999)).toBe(1000);
    for (let i = 0; i < 50; i += 1) {
      const wait = jittered(4000);
      expect(wait).toBeGreaterThanOrEqual(2000);
      expect(wait).toBeLessThanOrEqual(4000);
    }
  });

  it('spreads full jitter from 0 and leaves the wait as it is without jitter', () => {
    expect(jittered(2000, 'full', () => 0.25)).toBe(500);
    expect(jittered(2000, 'none', () => 0)).toBe(2000);
  });
});
