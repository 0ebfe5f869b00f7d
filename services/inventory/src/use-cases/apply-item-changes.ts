import { changeLevel, recordMovement, type MovementKind } from '../db/stock-store.js';
import type { Tx } from '../db/tx.js';
import type { Allocation } from '../domain/allocation.js';
import type { ChangeReason } from '../domain/stock.js';
import type { EventMeta, InventoryDeps } from './context.js';
import { levelBefore, publishLevelChange } from './publish-level-change.js';

/** How each unit of an item moves: -1, 0 or +1 per unit for on hand and for reserved. */
export interface ItemMovement {
  onHand: -1 | 0 | 1;
  reserved: -1 | 0 | 1;
  kind: MovementKind;
  changeReason: ChangeReason;
  reservationId: string;
  reason?: string | null;
}

/**
 * Applies a reservation's items to their levels, in product-then-location order (the lock order), with
 * an audit movement and the stock events for each. The caller has checked the change fits; a level
 * refusing it means that check and the database disagree, and the whole transaction is abandoned.
 */
export async function applyItemChanges(
  tx: Tx,
  deps: InventoryDeps,
  items: readonly Allocation[],
  movement: ItemMovement,
  meta: EventMeta,
): Promise<void> {
  const sorted = [...items].sort(
    (a, b) => a.productId.localeCompare(b.productId) || a.warehouseId.localeCompare(b.warehouseId),
  );
  for (const item of sorted) {
    const onHandChange = movement.onHand * item.quantity;
    const reservedChange = movement.reserved * item.quantity;
    const after = await changeLevel(tx, {
      productId: item.productId,
      warehouseId: item.warehouseId,
      onHand: onHandChange,
      reserved: reservedChange,
    });
    if (!after) {
      throw new Error(
        `stock level ${item.productId}@${item.warehouseId} refused a ${movement.kind} of ${item.quantity} units it was checked to allow`,
      );
    }
    await recordMovement(tx, {
      kind: movement.kind,
      after,
      onHandChange,
      reservedChange,
      reason: movement.reason ?? null,
      reservationId: movement.reservationId,
    });
    await publishLevelChange(
      tx,
      deps.outbox,
      { before: levelBefore(after, onHandChange, reservedChange), after, reason: movement.changeReason },
      meta,
    );
  }
}
