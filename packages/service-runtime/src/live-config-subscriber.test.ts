import { describe, expect, it } from 'vitest';
import { liveUpdateFor } from './live-config-subscriber.js';

const initial = {
  logLevel: 'info',
  featureFlags: { stable: true },
  retry: { maxAttempts: 3, initialIntervalMs: 1000, multiplier: 2, maxIntervalMs: 30_000 },
};

describe('liveUpdateFor', () => {
  it('takes configured values over the start-up ones', () => {
    const update = liveUpdateFor(
      { logLevel: 'debug', 'featureFlags.beta': true, 'retry.maxAttempts': 5, 'db.url': 'x' },
      initial,
      initial,
    );
    expect(update).toEqual({
      logLevel: 'debug',
      featureFlags: { stable: true, beta: true },
      retry: { ...initial.retry, maxAttempts: 5 },
    });
  });

  it('returns removed keys to their start-up values and switches removed flags off', () => {
    const current = {
      logLevel: 'debug',
      featureFlags: { stable: false, beta: true },
      retry: { ...initial.retry, maxAttempts: 9 },
    };
    expect(liveUpdateFor({}, initial, current)).toEqual({
      ...initial,
      featureFlags: { stable: true, beta: false },
    });
  });
});
