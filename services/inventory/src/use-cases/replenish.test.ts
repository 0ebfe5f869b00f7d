import { describe, expect, it } from 'vitest';
import { nextAttemptAt } from './replenish.js';

const now = new Date('2024-01-15T10:00:00.000Z');
const waitAfter = (pollIntervalMs: number, failedAttempts: number) =>
  nextAttemptAt(now, pollIntervalMs, failedAttempts).getTime() - now.getTime();

describe('retrying the supplier', () => {
  it('waits one poll interval after the first failed call, then doubles', () => {
    expect([1, 2, 3, 4, 5].map((failed) => waitAfter(2_000, failed))).toEqual([
      2_000, 4_000, 8_000, 16_000, 32_000,
    ]);
  });

  it('never waits more than a minute', () => {
    expect(waitAfter(2_000, 6)).toBe(60_000);
    expect(waitAfter(2_000, 1_000)).toBe(60_000);
    expect(waitAfter(3_600_000, 1)).toBe(60_000);
  });

  it('waits the same for every replenishment at the same attempt (no jitter)', () => {
    expect(new Set(Array.from({ length: 20 }, () => waitAfter(500, 3))).size).toBe(1);
  });
});
