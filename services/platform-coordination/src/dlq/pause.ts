/** Capped exponential backoff with equal jitter (half the ceiling plus a random half): attempt 0 waits 125–250 ms, then doubling up to 10 s. */
export function backoff(failures: number, random: () => number = Math.random): number {
  const ceiling = Math.min(10_000, 250 * 2 ** Math.min(failures, 16));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * Waits `ms`, calling `heartbeat` every second so the consumer group keeps the member, and returns
 * early when `signal` aborts. One abort listener per wait, removed when the wait ends.
 */
export async function pause(ms: number, signal: AbortSignal, heartbeat?: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + ms;
  while (!signal.aborted && Date.now() < deadline) {
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.min(1000, Math.max(0, deadline - Date.now())));
      signal.addEventListener('abort', done);
    });
    if (!signal.aborted && heartbeat) await heartbeat().catch(() => undefined);
  }
}
