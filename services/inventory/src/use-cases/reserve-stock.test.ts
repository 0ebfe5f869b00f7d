import { describe, expect, it } from 'vitest';
import type { UnavailableLine } from '../domain/allocation.js';
import { describeShortage, toUnavailableItems } from './reserve-stock.js';

const lines: UnavailableLine[] = [
  { productId: 'lamp', warehouseId: 'wh-1', requestedQuantity: 5, availableQuantity: 2 },
  { productId: 'desk', warehouseId: null, requestedQuantity: 1, availableQuantity: 0 },
];

describe('a reservation that cannot be made', () => {
  it('lists each short line with what was asked and what is available, and where when a location was asked', () => {
    expect(describeShortage('INSUFFICIENT_STOCK', lines)).toBe(
      'Not enough stock: lamp at wh-1 (requested 5, available 2), desk (requested 1, available 0)',
    );
  });

  it('says when products have no stock record at all', () => {
    expect(describeShortage('PRODUCT_NOT_FOUND', [lines[1]!])).toBe(
      'Some products have no stock record in inventory: desk (requested 1, available 0)',
    );
  });

  it('carries the short lines in events by product, without the location', () => {
    expect(toUnavailableItems(lines)).toEqual([
      { productId: 'lamp', requestedQuantity: 5, availableQuantity: 2 },
      { productId: 'desk', requestedQuantity: 1, availableQuantity: 0 },
    ]);
  });
});
