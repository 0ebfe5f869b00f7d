import { describe, expect, it } from 'vitest';
import { crossesIntoLowStock, type StockLevelState } from '../domain/stock.js';
import { levelBefore } from './publish-level-change.js';

const after: StockLevelState = {
  productId: 'p-1',
  warehouseId: 'wh-1',
  onHand: 10,
  reserved: 6,
  lowStockThreshold: 5,
};

describe('the level a change was applied to', () => {
  it('takes the deltas back off the level after the change', () => {
    expect(levelBefore(after, -2, 3)).toEqual({ ...after, onHand: 12, reserved: 3 });
    expect(levelBefore(after, 0, 0)).toEqual(after);
  });

  it('tells whether the change made the location low, and not when it was low already', () => {
    // 7 available (above the threshold of 5), then 3 reserved: 4 left.
    expect(crossesIntoLowStock(levelBefore(after, 0, 3), after)).toBe(true);
    // 5 available (at the threshold already), then 1 reserved.
    expect(crossesIntoLowStock(levelBefore(after, 0, 1), after)).toBe(false);
  });
});
