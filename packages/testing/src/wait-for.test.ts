import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { sleep, waitFor } from './wait-for.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Whether `promise` has settled, without waiting for it. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  await vi.advanceTimersByTimeAsync(0);
  return done;
}

describe('waitFor', () => {
  it('returns the first answer that is neither undefined, false nor null, even a falsy one', async () => {
    const answers: unknown[] = [undefined, false, null, 0, 'later'];
    const probe = vi.fn(() => answers.shift());
    const waiting = waitFor(probe, { intervalMs: 50 });
    await vi.advanceTimersByTimeAsync(150);
    await expect(waiting).resolves.toBe(0);
    expect(probe).toHaveBeenCalledTimes(4);
  });

  it('probes again every intervalMs, and not before', async () => {
    let ready = false;
    const probe = vi.fn(() => ready);
    const waiting = waitFor(probe, { intervalMs: 100 });
    await vi.advanceTimersByTimeAsync(350);
    // At 0, 100, 200 and 300 ms.
    expect(probe).toHaveBeenCalledTimes(4);
    expect(await settled(waiting)).toBe(false);
    ready = true;
    await vi.advanceTimersByTimeAsync(49);
    expect(await settled(waiting)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await expect(waiting).resolves.toBe(true);
    expect(probe).toHaveBeenCalledTimes(5);
  });

  it('awaits an asynchronous probe before judging its answer', async () => {
    let calls = 0;
    const waiting = waitFor(
      async () => {
        calls += 1;
        await sleep(30);
        return calls >= 2 ? { calls } : undefined;
      },
      { intervalMs: 10 },
    );
    await vi.advanceTimersByTimeAsync(70);
    await expect(waiting).resolves.toEqual({ calls: 2 });
  });

  it('keeps probing through errors and returns once the probe answers', async () => {
    let calls = 0;
    const waiting = waitFor(
      () => {
        calls += 1;
        if (calls < 3) throw new Error('connection refused');
        return 'up';
      },
      { intervalMs: 100 },
    );
    await vi.advanceTimersByTimeAsync(200);
    await expect(waiting).resolves.toBe('up');
  });

  it('fails after timeoutMs, naming what it waited for and the last error the probe threw', async () => {
    let calls = 0;
    const waiting = waitFor(
      () => {
        calls += 1;
        if (calls === 1) throw new Error('connection refused');
        if (calls === 2) throw new Error('not the leader');
        return false;
      },
      { timeoutMs: 1_000, intervalMs: 100, description: 'the broker' },
    );
    const failure = expect(waiting).rejects.toThrow(
      'timed out after 1000 ms waiting for the broker (last error: not the leader)',
    );
    await vi.advanceTimersByTimeAsync(900);
    expect(await settled(waiting)).toBe(false);
    await vi.advanceTimersByTimeAsync(100);
    await failure;
  });

  it('says "condition" when given no description, and no error when the probe threw none', async () => {
    const waiting = waitFor(() => undefined, { timeoutMs: 200, intervalMs: 100 });
    const failure = expect(waiting).rejects.toThrow(/^timed out after 200 ms waiting for condition$/);
    await vi.advanceTimersByTimeAsync(200);
    await failure;
  });

  it('gives up after 45 s by default', async () => {
    const waiting = waitFor(() => false);
    const failure = expect(waiting).rejects.toThrow('timed out after 45000 ms');
    await vi.advanceTimersByTimeAsync(44_900);
    expect(await settled(waiting)).toBe(false);
    await vi.advanceTimersByTimeAsync(100);
    await failure;
  });
});

describe('sleep', () => {
  it('resolves after the given time, not before', async () => {
    const sleeping = sleep(500);
    await vi.advanceTimersByTimeAsync(499);
    expect(await settled(sleeping)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await expect(sleeping).resolves.toBeUndefined();
  });
});
