import { describe, expect, it } from 'vitest';
import {
  changeReasonOfAdjustment,
  checkOnHandChange,
  crossesIntoLowStock,
  eventTotal,
  isLowStock,
  MAX_UNITS_AT_LOCATION,
  type StockLevelState,
} from './stock.js';

const level = (onHand: number, reserved: number, lowStockThreshold = 5): StockLevelState => ({
  productId: 'p',
  warehouseId: 'wh-1',
  onHand,
  reserved,
  lowStockThreshold,
});

describe('low stock', () => {
  it('is low when available is at or below the threshold', () => {
    expect(isLowStock(level(10, 5))).toBe(true);
    expect(isLowStock(level(10, 4))).toBe(false);
  });

  it('alerts only on the change that makes a location low', () => {
    expect(crossesIntoLowStock(level(10, 4), level(10, 5))).toBe(true);
    expect(crossesIntoLowStock(level(10, 5), level(10, 6))).toBe(false);
    expect(crossesIntoLowStock(level(10, 6), level(10, 4))).toBe(false);
    expect(crossesIntoLowStock(null, level(3, 0))).toBe(true);
    expect(crossesIntoLowStock(null, level(30, 0))).toBe(false);
  });
});

describe('checkOnHandChange', () => {
  it('refuses going below zero or below what is reserved', () => {
    expect(checkOnHandChange(level(5, 0), -6)).toMatchObject({ problem: 'NEGATIVE_ON_HAND' });
    expect(checkOnHandChange(level(5, 3), -3)).toMatchObject({ problem: 'BELOW_RESERVED', reserved: 3 });
    expect(checkOnHandChange(level(5, 3), -2)).toBeNull();
    expect(checkOnHandChange(level(0, 0), 7)).toBeNull();
  });

  it('refuses more units at one location than its count can hold', () => {
    expect(checkOnHandChange(level(MAX_UNITS_AT_LOCATION - 1, 0), 1)).toBeNull();
    expect(checkOnHandChange(level(MAX_UNITS_AT_LOCATION - 1, 0), 2)).toEqual({
      problem: 'ABOVE_MAXIMUM',
      onHand: MAX_UNITS_AT_LOCATION - 1,
      change: 2,
      maximum: MAX_UNITS_AT_LOCATION,
    });
  });
});

describe('totals in events', () => {
  it('sends a total beyond an Avro int as the largest int, and any other total as it is', () => {
    expect(eventTotal(12)).toBe(12);
    expect(eventTotal(2_147_483_647)).toBe(2_147_483_647);
    expect(eventTotal(3 * 2_147_483_647)).toBe(2_147_483_647);
  });
});

describe('adjustment reasons', () => {
  it('reports a returned unit as RETURNED and every other manual change as ADJUSTED', () => {
    expect(changeReasonOfAdjustment('RETURN')).toBe('RETURNED');
    for (const reason of ['RESTOCK', 'DAMAGED', 'LOST', 'CORRECTION'] as const)
      expect(changeReasonOfAdjustment(reason)).toBe('ADJUSTED');
  });
});
