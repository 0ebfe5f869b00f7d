import { describe, expect, it } from 'vitest';
import { allocate, shortfalls } from './allocation.js';
import type { StockLevelState } from './stock.js';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const C = '00000000-0000-4000-8000-00000000000c';

function level(productId: string, warehouseId: string, onHand: number, reserved = 0): StockLevelState {
  return { productId, warehouseId, onHand, reserved, lowStockThreshold: 0 };
}

describe('allocate', () => {
  it('serves a line from the one location with the most available when it can serve it whole', () => {
    const result = allocate(
      [{ productId: A, quantity: 4, warehouseId: null }],
      [level(A, 'wh-1', 5), level(A, 'wh-2', 9, 2)],
    );
    expect(result).toEqual({ ok: true, allocations: [{ productId: A, warehouseId: 'wh-2', quantity: 4 }] });
  });

  it('splits a line across locations, largest first, only when no single location can serve it', () => {
    const result = allocate(
      [{ productId: A, quantity: 8 }].map((l) => ({ ...l, warehouseId: null })),
      [level(A, 'wh-1', 3), level(A, 'wh-2', 6), level(A, 'wh-3', 1)],
    );
    expect(result).toEqual({
      ok: true,
      allocations: [
        { productId: A, warehouseId: 'wh-1', quantity: 2 },
        { productId: A, warehouseId: 'wh-2', quantity: 6 },
      ],
    });
  });

  it('takes lines that name a location first, so the others do not use up their units', () => {
    const result = allocate(
      [
        { productId: A, quantity: 5, warehouseId: null },
        { productId: A, quantity: 5, warehouseId: 'wh-1' },
      ],
      [level(A, 'wh-1', 5), level(A, 'wh-2', 5)],
    );
    expect(result).toEqual({
      ok: true,
      allocations: [
        { productId: A, warehouseId: 'wh-1', quantity: 5 },
        { productId: A, warehouseId: 'wh-2', quantity: 5 },
      ],
    });
  });

  it('counts reserved units as unavailable and holds nothing when one line is short', () => {
    const result = allocate(
      [
        { productId: A, quantity: 1, warehouseId: null },
        { productId: B, quantity: 3, warehouseId: null },
      ],
      [level(A, 'wh-1', 10), level(B, 'wh-1', 5, 3)],
    );
    expect(result).toEqual({
      ok: false,
      reason: 'INSUFFICIENT_STOCK',
      unavailable: [{ productId: B, warehouseId: null, requestedQuantity: 3, availableQuantity: 2 }],
    });
  });

  it('reports a product without any stock record as not found, with the short lines beside it', () => {
    const result = allocate(
      [
        { productId: C, quantity: 1, warehouseId: null },
        { productId: A, quantity: 20, warehouseId: 'wh-1' },
      ],
      [level(A, 'wh-1', 10)],
    );
    expect(result).toEqual({
      ok: false,
      reason: 'PRODUCT_NOT_FOUND',
      unavailable: [
        { productId: C, warehouseId: null, requestedQuantity: 1, availableQuantity: 0 },
        { productId: A, warehouseId: 'wh-1', requestedQuantity: 20, availableQuantity: 10 },
      ],
    });
  });

  it('treats a location the product is not stocked at as having nothing available', () => {
    const result = allocate([{ productId: A, quantity: 1, warehouseId: 'wh-9' }], [level(A, 'wh-1', 10)]);
    expect(result).toMatchObject({ ok: false, reason: 'INSUFFICIENT_STOCK' });
  });

  it('allocates exactly the last units', () => {
    expect(allocate([{ productId: A, quantity: 3, warehouseId: null }], [level(A, 'wh-1', 3)])).toMatchObject(
      { ok: true },
    );
    expect(allocate([{ productId: A, quantity: 4, warehouseId: null }], [level(A, 'wh-1', 3)])).toMatchObject(
      { ok: false },
    );
  });
});

describe('shortfalls', () => {
  it('names the items their locations can no longer serve', () => {
    const items = [
      { productId: A, warehouseId: 'wh-1', quantity: 2 },
      { productId: B, warehouseId: 'wh-1', quantity: 2 },
    ];
    expect(shortfalls(items, [level(A, 'wh-1', 2), level(B, 'wh-1', 3, 2)])).toEqual([
      { productId: B, warehouseId: 'wh-1', requestedQuantity: 2, availableQuantity: 1 },
    ]);
    expect(shortfalls(items, [level(A, 'wh-1', 2), level(B, 'wh-1', 2)])).toEqual([]);
  });
});
