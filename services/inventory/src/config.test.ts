import { loadConfig } from '@fv/service-kit';
import { describe, expect, it } from 'vitest';
import { inventoryConfigSchema, limitsOf } from './config.js';

const base = { NODE_ENV: 'development', SERVICE_NAME: 'inventory', PORT: '8083' };

describe('inventory configuration', () => {
  it('runs with no configuration', () => {
    const config = loadConfig(inventoryConfigSchema, base);
    expect(limitsOf(config)).toEqual({
      reservationTtlSeconds: 900,
      maxQuantityPerOrder: 100,
      maxReservationLines: 100,
      defaultLowStockThreshold: 10,
      replenishment: {
        defaultReorderQuantity: 50,
        defaultSupplierId: 'default-supplier',
        maxAttempts: 5,
        deliveryTimeoutMs: 7 * 86_400_000,
        pollIntervalMs: 2000,
      },
    });
    expect(config.RESERVATION_SWEEP_INTERVAL_MS).toBe(5000);
    expect(config.SUPPLIER_URL).toBe('http://127.0.0.1:8089');
  });

  it('reads its variables', () => {
    const config = loadConfig(inventoryConfigSchema, {
      ...base,
      RESERVATION_TTL_SECONDS: '60',
      MAX_QUANTITY_PER_ORDER: '5',
    });
    expect(config.RESERVATION_TTL_SECONDS).toBe(60);
    expect(config.MAX_QUANTITY_PER_ORDER).toBe(5);
  });

  it('refuses a bad value, naming the variable', () => {
    expect(() => loadConfig(inventoryConfigSchema, { ...base, RESERVATION_TTL_SECONDS: '0' })).toThrow(
      /RESERVATION_TTL_SECONDS/,
    );
    expect(() => loadConfig(inventoryConfigSchema, { ...base, MAX_QUANTITY_PER_ORDER: 'many' })).toThrow(
      /MAX_QUANTITY_PER_ORDER/,
    );
  });
});
