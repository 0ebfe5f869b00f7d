import type { Outbox } from '@fv/messaging';
import { totalAvailable } from '../db/stock-store.js';
import type { Tx } from '../db/tx.js';
import {
  availableOf,
  crossesIntoLowStock,
  eventTotal,
  type ChangeReason,
  type StockLevelState,
} from '../domain/stock.js';
import type { EventMeta } from './context.js';

/**
 * Announces a changed level: InventoryUpdated always, LowStockAlert when the location just became low.
 * Both are keyed by product id, so one product's stock events stay in order on their topics.
 */
export async function publishLevelChange(
  tx: Tx,
  outbox: Outbox,
  change: { before: StockLevelState | null; after: StockLevelState; reason: ChangeReason },
  meta: EventMeta,
): Promise<void> {
  const { after } = change;
  const publishMeta = { ...meta, key: after.productId };
  await outbox.publish(
    tx,
    'InventoryUpdated',
    {
      productId: after.productId,
      warehouseId: after.warehouseId,
      onHand: after.onHand,
      reserved: after.reserved,
      available: availableOf(after),
      totalAvailable: eventTotal(await totalAvailable(tx, after.productId)),
      changeReason: change.reason,
    },
    publishMeta,
  );
  if (crossesIntoLowStock(change.before, after)) {
    await outbox.publish(
      tx,
      'LowStockAlert',
      {
        productId: after.productId,
        warehouseId: after.warehouseId,
        availableQuantity: availableOf(after),
        threshold: after.lowStockThreshold,
      },
      publishMeta,
    );
  }
}

/** The level a change was applied to, from the level after it and the deltas. */
export function levelBefore(
  after: StockLevelState,
  onHandChange: number,
  reservedChange: number,
): StockLevelState {
  return { ...after, onHand: after.onHand - onHandChange, reserved: after.reserved - reservedChange };
}
