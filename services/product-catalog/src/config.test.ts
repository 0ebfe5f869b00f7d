import { ConfigError, loadConfig } from '@fv/service-kit';
import { describe, expect, it } from 'vitest';
import { catalogConfigSchema } from './config.js';

const base = { NODE_ENV: 'development', SERVICE_NAME: 'product-catalog', PORT: '8082' };

describe('catalog configuration', () => {
  it('runs with no configuration', () => {
    const config = loadConfig(catalogConfigSchema, base);
    expect(config.CATALOG_CURRENCIES).toEqual(['USD', 'EUR', 'GBP', 'CAD', 'AUD', 'CHF']);
    expect(config.IDEMPOTENCY_KEY_TTL_HOURS).toBe(24);
    expect(config.PUBLISHABLE_KEY_RATE_LIMIT_PER_MINUTE).toBe(600);
  });

  it('reads a currency list in any case and spacing', () => {
    expect(
      loadConfig(catalogConfigSchema, { ...base, CATALOG_CURRENCIES: ' usd, sek ,USD' }).CATALOG_CURRENCIES,
    ).toEqual(['USD', 'SEK']);
  });

  it('refuses a bad value naming the variable', () => {
    expect(() => loadConfig(catalogConfigSchema, { ...base, CATALOG_CURRENCIES: 'dollars' })).toThrow(
      /CATALOG_CURRENCIES/,
    );
    expect(() => loadConfig(catalogConfigSchema, { ...base, IDEMPOTENCY_KEY_TTL_HOURS: '0' })).toThrow(
      ConfigError,
    );
    expect(() => loadConfig(catalogConfigSchema, { ...base, IDEMPOTENCY_KEY_TTL_HOURS: '0' })).toThrow(
      /IDEMPOTENCY_KEY_TTL_HOURS/,
    );
    expect(() =>
      loadConfig(catalogConfigSchema, { ...base, PUBLISHABLE_KEY_RATE_LIMIT_PER_MINUTE: '0' }),
    ).toThrow(/PUBLISHABLE_KEY_RATE_LIMIT_PER_MINUTE/);
  });
});
