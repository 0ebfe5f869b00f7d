/**
 * Waits `ms`; resolves early when `signal` aborts. Resolves true when the whole wait elapsed, false when
 * it was aborted. The abort listener is removed when the wait ends, so a loop of sleeps on one
 * long-lived signal leaves nothing behind.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise<boolean>((resolve) => {
    const finish = (elapsed: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(elapsed);
    };
    const onAbort = () => finish(false);
    const timer = setTimeout(() => finish(true), Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Waits `ms` in slices of at most `everyMs`, calling `heartbeat` after each slice (a Kafka consumer
 * group member keeps its place this way during a long backoff). Returns early when `signal` aborts;
 * an error of `heartbeat` ends the wait and is thrown.
 */
export async function sleepWithHeartbeat(
  ms: number,
  options: { signal?: AbortSignal; heartbeat?: () => Promise<void>; everyMs?: number },
): Promise<boolean> {
  const deadline = Date.now() + ms;
  const every = options.everyMs ?? 1000;
  while (Date.now() < deadline) {
    const elapsed = await sleep(Math.min(every, deadline - Date.now()), options.signal);
    if (!elapsed) return false;
    if (options.heartbeat) await options.heartbeat();
  }
  return !options.signal?.aborted;
}
