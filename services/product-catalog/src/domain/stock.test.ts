import { describe, expect, it } from 'vitest';
import { STOCK_STATUSES } from './product-state.js';
import { applyInventoryLevel, stockStatusOf } from './stock.js';

const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms);

describe('applyInventoryLevel', () => {
  it('takes a product into stock when units become available', () => {
    const update = applyInventoryLevel(
      { stockStatus: 'OUT_OF_STOCK', availableQuantity: 0, stockUpdatedAt: null },
      { totalAvailable: 5, occurredAt: at(0) },
    );
    expect(update).toEqual({
      kind: 'applied',
      next: { stockStatus: 'IN_STOCK', availableQuantity: 5, stockUpdatedAt: at(0) },
      becameOutOfStock: false,
      becameInStock: true,
    });
  });

  it('runs out of stock only on the transition from in stock to nothing available', () => {
    const inStock = { stockStatus: 'IN_STOCK' as const, availableQuantity: 2, stockUpdatedAt: at(0) };
    const first = applyInventoryLevel(inStock, { totalAvailable: 0, occurredAt: at(10) });
    expect(first).toMatchObject({
      kind: 'applied',
      becameOutOfStock: true,
      next: { stockStatus: 'OUT_OF_STOCK' },
    });
    const again = applyInventoryLevel(first.kind === 'applied' ? first.next : inStock, {
      totalAvailable: 0,
      occurredAt: at(20),
    });
    expect(again).toMatchObject({ kind: 'applied', becameOutOfStock: false });
  });

  it('never reports running out for a product that never had stock', () => {
    const update = applyInventoryLevel(
      { stockStatus: 'OUT_OF_STOCK', availableQuantity: 0, stockUpdatedAt: null },
      { totalAvailable: 0, occurredAt: at(0) },
    );
    expect(update).toMatchObject({ kind: 'applied', becameOutOfStock: false });
  });

  it('ignores a report older than the figures held', () => {
    const update = applyInventoryLevel(
      { stockStatus: 'IN_STOCK', availableQuantity: 3, stockUpdatedAt: at(100) },
      { totalAvailable: 0, occurredAt: at(50) },
    );
    expect(update).toEqual({ kind: 'stale' });
  });

  it('knows a product only as in stock or out of stock, in stock when any unit is available', () => {
    expect(STOCK_STATUSES).toEqual(['IN_STOCK', 'OUT_OF_STOCK']);
    expect([5, 1, 0, -2].map(stockStatusOf)).toEqual([
      'IN_STOCK',
      'IN_STOCK',
      'OUT_OF_STOCK',
      'OUT_OF_STOCK',
    ]);
  });
});
