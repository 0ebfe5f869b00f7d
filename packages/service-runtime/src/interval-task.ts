import type { BackgroundTask } from './service-runtime.js';

/**
 * A background task that runs `round` every `intervalMs` once the database is ready, one round at a time
 * (a round still running when the next is due is not started twice); `close` waits for the round in hand.
 * A failed round is given to `onError` and the next one runs as usual.
 */
export function intervalTask(
  name: string,
  options: {
    ready: Promise<unknown>;
    intervalMs: number;
    round: () => Promise<unknown>;
    onError: (error: unknown) => void;
  },
): BackgroundTask {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = false;
  const tick = () => {
    if (stopped || running) return;
    running = options
      .round()
      .catch(options.onError)
      .finally(() => {
        running = undefined;
      });
  };
  return {
    name,
    start() {
      stopped = false;
      void options.ready.then(() => {
        if (stopped) return;
        timer = setInterval(tick, options.intervalMs);
        timer.unref();
      });
    },
    async close() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
