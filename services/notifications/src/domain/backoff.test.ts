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
});
