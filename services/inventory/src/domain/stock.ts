/**
 * Most units one location may hold: its counts are stored as 32-bit integers, and the events carry
 * them as Avro ints. Totals over locations are 64-bit (see {@link eventTotal} for the events).
 */
export const MAX_UNITS_AT_LOCATION = 2_147_483_647;

/** The largest value of an Avro `int` (the events' unit counts). */
const EVENT_INT_MAX = 2_147_483_647;

/**
 * A total over locations as an event field: the field is a 32-bit Avro int, so a total beyond it is
 * sent as the largest int ("at least this many") instead of failing the change that announces it.
 */
export function eventTotal(total: number): number {
  return Math.min(total, EVENT_INT_MAX);
}

/** Units of one product at one location, as stored. */
export interface StockLevelState {
  productId: string;
  warehouseId: string;
  onHand: number;
  reserved: number;
  lowStockThreshold: number;
}

export function availableOf(level: Pick<StockLevelState, 'onHand' | 'reserved'>): number {
  return level.onHand - level.reserved;
}

export function isLowStock(
  level: Pick<StockLevelState, 'onHand' | 'reserved' | 'lowStockThreshold'>,
): boolean {
  return availableOf(level) <= level.lowStockThreshold;
}

/**
 * A LowStockAlert is raised when a location becomes low, not on every change while it stays low: the
 * level before was above its threshold (or did not exist) and the level after is at or below it.
 */
export function crossesIntoLowStock(before: StockLevelState | null, after: StockLevelState): boolean {
  return isLowStock(after) && (before === null || !isLowStock(before));
}

/** Reason codes of a manual stock change (the InventoryAdjusted `reason`). */
export const ADJUSTMENT_REASONS = ['RESTOCK', 'DAMAGED', 'LOST', 'CORRECTION', 'RETURN'] as const;
export type AdjustmentReason = (typeof ADJUSTMENT_REASONS)[number];

/** What an InventoryUpdated event says changed a level. */
export type ChangeReason = 'RESERVED' | 'RELEASED' | 'DEDUCTED' | 'ADJUSTED' | 'RETURNED';

export function changeReasonOfAdjustment(reason: AdjustmentReason): ChangeReason {
  return reason === 'RETURN' ? 'RETURNED' : 'ADJUSTED';
}

export type StockChangeProblem =
  | { problem: 'NEGATIVE_ON_HAND'; onHand: number; change: number }
  | { problem: 'BELOW_RESERVED'; onHand: number; reserved: number; change: number }
  | { problem: 'ABOVE_MAXIMUM'; onHand: number; change: number; maximum: number };

/**
 * Whether units on hand may change by `change`: never below zero, and never below what reservations
 * hold (those units are promised to orders; release the reservations first), and never above what one
 * location can hold.
 */
export function checkOnHandChange(level: StockLevelState, change: number): StockChangeProblem | null {
  const next = level.onHand + change;
  if (next < 0) return { problem: 'NEGATIVE_ON_HAND', onHand: level.onHand, change };
  if (next > MAX_UNITS_AT_LOCATION)
    return { problem: 'ABOVE_MAXIMUM', onHand: level.onHand, change, maximum: MAX_UNITS_AT_LOCATION };
  if (next < level.reserved)
    return { problem: 'BELOW_RESERVED', onHand: level.onHand, reserved: level.reserved, change };
  return null;
}
