import type { Millis, ObserverClock } from './state.js';

/** Offsets per `<topic>:<partition>`. */
export type PartitionOffsets = Record<string, number>;

/**
 * Moves the observer's clock after one look at the broker. `previous` is the last sample of the topics'
 * end offsets (taken at `previous.at`); `committed` the consumer group's offsets now. When the group has
 * reached every one of those end offsets, every event published before `previous.at` has been applied:
 * the clock moves to `previous.at`. Otherwise it stands still. When the clock moves after standing still
 * for longer than `maxPauseMs` (the observer was down, or behind), `liveSince` restarts there: that time
 * does not count towards any timeout.
 */
export function advanceObserverClock(
  current: ObserverClock,
  previous: { at: Millis; ends: PartitionOffsets } | null,
  committed: PartitionOffsets,
  maxPauseMs: number,
): ObserverClock {
  if (!previous) return current;
  const caughtUp = Object.entries(previous.ends).every(
    ([partition, end]) => (committed[partition] ?? 0) >= end,
  );
  if (!caughtUp) return current;
  const observedUntil = Math.max(previous.at, current.observedUntil ?? previous.at);
  const paused =
    current.observedUntil === null ||
    current.liveSince === null ||
    observedUntil - current.observedUntil > maxPauseMs;
  return { observedUntil, liveSince: paused ? observedUntil : current.liveSince };
}
