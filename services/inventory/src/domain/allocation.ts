import type { ReservationLine } from './reservation-request.js';
import { availableOf, type StockLevelState } from './stock.js';

/** Units of one product to hold at one location. */
export interface Allocation {
  productId: string;
  warehouseId: string;
  quantity: number;
}

/** A line that cannot be held in full. */
export interface UnavailableLine {
  productId: string;
  /** The location the line asked for, or null when inventory was to choose. */
  warehouseId: string | null;
  requestedQuantity: number;
  /** Units that could be held for it (at the location asked for, or across all locations). */
  availableQuantity: number;
}

export type AllocationResult =
  | { ok: true; allocations: Allocation[] }
  | { ok: false; reason: 'PRODUCT_NOT_FOUND' | 'INSUFFICIENT_STOCK'; unavailable: UnavailableLine[] };

/**
 * Decides where every line's units come from, all or nothing. Lines that name a location take from it
 * first; for the others, one location that can serve the whole line is preferred (the one with the
 * most available, so shipments are not split), and only when none can is the line split across
 * locations, largest first. A product with no stock record at all is unknown to inventory.
 *
 * `levels` are the current levels of every product in `lines`; the result never holds more at a
 * location than it has available.
 */
export function allocate(
  lines: readonly ReservationLine[],
  levels: readonly StockLevelState[],
): AllocationResult {
  const remaining = new Map<string, number>();
  const locationsOf = new Map<string, string[]>();
  for (const level of levels) {
    remaining.set(key(level.productId, level.warehouseId), Math.max(0, availableOf(level)));
    locationsOf.set(level.productId, [...(locationsOf.get(level.productId) ?? []), level.warehouseId]);
  }

  const taken = new Map<string, Allocation>();
  const take = (productId: string, warehouseId: string, quantity: number) => {
    const k = key(productId, warehouseId);
    remaining.set(k, (remaining.get(k) ?? 0) - quantity);
    const existing = taken.get(k);
    if (existing) existing.quantity += quantity;
    else taken.set(k, { productId, warehouseId, quantity });
  };

  const problems: { index: number; line: UnavailableLine; unknown: boolean }[] = [];
  const order = lines
    .map((line, index) => ({ line, index }))
    .sort(
      (a, b) =>
        Number(a.line.warehouseId === null) - Number(b.line.warehouseId === null) || a.index - b.index,
    );

  for (const { line, index } of order) {
    const locations = locationsOf.get(line.productId);
    if (!locations) {
      problems.push({ index, unknown: true, line: unavailable(line, 0) });
      continue;
    }
    if (line.warehouseId !== null) {
      const available = remaining.get(key(line.productId, line.warehouseId)) ?? 0;
      if (available >= line.quantity) take(line.productId, line.warehouseId, line.quantity);
      else problems.push({ index, unknown: false, line: unavailable(line, available) });
      continue;
    }
    const candidates = locations
      .map((warehouseId) => ({
        warehouseId,
        available: remaining.get(key(line.productId, warehouseId)) ?? 0,
      }))
      .filter((candidate) => candidate.available > 0)
      .sort((a, b) => b.available - a.available || a.warehouseId.localeCompare(b.warehouseId));
    const total = candidates.reduce((sum, candidate) => sum + candidate.available, 0);
    if (total < line.quantity) {
      problems.push({ index, unknown: false, line: unavailable(line, total) });
      continue;
    }
    const whole = candidates.find((candidate) => candidate.available >= line.quantity);
    if (whole) {
      take(line.productId, whole.warehouseId, line.quantity);
      continue;
    }
    let left = line.quantity;
    for (const candidate of candidates) {
      const quantity = Math.min(left, candidate.available);
      take(line.productId, candidate.warehouseId, quantity);
      left -= quantity;
      if (left === 0) break;
    }
  }

  if (problems.length > 0) {
    return {
      ok: false,
      reason: problems.some((problem) => problem.unknown) ? 'PRODUCT_NOT_FOUND' : 'INSUFFICIENT_STOCK',
      unavailable: problems.sort((a, b) => a.index - b.index).map((problem) => problem.line),
    };
  }
  return {
    ok: true,
    allocations: [...taken.values()].sort(
      (a, b) => a.productId.localeCompare(b.productId) || a.warehouseId.localeCompare(b.warehouseId),
    ),
  };
}

function key(productId: string, warehouseId: string): string {
  return `${productId}|${warehouseId}`;
}

function unavailable(line: ReservationLine, availableQuantity: number): UnavailableLine {
  return {
    productId: line.productId,
    warehouseId: line.warehouseId,
    requestedQuantity: line.quantity,
    availableQuantity,
  };
}

/**
 * The items that cannot be taken again from their own locations, e.g. when a lapsed reservation's
 * order turns out to go ahead after all. Empty when every item still fits.
 */
export function shortfalls(
  items: readonly Allocation[],
  levels: readonly StockLevelState[],
): UnavailableLine[] {
  const available = new Map(
    levels.map((level) => [key(level.productId, level.warehouseId), availableOf(level)]),
  );
  const short: UnavailableLine[] = [];
  for (const item of items) {
    const k = key(item.productId, item.warehouseId);
    const left = available.get(k) ?? 0;
    if (left < item.quantity) {
      short.push({
        productId: item.productId,
        warehouseId: item.warehouseId,
        requestedQuantity: item.quantity,
        availableQuantity: Math.max(0, left),
      });
    } else available.set(k, left - item.quantity);
  }
  return short;
}
