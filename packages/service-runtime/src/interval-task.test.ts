import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { intervalTask } from './interval-task.js';

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
