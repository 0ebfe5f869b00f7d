/** The send time of request i of an open-loop run: start + i / rate, whatever happened to earlier requests. */
export function intendedSendTime(startAt: number, rate: number, index: number): number {
  return startAt + (index * 1000) / rate;
}

/** Requests of a run of `durationS` seconds at `rate` per second. */
export function requestCount(rate: number, durationS: number): number {
  return Math.max(1, Math.round(rate * durationS));
}

/**
 * Indexes due by `now`, from `next` on: the ones whose send time has come (all of them at once when the
 * generator fell behind: an open-loop client catches up instead of skipping or slowing down).
 */
export function dueIndexes(startAt: number, rate: number, next: number, total: number, now: number): number {
  let index = next;
  while (index < total && intendedSendTime(startAt, rate, index) <= now) index += 1;
  return index;
}
