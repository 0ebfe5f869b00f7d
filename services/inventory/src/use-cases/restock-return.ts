import { recordReturnRestock } from '../db/replenishment-store.js';
import { insertLevel } from '../db/stock-store.js';
import type { Tx } from '../db/tx.js';
import { adjustStock } from './adjust-stock.js';
import type { EventMeta, InventoryDeps } from './context.js';

export const RETURNS_ACTOR = 'inventory-returns';

/**
 * Puts a received return back in stock at the warehouse that received it: one RETURN adjustment per
 * product (reference = return id), each recorded so that a redelivered or repeated ReturnReceived
 * restocks nothing twice. A location the warehouse never held the product at is created empty first.
 */
export async function restockReturn(
  tx: Tx,
  deps: InventoryDeps,
  received: { returnId: string; warehouseId: string; lines: { productId: string; quantity: number }[] },
  meta: EventMeta,
): Promise<number> {
  let restocked = 0;
  for (const [productId, quantity] of totalsByProduct(received.lines)) {
    const line = { returnId: received.returnId, productId, warehouseId: received.warehouseId, quantity };
    if (!(await recordReturnRestock(tx, line))) continue;
    await insertLevel(tx, {
      productId,
      warehouseId: received.warehouseId,
      onHand: 0,
      lowStockThreshold: deps.limits.defaultLowStockThreshold,
    });
    await adjustStock(
      tx,
      deps,
      {
        productId,
        warehouseId: received.warehouseId,
        quantityChange: quantity,
        reason: 'RETURN',
        reference: received.returnId,
        actor: RETURNS_ACTOR,
      },
      meta,
    );
    restocked += 1;
  }
  return restocked;
}

function totalsByProduct(lines: { productId: string; quantity: number }[]): Map<string, number> {
  const totals = new Map<string, number>();
  for (const line of lines) totals.set(line.productId, (totals.get(line.productId) ?? 0) + line.quantity);
  return totals;
}
