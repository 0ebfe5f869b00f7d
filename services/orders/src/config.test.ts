import { ConfigError, loadConfig } from '@fv/service-kit';
import { describe, expect, it } from 'vitest';
import { assertConsistentConfig, ordersConfigSchema } from './config.js';

const base = { NODE_ENV: 'development', SERVICE_NAME: 'orders', PORT: '8084' };

describe('orders configuration', () => {
  it('runs with no configuration, with the seed 003 payment resilience numbers', () => {
    const config = loadConfig(ordersConfigSchema, base);
    expect(config.ORDER_CURRENCIES).toEqual(['USD', 'EUR', 'GBP']);
    expect(config.ORDER_MAX_QUANTITY_PER_LINE).toBe(100);
    expect(config.PAYMENT_RETRY_DELAYS_MS).toEqual([1000, 2000, 4000]);
    expect(config.PAYMENT_CIRCUIT_FAILURE_THRESHOLD).toBe(5);
    expect(config.PAYMENT_CIRCUIT_WINDOW_MS).toBe(60_000);
    expect(config.PAYMENT_CIRCUIT_OPEN_MS).toBe(30_000);
    expect(config.PAYMENT_PROVIDER_PATIENCE_MS).toBe(120_000);
    expect(config.PAYMENT_RECOVERY_INTERVAL_MS).toBe(2000);
    expect(config.PAYMENT_RECOVERY_BACKOFF_MAX_MS).toBe(15_000);
    expect(() => assertConsistentConfig(config)).not.toThrow();
  });

  it('reads lists', () => {
    const config = loadConfig(ordersConfigSchema, {
      ...base,
      ORDER_CURRENCIES: 'usd, jpy,USD',
      PAYMENT_RETRY_DELAYS_MS: '10, 20',
    });
    expect(config.ORDER_CURRENCIES).toEqual(['USD', 'JPY']);
    expect(config.PAYMENT_RETRY_DELAYS_MS).toEqual([10, 20]);
  });

  it('names the variable at fault', () => {
    expect(() => loadConfig(ordersConfigSchema, { ...base, ORDER_CURRENCIES: 'USD,DOLLARS' })).toThrow(
      /ORDER_CURRENCIES: "DOLLARS" is not a three-letter/,
    );
    expect(() => loadConfig(ordersConfigSchema, { ...base, ORDER_CURRENCIES: 'KWD' })).toThrow(
      /ORDER_CURRENCIES: KWD has more than 2 decimal places/,
    );
    expect(() => loadConfig(ordersConfigSchema, { ...base, PAYMENT_RETRY_DELAYS_MS: '1s,2s' })).toThrow(
      /PAYMENT_RETRY_DELAYS_MS/,
    );
    expect(() => loadConfig(ordersConfigSchema, { ...base, ORDER_MAX_QUANTITY_PER_LINE: '0' })).toThrow(
      /ORDER_MAX_QUANTITY_PER_LINE/,
    );
    expect(() => loadConfig(ordersConfigSchema, { ...base, PAYMENT_PROVIDER_URL: 'not a url' })).toThrow(
      /PAYMENT_PROVIDER_URL/,
    );
    expect(() => loadConfig(ordersConfigSchema, { ...base, PAYMENT_PROVIDER_PATIENCE_MS: '2m' })).toThrow(
      /PAYMENT_PROVIDER_PATIENCE_MS/,
    );
    expect(() => loadConfig(ordersConfigSchema, { ...base, PAYMENT_PROVIDER_PATIENCE_MS: '-1' })).toThrow(
      /PAYMENT_PROVIDER_PATIENCE_MS/,
    );
    expect(() => loadConfig(ordersConfigSchema, { ...base, PAYMENT_RECOVERY_INTERVAL_MS: '600000' })).toThrow(
      /PAYMENT_RECOVERY_INTERVAL_MS/,
    );
  });

  it('refuses a retry backoff capped below its first delay', () => {
    const config = loadConfig(ordersConfigSchema, {
      ...base,
      PAYMENT_RECOVERY_INTERVAL_MS: '5000',
      PAYMENT_RECOVERY_BACKOFF_MAX_MS: '1000',
    });
    expect(() => assertConsistentConfig(config)).toThrow(/PAYMENT_RECOVERY_BACKOFF_MAX_MS: must be at least/);
  });

  it('refuses payment timeouts and retries that would outlast the transaction holding the order', () => {
    const config = loadConfig(ordersConfigSchema, { ...base, PAYMENT_TIMEOUT_MS: '10000' });
    expect(() => assertConsistentConfig(config)).toThrow(ConfigError);
    expect(() => assertConsistentConfig(config)).toThrow(/PAYMENT_TIMEOUT_MS: with 4 attempts/);
  });
});
