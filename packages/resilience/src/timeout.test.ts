import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { withTimeout } from './timeout.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('withTimeout', () => {
  it('answers what the work answers in time and clears its timer', async () => {
    await expect(withTimeout(Promise.resolve(42), 1000, () => new Error('late'))).resolves.toBe(42);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('passes the failure of the work through', async () => {
    await expect(
      withTimeout(Promise.reject(new Error('refused')), 1000, () => new Error('late')),
    ).rejects.toThrow('refused');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects with the given error when the work is too slow', async () => {
    const never = new Promise<never>(() => {});
    const outcome = expect(
      withTimeout(never, 1000, () => new Error('no answer within 1000 ms')),
    ).rejects.toThrow('no answer within 1000 ms');
    await vi.advanceTimersByTimeAsync(1000);
    await outcome;
  });
});
