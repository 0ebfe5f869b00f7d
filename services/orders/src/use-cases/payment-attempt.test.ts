import { describe, expect, it } from 'vitest';
import { retryDelayMs } from './payment-attempt.js';

describe('retryDelayMs', () => {
  const policy = { firstMs: 2000, maxMs: 15_000 };

  it('doubles from the first delay up to the cap, half of it jittered', () => {
    expect([0, 1, 2, 3, 4, 10].map((retries) => retryDelayMs(retries, policy, () => 1))).toEqual([
      2000, 4000, 8000, 15_000, 15_000, 15_000,
    ]);
    expect([0, 1, 2, 3].map((retries) => retryDelayMs(retries, policy, () => 0))).toEqual([
      1000, 2000, 4000, 7500,
    ]);
  });

  it('stays finite for any number of retries', () => {
    expect(retryDelayMs(10_000, policy, () => 0.5)).toBe(11_250);
  });
});
