import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { retryUntilDone } from './retry.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const policy = { initialMs: 100, maxMs: 400, jitter: 'none' as const };

describe('retryUntilDone', () => {
  it('retries with growing waits until the attempt succeeds', async () => {
    let calls = 0;
    const waits: number[] = [];
    const done = retryUntilDone(
      async () => {
        calls += 1;
        if (calls < 5) throw new Error('not yet');
      },
      { signal: new AbortController().signal, policy, onFailure: (_e, _n, wait) => waits.push(wait) },
    );
    await vi.advanceTimersByTimeAsync(100 + 200 + 400 + 399);
    expect(calls).toBe(4);
    await vi.advanceTimersByTimeAsync(1);
    await expect(done).resolves.toBe(true);
    expect(calls).toBe(5);
    expect(waits).toEqual([100, 200, 400, 400]);
  });

  it('throws a fatal error at once', async () => {
    const attempt = vi.fn(async () => {
      throw new Error('bad configuration');
    });
    await expect(
      retryUntilDone(attempt, { signal: new AbortController().signal, policy, fatal: () => true }),
    ).rejects.toThrow('bad configuration');
    expect(attempt).toHaveBeenCalledTimes(1);
  });

  it('resolves false when aborted during a wait', async () => {
    const controller = new AbortController();
    const done = retryUntilDone(
      async () => {
        throw new Error('down');
      },
      { signal: controller.signal, policy },
    );
    await vi.advanceTimersByTimeAsync(50);
    controller.abort();
    await expect(done).resolves.toBe(false);
  });
});
