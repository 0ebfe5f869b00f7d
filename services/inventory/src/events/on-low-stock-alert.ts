import { NonRetriableError, type EventHandler } from '@fv/messaging';
import { parseId, isWarehouseId } from '../domain/ids.js';
import type { InventoryDeps } from '../use-cases/context.js';
import { requestReplenishment } from '../use-cases/replenish.js';

/** A location ran low (inventory's own alert): opens its replenishment unless one is already open. */
export function onLowStockAlert(deps: InventoryDeps): EventHandler<'LowStockAlert'> {
  return async (event, { tx, logger }) => {
    const productId = parseId('product', event.productId);
    if (!productId || !isWarehouseId(event.warehouseId))
      throw new NonRetriableError(
        `LowStockAlert names product "${event.productId}" at "${event.warehouseId}", which is not a location`,
        'INVALID_EVENT',
      );
    const replenishmentId = await requestReplenishment(
      tx,
      deps,
      {
        productId,
        warehouseId: event.warehouseId,
        availableQuantity: event.availableQuantity,
        threshold: event.threshold,
      },
      event.eventId,
    );
    logger.info(
      { productId, warehouseId: event.warehouseId, replenishmentId },
      replenishmentId ? 'replenishment requested' : 'a replenishment is already open for the location',
    );
  };
}
