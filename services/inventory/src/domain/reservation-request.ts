import { parseId } from './ids.js';

/** One line of a reservation request as received (from an order event or the API). */
export interface RequestedLine {
  productId: string;
  quantity: number;
  /** Location to take the units from; null lets inventory choose. */
  warehouseId: string | null;
}

/** A validated line: plain product UUID, positive quantity, duplicate lines merged. */
export interface ReservationLine {
  productId: string;
  quantity: number;
  warehouseId: string | null;
}

export type LineProblem = 'INVALID_QUANTITY' | 'PRODUCT_NOT_FOUND';

export interface LineIssue {
  /** Index of the (first) offending line in the request. */
  index: number;
  productId: string;
  requestedQuantity: number;
  problem: LineProblem;
  message: string;
}

export type NormalizedRequest = { ok: true; lines: ReservationLine[] } | { ok: false; issues: LineIssue[] };

/**
 * Checks and merges the lines of a reservation request: every quantity is a whole number from 1 to
 * `maxQuantity` (per product, summed over its lines), every product id is a product id (one that is
 * not can never be in stock), and lines naming the same product and location are merged.
 */
export function normalizeReservationLines(
  lines: readonly RequestedLine[],
  maxQuantity: number,
): NormalizedRequest {
  const issues: LineIssue[] = [];
  const merged = new Map<string, ReservationLine & { index: number }>();
  const perProduct = new Map<string, { total: number; index: number; raw: string }>();

  lines.forEach((line, index) => {
    if (!Number.isInteger(line.quantity) || line.quantity < 1) {
      issues.push({
        index,
        productId: line.productId,
        requestedQuantity: line.quantity,
        problem: 'INVALID_QUANTITY',
        message: `quantity must be a whole number of at least 1 (got ${line.quantity})`,
      });
      return;
    }
    const productId = parseId('product', line.productId);
    if (productId === null) {
      issues.push({
        index,
        productId: line.productId,
        requestedQuantity: line.quantity,
        problem: 'PRODUCT_NOT_FOUND',
        message: `product ${line.productId} is not a product id inventory knows`,
      });
      return;
    }
    const warehouseId = line.warehouseId === null || line.warehouseId === '' ? null : line.warehouseId;
    const key = `${productId}|${warehouseId ?? ''}`;
    const existing = merged.get(key);
    if (existing) existing.quantity += line.quantity;
    else merged.set(key, { productId, quantity: line.quantity, warehouseId, index });
    const total = perProduct.get(productId);
    if (total) total.total += line.quantity;
    else perProduct.set(productId, { total: line.quantity, index, raw: line.productId });
  });

  for (const [, total] of perProduct) {
    if (total.total > maxQuantity) {
      issues.push({
        index: total.index,
        productId: total.raw,
        requestedQuantity: total.total,
        problem: 'INVALID_QUANTITY',
        message: `at most ${maxQuantity} units of one product may be reserved per order (got ${total.total})`,
      });
    }
  }
  // A location code that cannot exist is a location without stock: the allocation reports it as short.
  if (issues.length > 0) return { ok: false, issues: issues.sort((a, b) => a.index - b.index) };
  return {
    ok: true,
    lines: [...merged.values()]
      .sort((a, b) => a.index - b.index)
      .map(({ productId, quantity, warehouseId }) => ({ productId, quantity, warehouseId })),
  };
}
