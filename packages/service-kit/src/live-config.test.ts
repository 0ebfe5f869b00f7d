import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError } from './config.js';
import { createLiveConfig, DEFAULT_RETRY_SETTINGS, type LiveConfigChange } from './live-config.js';
import { createLogger } from './logger.js';
import { LogCapture } from './test-support/test-app.js';

function setup() {
  const logs = new LogCapture();
  const logger = createLogger({ service: 'orders', version: '1.0.0', level: 'info', destination: logs });
  const live = createLiveConfig({
    logger,
    initial: {
      logLevel: 'info',
      featureFlags: { expressCheckout: false, giftWrap: true },
      retry: DEFAULT_RETRY_SETTINGS,
      paymentTimeoutMs: 5000,
    },
    keys: { paymentTimeoutMs: z.number().int().min(100).max(60_000) },
  });
  return { logs, logger, live };
}

describe('createLiveConfig', () => {
  it('starts from the initial values', () => {
    const { live, logger } = setup();
    expect(live.get()).toEqual({
      logLevel: 'info',
      featureFlags: { expressCheckout: false, giftWrap: true },
      retry: { maxAttempts: 3, initialIntervalMs: 1000, multiplier: 2, maxIntervalMs: 30_000 },
      paymentTimeoutMs: 5000,
    });
    expect(logger.level).toBe('info');
  });

  it('applies the log level to the logger at once', () => {
    const { live, logger, logs } = setup();
    logger.debug('before');
    expect(live.apply({ logLevel: 'debug' }).changed).toEqual(['logLevel']);
    expect(logger.level).toBe('debug');
    logger.debug('after');
    expect(logs.lines.map((line) => line.msg)).toContain('after');
    expect(logs.lines.map((line) => line.msg)).not.toContain('before');
  });

  it('merges feature flags and retry settings key by key', () => {
    const { live } = setup();
    live.apply({ featureFlags: { expressCheckout: true }, retry: { maxAttempts: 5 } });
    expect(live.get().featureFlags).toEqual({ expressCheckout: true, giftWrap: true });
    expect(live.get().retry).toEqual({ ...DEFAULT_RETRY_SETTINGS, maxAttempts: 5 });
  });

  it('emits a change with the previous and current values', () => {
    const { live } = setup();
    const changes: LiveConfigChange<ReturnType<typeof live.get>>[] = [];
    const unsubscribe = live.on('change', (change) => changes.push(change));

    live.apply({ paymentTimeoutMs: 8000, featureFlags: { giftWrap: true } });
    expect(changes).toHaveLength(1);
    expect(changes[0]?.changed).toEqual(['paymentTimeoutMs']);
    expect(changes[0]?.previous.paymentTimeoutMs).toBe(5000);
    expect(changes[0]?.current.paymentTimeoutMs).toBe(8000);

    live.apply({ paymentTimeoutMs: 8000 });
    expect(changes).toHaveLength(1);

    unsubscribe();
    live.apply({ paymentTimeoutMs: 9000 });
    expect(changes).toHaveLength(1);
  });

  it('rejects an invalid update as a whole and keeps the current values', () => {
    const { live, logger } = setup();
    let error: unknown;
    try {
      live.apply({ logLevel: 'debug', retry: { maxAttempts: 0 }, paymentTimeoutMs: 10 });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const variables = (error as ConfigError).issues.map((issue) => issue.variable).sort();
    expect(variables).toEqual(['paymentTimeoutMs', 'retry.maxAttempts']);
    expect(live.get().logLevel).toBe('info');
    expect(live.get().retry.maxAttempts).toBe(3);
    expect(logger.level).toBe('info');
  });

  it('checks rules that span fields', () => {
    const { live } = setup();
    expect(() => live.apply({ retry: { initialIntervalMs: 60_000 } })).toThrow(/retry.maxIntervalMs/);
  });

  it('ignores keys it does not know and says so', () => {
    const { live, logs } = setup();
    const result = live.apply({ giftWrapFee: 3, featureFlags: { giftWrap: false } });
    expect(result).toEqual({ changed: ['featureFlags'], ignored: ['giftWrapFee'] });
    expect(live.get()).not.toHaveProperty('giftWrapFee');
    expect(logs.lines.find((line) => line.level === 'warn')).toMatchObject({ ignored: ['giftWrapFee'] });
  });

  it('isolates a failing listener', () => {
    const { live, logs } = setup();
    const seen: number[] = [];
    live.on('change', () => {
      throw new Error('listener broke');
    });
    live.on('change', (change) => seen.push(change.current.paymentTimeoutMs));
    live.apply({ paymentTimeoutMs: 7000 });
    expect(seen).toEqual([7000]);
    expect(logs.lines.find((line) => line.level === 'error')).toMatchObject({
      msg: 'a live configuration listener failed',
    });
  });

  it('refuses invalid initial values', () => {
    const logger = createLogger({ service: 's', version: '1', destination: new LogCapture() });
    expect(() =>
      createLiveConfig({
        logger,
        initial: { logLevel: 'verbose' as 'info', featureFlags: {}, retry: DEFAULT_RETRY_SETTINGS },
      }),
    ).toThrow(ConfigError);
  });
});
