import { AppError } from '@fv/service-kit';
import { changeLevel, lockLevel, recordMovement, type StockLevelRecord } from '../db/stock-store.js';
import type { Tx } from '../db/tx.js';
import {
  changeReasonOfAdjustment,
  checkOnHandChange,
  type AdjustmentReason,
  type StockLevelState,
} from '../domain/stock.js';
import type { EventMeta, InventoryDeps } from './context.js';
import { publishLevelChange } from './publish-level-change.js';

export interface AdjustInput {
  productId: string;
  warehouseId: string;
  /** Signed change in units on hand; never zero. */
  quantityChange: number;
  reason: AdjustmentReason;
  reference: string | null;
  /** Who asked (the token subject). */
  actor: string;
}

export interface AdjustResult {
  adjustmentId: string;
  previousQuantity: number;
  level: StockLevelRecord;
}

export function locationNotFound(productId: string, warehouseId: string): AppError {
  return new AppError('NOT_FOUND', `Product ${productId} has no stock record at location ${warehouseId}`, {
    details: { reason: 'STOCK_LOCATION_NOT_FOUND', productId, warehouseId },
  });
}

export function onHandRefused(level: StockLevelState, change: number): AppError | null {
  const problem = checkOnHandChange(level, change);
  if (!problem) return null;
  const where = `${level.productId} at ${level.warehouseId}`;
  if (problem.problem === 'ABOVE_MAXIMUM') {
    return new AppError(
      'UNPROCESSABLE_ENTITY',
      `Units on hand of ${where} would exceed the ${problem.maximum} one location can hold (${level.onHand} + ${change})`,
      {
        details: {
          reason: 'STOCK_LIMIT_EXCEEDED',
          productId: level.productId,
          warehouseId: level.warehouseId,
          onHand: level.onHand,
          quantityChange: change,
          maximum: problem.maximum,
        },
      },
    );
  }
  const message =
    problem.problem === 'NEGATIVE_ON_HAND'
      ? `Units on hand of ${where} would fall below zero (${level.onHand} ${change >= 0 ? '+' : '-'} ${Math.abs(change)})`
      : `Units on hand of ${where} would fall below the ${level.reserved} units reserved for orders; release those reservations first`;
  return new AppError('UNPROCESSABLE_ENTITY', message, {
    details: {
      reason: 'INSUFFICIENT_STOCK',
      productId: level.productId,
      warehouseId: level.warehouseId,
      onHand: level.onHand,
      reserved: level.reserved,
      quantityChange: change,
    },
  });
}

/** Changes units on hand at a location by hand (a receipt, damage, a count), with its reason, audited and announced. */
export async function adjustStock(
  tx: Tx,
  deps: InventoryDeps,
  input: AdjustInput,
  meta: EventMeta,
): Promise<AdjustResult> {
  const before = await lockLevel(tx, input.productId, input.warehouseId);
  if (!before) throw locationNotFound(input.productId, input.warehouseId);
  const refused = onHandRefused(before, input.quantityChange);
  if (refused) throw refused;
  const after = await changeLevel(tx, {
    productId: input.productId,
    warehouseId: input.warehouseId,
    onHand: input.quantityChange,
    reserved: 0,
  });
  if (!after)
    throw new Error(`stock level ${input.productId}@${input.warehouseId} refused a checked adjustment`);
  const adjustmentId = await recordMovement(tx, {
    kind: 'ADJUSTED',
    after,
    onHandChange: input.quantityChange,
    reservedChange: 0,
    reason: input.reason,
    reference: input.reference,
    actor: input.actor,
  });
  await publishAdjustment(
    tx,
    deps,
    { before, after, reason: input.reason, reference: input.reference, actor: input.actor },
    meta,
  );
  return { adjustmentId, previousQuantity: before.onHand, level: after };
}

/** InventoryAdjusted, then InventoryUpdated (and LowStockAlert when the location just became low). */
export async function publishAdjustment(
  tx: Tx,
  deps: InventoryDeps,
  change: {
    before: StockLevelState | null;
    after: StockLevelState;
    reason: AdjustmentReason;
    reference: string | null;
    actor: string;
  },
  meta: EventMeta,
): Promise<void> {
  const { before, after } = change;
  const previousQuantity = before?.onHand ?? 0;
  await deps.outbox.publish(
    tx,
    'InventoryAdjusted',
    {
      productId: after.productId,
      warehouseId: after.warehouseId,
      quantityChange: after.onHand - previousQuantity,
      previousQuantity,
      newQuantity: after.onHand,
      reason: change.reason,
      reference: change.reference,
      adjustedBy: change.actor,
    },
    { ...meta, key: after.productId },
  );
  await publishLevelChange(
    tx,
    deps.outbox,
    { before, after, reason: changeReasonOfAdjustment(change.reason) },
    meta,
  );
}
