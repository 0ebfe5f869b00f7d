import {
  insertLevel,
  lockLevel,
  recordMovement,
  setLevel,
  type StockLevelRecord,
} from '../db/stock-store.js';
import type { Tx } from '../db/tx.js';
import type { AdjustmentReason } from '../domain/stock.js';
import { onHandRefused, publishAdjustment } from './adjust-stock.js';
import type { EventMeta, InventoryDeps } from './context.js';
import { publishLevelChange } from './publish-level-change.js';

export interface SetStockLevelInput {
  productId: string;
  warehouseId: string;
  onHand: number;
  /** The location's threshold; unchanged (or the configured default for a new location) when omitted. */
  lowStockThreshold: number | null;
  /** Reason recorded when units on hand change: RESTOCK for a new location, CORRECTION otherwise, unless given. */
  reason: AdjustmentReason | null;
  reference: string | null;
  actor: string;
}

export interface SetStockLevelResult {
  created: boolean;
  level: StockLevelRecord;
}

/**
 * Puts a product's stock at a location to a counted figure, creating the location's record when it has
 * none: how an operator brings stock into inventory. A change in units on hand is audited and announced
 * like an adjustment; a threshold change alone is announced with InventoryUpdated.
 */
export async function setStockLevel(
  tx: Tx,
  deps: InventoryDeps,
  input: SetStockLevelInput,
  meta: EventMeta,
): Promise<SetStockLevelResult> {
  const created = await insertLevel(tx, {
    productId: input.productId,
    warehouseId: input.warehouseId,
    onHand: 0,
    lowStockThreshold: input.lowStockThreshold ?? deps.limits.defaultLowStockThreshold,
  });
  const current = await lockLevel(tx, input.productId, input.warehouseId);
  if (!current)
    throw new Error(`stock level ${input.productId}@${input.warehouseId} vanished inside its transaction`);
  const before = created ? null : current;
  const change = input.onHand - current.onHand;
  const refused = onHandRefused(current, change);
  if (refused) throw refused;

  const after = await setLevel(tx, {
    productId: input.productId,
    warehouseId: input.warehouseId,
    onHand: input.onHand,
    lowStockThreshold: input.lowStockThreshold ?? current.lowStockThreshold,
  });
  if (change !== 0 || created) {
    const reason = input.reason ?? (created ? 'RESTOCK' : 'CORRECTION');
    await recordMovement(tx, {
      kind: 'ADJUSTED',
      after,
      onHandChange: change,
      reservedChange: 0,
      reason,
      reference: input.reference,
      actor: input.actor,
    });
    await publishAdjustment(
      tx,
      deps,
      { before, after, reason, reference: input.reference, actor: input.actor },
      meta,
    );
  } else if (after.lowStockThreshold !== current.lowStockThreshold) {
    await publishLevelChange(tx, deps.outbox, { before, after, reason: 'ADJUSTED' }, meta);
  }
  return { created, level: after };
}
