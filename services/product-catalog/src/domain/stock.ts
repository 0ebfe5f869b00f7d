import type { StockStatusValue } from './product-state.js';

export interface StockState {
  stockStatus: StockStatusValue;
  availableQuantity: number;
  /** When the figures were true (occurredAt of the inventory event they come from); null before the first. */
  stockUpdatedAt: Date | null;
}

export interface InventoryLevel {
  /** Units that can be reserved across all locations. */
  totalAvailable: number;
  occurredAt: Date;
}

export type StockUpdate =
  | { kind: 'stale' }
  | { kind: 'applied'; next: StockState; becameOutOfStock: boolean; becameInStock: boolean };

export function stockStatusOf(totalAvailable: number): StockStatusValue {
  return totalAvailable > 0 ? 'IN_STOCK' : 'OUT_OF_STOCK';
}

/**
 * Applies an inventory report to a product's stock. Reports from different topics and partitions may
 * arrive out of order: one older than the figures already held changes nothing. A product runs out of
 * stock when it was in stock and nothing is available any more; that transition happens once, however
 * many reports of zero follow.
 */
export function applyInventoryLevel(current: StockState, level: InventoryLevel): StockUpdate {
  if (current.stockUpdatedAt !== null && level.occurredAt.getTime() < current.stockUpdatedAt.getTime()) {
    return { kind: 'stale' };
  }
  const stockStatus = stockStatusOf(level.totalAvailable);
  return {
    kind: 'applied',
    next: { stockStatus, availableQuantity: level.totalAvailable, stockUpdatedAt: level.occurredAt },
    becameOutOfStock: current.stockStatus === 'IN_STOCK' && stockStatus === 'OUT_OF_STOCK',
    becameInStock: current.stockStatus === 'OUT_OF_STOCK' && stockStatus === 'IN_STOCK',
  };
}
