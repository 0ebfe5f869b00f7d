import { describe, expect, it } from 'vitest';
import { MAX_UNITS_AT_LOCATION, type StockLevelState } from '../domain/stock.js';
import { locationNotFound, onHandRefused } from './adjust-stock.js';

const level = (onHand: number, reserved: number): StockLevelState => ({
  productId: 'p-1',
  warehouseId: 'wh-1',
  onHand,
  reserved,
  lowStockThreshold: 5,
});

describe('manual stock changes', () => {
  it('answers a location without a stock record with 404, naming product and location', () => {
    expect(locationNotFound('p-1', 'wh-9')).toMatchObject({
      code: 'NOT_FOUND',
      status: 404,
      message: 'Product p-1 has no stock record at location wh-9',
      details: { reason: 'STOCK_LOCATION_NOT_FOUND', productId: 'p-1', warehouseId: 'wh-9' },
    });
  });

  it('accepts a change that keeps the units on hand between what is reserved and the maximum', () => {
    expect(onHandRefused(level(10, 4), -6)).toBeNull();
    expect(onHandRefused(level(10, 4), 25)).toBeNull();
  });

  it('refuses with 422 INSUFFICIENT_STOCK a change below zero, writing the arithmetic', () => {
    expect(onHandRefused(level(3, 0), -5)).toMatchObject({
      code: 'UNPROCESSABLE_ENTITY',
      status: 422,
      message: 'Units on hand of p-1 at wh-1 would fall below zero (3 - 5)',
      details: {
        reason: 'INSUFFICIENT_STOCK',
        productId: 'p-1',
        warehouseId: 'wh-1',
        onHand: 3,
        reserved: 0,
        quantityChange: -5,
      },
    });
  });

  it('refuses a change below what reservations hold, asking to release them first', () => {
    const error = onHandRefused(level(10, 8), -3);
    expect(error).toMatchObject({
      status: 422,
      details: { reason: 'INSUFFICIENT_STOCK', onHand: 10, reserved: 8, quantityChange: -3 },
    });
    expect(error?.message).toBe(
      'Units on hand of p-1 at wh-1 would fall below the 8 units reserved for orders; release those reservations first',
    );
  });

  it('refuses with STOCK_LIMIT_EXCEEDED more units than one location can hold', () => {
    expect(onHandRefused(level(MAX_UNITS_AT_LOCATION, 0), 1)).toMatchObject({
      code: 'UNPROCESSABLE_ENTITY',
      message: `Units on hand of p-1 at wh-1 would exceed the ${MAX_UNITS_AT_LOCATION} one location can hold (${MAX_UNITS_AT_LOCATION} + 1)`,
      details: {
        reason: 'STOCK_LIMIT_EXCEEDED',
        onHand: MAX_UNITS_AT_LOCATION,
        quantityChange: 1,
        maximum: MAX_UNITS_AT_LOCATION,
      },
    });
  });
});
