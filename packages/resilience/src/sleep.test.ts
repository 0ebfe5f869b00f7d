import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { sleep, sleepWithHeartbeat } from './sleep.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** How many abort listeners a signal holds (Node keeps them in a symbol-keyed map of the EventTarget). */
function listenerCount(signal: AbortSignal): number {
  const symbol = Object.getOwnPropertySymbols(signal).find((s) => s.description === 'kEvents');
  const events = symbol
    ? (signal as unknown as Record<symbol, Map<string, { size: number }>>)[symbol]
    : undefined;
  return events?.get('abort')?.size ?? 0;
}

describe('sleep', () => {
  it('resolves true once the time has passed', async () => {
    const done = sleep(1000);
    await vi.advanceTimersByTimeAsync(999);
    let settled = false;
    void done.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await expect(done).resolves.toBe(true);
  });

  it('resolves false as soon as the signal aborts, and at once when it already has', async () => {
    const controller = new AbortController();
    const done = sleep(60_000, controller.signal);
    controller.abort();
    await expect(done).resolves.toBe(false);
    await expect(sleep(60_000, controller.signal)).resolves.toBe(false);
  });

  it('leaves no abort listener behind across many sleeps on one signal', async () => {
    const controller = new AbortController();
    for (let i = 0; i < 100; i += 1) {
      const done = sleep(10, controller.signal);
      expect(listenerCount(controller.signal)).toBe(1);
      await vi.advanceTimersByTimeAsync(10);
      await done;
    }
    expect(listenerCount(controller.signal)).toBe(0);
  });
});

describe('sleepWithHeartbeat', () => {
  it('heartbeats after each slice of the wait', async () => {
    const heartbeat = vi.fn(async () => {});
    const done = sleepWithHeartbeat(3500, { heartbeat, everyMs: 1000 });
    await vi.advanceTimersByTimeAsync(3500);
    await expect(done).resolves.toBe(true);
    expect(heartbeat).toHaveBeenCalledTimes(4);
  });

  it('stops at the abort without another heartbeat', async () => {
    const controller = new AbortController();
    const heartbeat = vi.fn(async () => {});
    const done = sleepWithHeartbeat(10_000, { heartbeat, signal: controller.signal });
    await vi.advanceTimersByTimeAsync(1500);
    controller.abort();
    await expect(done).resolves.toBe(false);
    expect(heartbeat).toHaveBeenCalledTimes(1);
  });

  it('ends the wait with the error of a failed heartbeat', async () => {
    const heartbeat = vi.fn(async () => {
      throw new Error('rebalance in progress');
    });
    const done = sleepWithHeartbeat(5000, { heartbeat });
    const outcome = expect(done).rejects.toThrow('rebalance in progress');
    await vi.advanceTimersByTimeAsync(1000);
    await outcome;
  });
});
