import { loadConfig } from '@fv/service-kit';
import { describe, expect, it } from 'vitest';
import { deliveryConfigSchema } from './config.js';

const base = { NODE_ENV: 'development', SERVICE_NAME: 'delivery', PORT: '8085' };

describe('delivery configuration', () => {
  it('runs with no configuration', () => {
    const config = loadConfig(deliveryConfigSchema, base);
    expect(config.CARRIER_SUPPORTED_COUNTRIES).toContain('US');
    expect(config.CARRIER_WEBHOOK_SECRET).toBeUndefined();
    expect(config.RETURN_WINDOW_DAYS).toBe(30);
    expect(config.EVENT_RETRY_DELAYS_MS).toEqual([1000, 2000, 4000]);
  });

  it('normalises the country list', () => {
    const config = loadConfig(deliveryConfigSchema, { ...base, CARRIER_SUPPORTED_COUNTRIES: ' us, ca ,gb' });
    expect(config.CARRIER_SUPPORTED_COUNTRIES).toEqual(['US', 'CA', 'GB']);
  });

  it('names the variable of a bad value', () => {
    expect(() =>
      loadConfig(deliveryConfigSchema, { ...base, CARRIER_SUPPORTED_COUNTRIES: 'USA,CA' }),
    ).toThrow(/CARRIER_SUPPORTED_COUNTRIES: must be a comma-separated list of ISO 3166-1 alpha-2/);
    expect(() => loadConfig(deliveryConfigSchema, { ...base, RETURN_WINDOW_DAYS: '-1' })).toThrow(
      /RETURN_WINDOW_DAYS/,
    );
    expect(() => loadConfig(deliveryConfigSchema, { ...base, CARRIER_WEBHOOK_SECRET: 'short' })).toThrow(
      /CARRIER_WEBHOOK_SECRET: must be at least 16 characters/,
    );
    expect(() => loadConfig(deliveryConfigSchema, { ...base, EVENT_RETRY_DELAYS_MS: '10,abc' })).toThrow(
      /EVENT_RETRY_DELAYS_MS/,
    );
  });
});
