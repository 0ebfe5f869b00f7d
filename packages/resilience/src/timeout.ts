/**
 * Settles like `work`, or rejects with `onTimeout()` when `work` has not settled after `ms`. The timer
 * is cleared either way. `work` itself is not cancelled: pass it an AbortSignal of its own when it can
 * be.
 */
export async function withTimeout<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
