import { describe, expect, it } from 'vitest';
import { advanceObserverClock } from './observer-clock.js';

const T0 = Date.parse('2026-01-15T10:00:00Z');

describe('the observer clock', () => {
  it('moves to a sample of the end offsets once the group has reached all of them', () => {
    const start = { observedUntil: null, liveSince: null };
    expect(advanceObserverClock(start, null, { 'a:0': 5 }, 10_000)).toEqual(start);
    const behind = advanceObserverClock(
      start,
      { at: T0, ends: { 'a:0': 5, 'a:1': 3 } },
      { 'a:0': 5, 'a:1': 2 },
      10_000,
    );
    expect(behind).toEqual(start);
    const caughtUp = advanceObserverClock(
      start,
      { at: T0, ends: { 'a:0': 5, 'a:1': 3 } },
      { 'a:0': 7, 'a:1': 3 },
      10_000,
    );
    expect(caughtUp).toEqual({ observedUntil: T0, liveSince: T0 });
    const next = advanceObserverClock(caughtUp, { at: T0 + 1000, ends: { 'a:0': 7 } }, { 'a:0': 7 }, 10_000);
    expect(next).toEqual({ observedUntil: T0 + 1000, liveSince: T0 });
  });

  it('stands still while the group lags, and restarts liveSince after a pause longer than allowed', () => {
    const live = { observedUntil: T0, liveSince: T0 - 60_000 };
    const lagging = advanceObserverClock(live, { at: T0 + 5000, ends: { 'a:0': 9 } }, { 'a:0': 4 }, 10_000);
    expect(lagging).toEqual(live);
    const shortPause = advanceObserverClock(
      live,
      { at: T0 + 9000, ends: { 'a:0': 9 } },
      { 'a:0': 9 },
      10_000,
    );
    expect(shortPause).toEqual({ observedUntil: T0 + 9000, liveSince: T0 - 60_000 });
    const longPause = advanceObserverClock(
      live,
      { at: T0 + 600_000, ends: { 'a:0': 9 } },
      { 'a:0': 9 },
      10_000,
    );
    expect(longPause).toEqual({ observedUntil: T0 + 600_000, liveSince: T0 + 600_000 });
  });
});
