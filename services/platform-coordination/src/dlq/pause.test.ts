import { describe, expect, it } from 'vitest';
import { backoff, pause } from './pause.js';

describe('backoff', () => {
  it('doubles from 250 ms up to 10 s, with between half and all of it', () => {
    expect(backoff(0, () => 0)).toBe(125);
    expect(backoff(0, () => 1)).toBe(250);
    expect(backoff(3, () => 1)).toBe(2000);
    expect(backoff(50, () => 1)).toBe(10_000);
    expect(backoff(50, () => 0)).toBe(5000);
  });
});

describe('pause', () => {
  it('returns at once when aborted, and leaves no listener behind', async () => {
    const controller = new AbortController();
    let listeners = 0;
    const signal = controller.signal;
    const add = signal.addEventListener.bind(signal);
    const remove = signal.removeEventListener.bind(signal);
    signal.addEventListener = ((...args: Parameters<typeof add>) => {
      listeners += 1;
      add(...args);
    }) as typeof add;
    signal.removeEventListener = ((...args: Parameters<typeof remove>) => {
      listeners -= 1;
      remove(...args);
    }) as typeof remove;
    const waiting = pause(60_000, signal);
    controller.abort();
    await waiting;
    expect(listeners).toBe(0);
  });
});
