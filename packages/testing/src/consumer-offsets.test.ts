import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { retryingKafka } from './consumer-offsets.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const notLeader = () =>
  Object.assign(new Error('This server is not the leader for that topic-partition'), {
    retriable: true,
  });

describe('retryingKafka', () => {
  it('tries a retriable failure again after a doubling wait, and answers what the call answers', async () => {
    let calls = 0;
    const answer = retryingKafka(
      async () => {
        calls += 1;
        if (calls < 4) throw notLeader();
        return 'offsets';
      },
      10,
      () => 0.999_999,
    );
    await vi.advanceTimersByTimeAsync(100 + 200 + 399);
    expect(calls).toBe(3);
    await vi.advanceTimersByTimeAsync(1);
    await expect(answer).resolves.toBe('offsets');
    expect(calls).toBe(4);
  });

  it('throws the last error after the given number of calls, waiting at most a second between two', async () => {
    const call = vi.fn(async () => {
      throw notLeader();
    });
    const outcome = expect(retryingKafka(call, 6, () => 0.999_999)).rejects.toThrow('not the leader');
    await vi.advanceTimersByTimeAsync(100 + 200 + 400 + 800 + 999);
    expect(call).toHaveBeenCalledTimes(5);
    await vi.advanceTimersByTimeAsync(1);
    await outcome;
    expect(call).toHaveBeenCalledTimes(6);
  });

  it('throws an error that is not retriable at once', async () => {
    const call = vi.fn(async () => {
      throw new Error('topic authorization failed');
    });
    await expect(retryingKafka(call)).rejects.toThrow('topic authorization failed');
    expect(call).toHaveBeenCalledTimes(1);
  });

  it('spreads the waits of callers failing together', async () => {
    const waits = new Set<number>();
    for (let i = 0; i < 20; i += 1) {
      let calls = 0;
      const started = Date.now();
      const answer = retryingKafka(async () => {
        calls += 1;
        if (calls === 1) throw notLeader();
        return Date.now() - started;
      });
      await vi.advanceTimersByTimeAsync(100);
      waits.add(await answer);
    }
    expect(waits.size).toBeGreaterThan(3);
    for (const wait of waits) expect(wait).toBeGreaterThanOrEqual(50);
  });
});
