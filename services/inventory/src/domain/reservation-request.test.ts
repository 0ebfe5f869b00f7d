import { describe, expect, it } from 'vitest';
import { normalizeReservationLines } from './reservation-request.js';

const A = '00000000-0000-4000-8000-00000000000a';

describe('normalizeReservationLines', () => {
  it('accepts prefixed and upper-case ids and merges lines for the same product and location', () => {
    const result = normalizeReservationLines(
      [
        { productId: `prod-${A.toUpperCase()}`, quantity: 2, warehouseId: null },
        { productId: A, quantity: 3, warehouseId: null },
        { productId: A, quantity: 1, warehouseId: 'wh-1' },
      ],
      10,
    );
    expect(result).toEqual({
      ok: true,
      lines: [
        { productId: A, quantity: 5, warehouseId: null },
        { productId: A, quantity: 1, warehouseId: 'wh-1' },
      ],
    });
  });

  it('refuses zero, negative and fractional quantities, naming the line', () => {
    const result = normalizeReservationLines(
      [
        { productId: A, quantity: 0, warehouseId: null },
        { productId: A, quantity: -2, warehouseId: null },
        { productId: A, quantity: 1.5, warehouseId: null },
      ],
      10,
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((issue) => [issue.index, issue.problem])).toEqual([
      [0, 'INVALID_QUANTITY'],
      [1, 'INVALID_QUANTITY'],
      [2, 'INVALID_QUANTITY'],
    ]);
  });

  it('refuses more than the per-order maximum of one product, also when split over lines', () => {
    const result = normalizeReservationLines(
      [
        { productId: A, quantity: 6, warehouseId: 'wh-1' },
        { productId: A, quantity: 5, warehouseId: 'wh-2' },
      ],
      10,
    );
    expect(result).toMatchObject({
      ok: false,
      issues: [{ index: 0, problem: 'INVALID_QUANTITY', requestedQuantity: 11 }],
    });
    expect(normalizeReservationLines([{ productId: A, quantity: 10, warehouseId: null }], 10).ok).toBe(true);
  });

  it('reports an id that is not a product id as an unknown product', () => {
    expect(
      normalizeReservationLines([{ productId: 'SKU-1', quantity: 1, warehouseId: null }], 10),
    ).toMatchObject({
      ok: false,
      issues: [{ index: 0, productId: 'SKU-1', problem: 'PRODUCT_NOT_FOUND' }],
    });
  });
});
