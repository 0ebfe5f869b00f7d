import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { dueTimeTask, intervalTask } from './interval-task.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('intervalTask', () => {
  it('runs once the database is ready, never two rounds at once, and keeps going after a failed round', async () => {
    let release: () => void = () => {};
    const rounds: number[] = [];
    const errors: unknown[] = [];
    const task = intervalTask('test', {
      ready: Promise.resolve(),
      intervalMs: 100,
      round: async () => {
        rounds.push(rounds.length);
        if (rounds.length === 1) throw new Error('first round failed');
        if (rounds.length === 2) await new Promise<void>((resolve) => (release = resolve));
      },
      onError: (error) => errors.push(error),
    });
    task.start();
    await vi.advanceTimersByTimeAsync(100);
    expect(rounds).toHaveLength(1);
    expect(errors).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(100); // the second round starts and hangs
    await vi.advanceTimersByTimeAsync(300); // due three times meanwhile: not started again
    expect(rounds).toHaveLength(2);
    release();
    await vi.advanceTimersByTimeAsync(100);
    expect(rounds).toHaveLength(3);
    await task.close();
    await vi.advanceTimersByTimeAsync(1000);
    expect(rounds).toHaveLength(3);
  });

  it('waits for the round in hand when closed', async () => {
    let finished = false;
    const task = intervalTask('test', {
      ready: Promise.resolve(),
      intervalMs: 100,
      round: () =>
        new Promise<void>((resolve) =>
          setTimeout(() => {
            finished = true;
            resolve();
          }, 500),
        ),
      onError: () => {},
    });
    task.start();
    await vi.advanceTimersByTimeAsync(100);
    const closing = task.close();
    await vi.advanceTimersByTimeAsync(500);
    await closing;
    expect(finished).toBe(true);
  });
});

describe('dueTimeTask', () => {
  function task(dueIn: (round: number) => number | null, options: { maxIdleMs?: number } = {}) {
    const startedAt: number[] = [];
    const t0 = Date.now();
    const loop = dueTimeTask('test', {
      ready: Promise.resolve(),
      maxIdleMs: options.maxIdleMs ?? 30_000,
      round: async () => {
        startedAt.push(Date.now() - t0);
        const ms = dueIn(startedAt.length);
        return ms === null ? null : new Date(Date.now() + ms);
      },
      onError: () => {},
    });
    return { loop, startedAt };
  }

  it('runs at once, then sleeps until the work it reports is due', async () => {
    const { loop, startedAt } = task((round) => (round === 1 ? 5_000 : null));
    loop.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(startedAt).toEqual([0]);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(startedAt).toEqual([0]);
    await vi.advanceTimersByTimeAsync(1);
    expect(startedAt).toEqual([0, 5_000]);
    await loop.close();
  });

  it('knowing of no work, looks again after maxIdleMs, and never sleeps longer', async () => {
    const { loop, startedAt } = task((round) => (round === 1 ? null : 3_600_000), { maxIdleMs: 30_000 });
    loop.start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(startedAt).toEqual([0, 30_000, 60_000]);
    await loop.close();
  });

  it('wakes at once when told, and runs again after a round woken in its middle', async () => {
    let release: () => void = () => {};
    const startedAt: number[] = [];
    const loop = dueTimeTask('test', {
      ready: Promise.resolve(),
      round: async () => {
        startedAt.push(Date.now());
        if (startedAt.length === 2) await new Promise<void>((resolve) => (release = resolve));
        return null;
      },
      onError: () => {},
    });
    const t0 = Date.now();
    loop.start();
    await vi.advanceTimersByTimeAsync(1_000);
    loop.wake();
    await vi.advanceTimersByTimeAsync(0);
    expect(startedAt.map((at) => at - t0)).toEqual([0, 1_000]);
    loop.wake(); // during the second round: a third follows it at once
    loop.wake();
    await vi.advanceTimersByTimeAsync(500);
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(startedAt.map((at) => at - t0)).toEqual([0, 1_000, 1_500]);
    await vi.advanceTimersByTimeAsync(29_999);
    expect(startedAt).toHaveLength(3);
    await loop.close();
  });

  it('retries a failed round after retryMs, and ignores wakes once closed', async () => {
    const startedAt: number[] = [];
    const errors: unknown[] = [];
    const t0 = Date.now();
    const loop = dueTimeTask('test', {
      ready: Promise.resolve(),
      retryMs: 2_000,
      round: async () => {
        startedAt.push(Date.now() - t0);
        if (startedAt.length === 1) throw new Error('database down');
        return null;
      },
      onError: (error) => errors.push(error),
    });
    loop.start();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(startedAt).toEqual([0, 2_000]);
    expect(errors).toHaveLength(1);
    await loop.close();
    loop.wake();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(startedAt).toEqual([0, 2_000]);
  });

  it('runs when work it is told of falls due, earlier than it planned, and not again when later', async () => {
    const { loop, startedAt } = task(() => null, { maxIdleMs: 30_000 });
    const t0 = Date.now();
    loop.start();
    await vi.advanceTimersByTimeAsync(0);
    loop.dueBy(new Date(t0 + 2_000));
    loop.dueBy(new Date(t0 + 40_000)); // later than the planned round: nothing changes
    await vi.advanceTimersByTimeAsync(2_000);
    expect(startedAt).toEqual([0, 2_000]);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(startedAt).toEqual([0, 2_000, 32_000]);
    await loop.close();
  });

  it('keeps a due time it is told of during a round for after it', async () => {
    let release: () => void = () => {};
    const startedAt: number[] = [];
    const t0 = Date.now();
    const loop = dueTimeTask('test', {
      ready: Promise.resolve(),
      round: async () => {
        startedAt.push(Date.now() - t0);
        if (startedAt.length === 1) await new Promise<void>((resolve) => (release = resolve));
        return null;
      },
      onError: () => {},
    });
    loop.start();
    await vi.advanceTimersByTimeAsync(0);
    loop.dueBy(new Date(t0 + 5_000));
    await vi.advanceTimersByTimeAsync(1_000);
    release();
    await vi.advanceTimersByTimeAsync(4_000);
    expect(startedAt).toEqual([0, 5_000]);
    await loop.close();
  });
});
