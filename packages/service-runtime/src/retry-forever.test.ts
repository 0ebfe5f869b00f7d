import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { retryForever } from './retry-forever.js';

const logger = pino({ level: 'silent' });

describe('retryForever', () => {
  it('retries until the attempt succeeds', async () => {
    let calls = 0;
    const done = await retryForever(
      'a flaky thing',
      async () => {
        calls += 1;
        if (calls < 3) throw new Error('not yet');
      },
      { logger, signal: new AbortController().signal, initialDelayMs: 1, maxDelayMs: 2 },
    );
    expect(done).toBe(true);
    expect(calls).toBe(3);
  });

  it('throws at once an error the caller calls fatal', async () => {
    let calls = 0;
    class Misconfigured extends Error {}
    await expect(
      retryForever(
        'a misconfigured thing',
        async () => {
          calls += 1;
          throw new Misconfigured('set DATABASE_URL');
        },
        {
          logger,
          signal: new AbortController().signal,
          initialDelayMs: 1,
          fatal: (error) => error instanceof Misconfigured,
        },
      ),
    ).rejects.toThrow('set DATABASE_URL');
    expect(calls).toBe(1);
  });

  it('leaves no abort listener behind per waited retry', async () => {
    const controller = new AbortController();
    let added = 0;
    let removed = 0;
    const signal = controller.signal;
    const add = signal.addEventListener.bind(signal);
    const remove = signal.removeEventListener.bind(signal);
    signal.addEventListener = ((...args: Parameters<AbortSignal['addEventListener']>) => {
      added += 1;
      add(...args);
    }) as AbortSignal['addEventListener'];
    signal.removeEventListener = ((...args: Parameters<AbortSignal['removeEventListener']>) => {
      removed += 1;
      remove(...args);
    }) as AbortSignal['removeEventListener'];
    let calls = 0;
    await retryForever(
      'a thing failing five times',
      async () => {
        calls += 1;
        if (calls <= 5) throw new Error('no');
      },
      { logger, signal, initialDelayMs: 1, maxDelayMs: 1 },
    );
    expect(added).toBe(5);
    expect(removed).toBe(5);
  });

  it('stops waiting when aborted, and answers false', async () => {
    const controller = new AbortController();
    const pending = retryForever(
      'a thing that never works',
      async () => {
        throw new Error('no');
      },
      { logger, signal: controller.signal, initialDelayMs: 60_000 },
    );
    setTimeout(() => controller.abort(), 10);
    await expect(pending).resolves.toBe(false);
  });
});
