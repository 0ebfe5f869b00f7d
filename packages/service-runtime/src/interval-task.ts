import type { BackgroundTask } from './service-runtime.js';

/** The longest a due-time task sleeps when it knows of no work: the net for writes nobody told it of. */
export const BACKGROUND_MAX_IDLE_MS = 30_000;

/** A background task that can be told that work may have become due. */
export interface DueTimeTask extends BackgroundTask {
  /** Runs a round soon: at once when idle, right after the round in hand otherwise. */
  wake(): void;
  /**
   * Work is due at `at` (a retry's backoff, a lease): runs a round then, if none is planned earlier. No
   * commit needs to be waited for when `at` is in the future.
   */
  dueBy(at: Date): void;
}

/**
 * A background task that sleeps until its work is due instead of polling: each round does what is due
 * and returns when work is next due (`null`: none is known). The task sleeps until then, at most
 * `maxIdleMs` (writes made elsewhere, by another replica or by hand, are found by then), at least
 * `minDelayMs`. Whoever makes work due in this process calls `wake()` once it has committed (never the
 * round's own commits: the task would wake itself for ever), or `dueBy()` with a time. Rounds start
 * once `ready` resolves, one at a time; a failed round is given to `onError` and retried after
 * `retryMs`; `close` waits for the round in hand.
 */
export function dueTimeTask(
  name: string,
  options: {
    ready: Promise<unknown>;
    round: () => Promise<Date | null>;
    onError: (error: unknown) => void;
    maxIdleMs?: number;
    minDelayMs?: number;
    retryMs?: number;
    /** Delay of the first round (default: at once). */
    firstRoundAfterMs?: number;
    now?: () => number;
  },
): DueTimeTask {
  const maxIdleMs = options.maxIdleMs ?? BACKGROUND_MAX_IDLE_MS;
  const now = options.now ?? Date.now;
  let timer: NodeJS.Timeout | undefined;
  let plannedAt = Number.POSITIVE_INFINITY;
  let running: Promise<unknown> | undefined;
  let woken = false;
  let dueDuringRound = Number.POSITIVE_INFINITY;
  let started = false;
  let stopped = false;

  const sleep = (ms: number) => {
    clearTimeout(timer);
    if (stopped) return;
    const delay = Math.max(ms, options.minDelayMs ?? 0, 0);
    plannedAt = now() + delay;
    timer = setTimeout(run, delay);
    timer.unref();
  };
  const run = () => {
    if (stopped || running) return;
    clearTimeout(timer);
    woken = false;
    let delay = maxIdleMs;
    running = options
      .round()
      .then(
        (next) => {
          if (next) delay = Math.min(maxIdleMs, next.getTime() - now());
        },
        (error: unknown) => {
          options.onError(error);
          delay = Math.min(maxIdleMs, options.retryMs ?? 1000);
        },
      )
      .finally(() => {
        running = undefined;
        const dueIn = dueDuringRound - now();
        dueDuringRound = Number.POSITIVE_INFINITY;
        sleep(woken ? 0 : Math.min(delay, dueIn));
      });
  };
  return {
    name,
    start() {
      stopped = false;
      void options.ready.then(() => {
        if (stopped || started) return;
        started = true;
        sleep(options.firstRoundAfterMs ?? 0);
      });
    },
    wake() {
      if (stopped || !started) return;
      if (running) woken = true;
      else sleep(0);
    },
    dueBy(at) {
      if (stopped || !started) return;
      if (running) dueDuringRound = Math.min(dueDuringRound, at.getTime());
      else if (at.getTime() < plannedAt) sleep(at.getTime() - now());
    },
    async close() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

/**
 * A background task that runs `round` every `intervalMs` once the database is ready, one round at a time
 * (the next round starts `intervalMs` after the last one ended); `close` waits for the round in hand.
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
  return dueTimeTask(name, {
    ready: options.ready,
    round: async () => {
      await options.round();
      return null;
    },
    onError: options.onError,
    maxIdleMs: options.intervalMs,
    retryMs: options.intervalMs,
    firstRoundAfterMs: options.intervalMs,
  });
}
