import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from './backoff.js';

describe('backoff', () => {
  it('doubles from the base and stops at the cap', () => {
    const policy = { baseMs: 1000, maxMs: 10_000 };
    expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffDelayMs(attempt, policy))).toEqual([
      1000, 2000, 4000, 8000, 10_000, 10_000,
    ]);
    expect(backoffDelayMs(1000, policy)).toBe(10_000);
  });

  it('waits the same for every message failing at the same attempt (no jitter)', () => {
    const policy = { baseMs: 250, maxMs: 300_000 };
    const delays = new Set(Array.from({ length: 20 }, () => backoffDelayMs(3, policy)));
    expect([...delays]).toEqual([1000]);
  });

  it('waits the base before the first retry even for a count below one', () => {
    expect(backoffDelayMs(0, { baseMs: 1000, maxMs: 10_000 })).toBe(1000);
  });
});
