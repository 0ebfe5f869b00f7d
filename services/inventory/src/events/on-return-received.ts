import { NonRetriableError, type EventHandler } from '@fv/messaging';
import { isWarehouseId, parseId } from '../domain/ids.js';
import type { InventoryDeps } from '../use-cases/context.js';
import { restockReturn } from '../use-cases/restock-return.js';

/** Returned goods arrived at a warehouse: they go back in stock there, once per return. */
export function onReturnReceived(deps: InventoryDeps): EventHandler<'ReturnReceived'> {
  return async (event, { tx, causedBy, logger }) => {
    if (!isWarehouseId(event.warehouseId) || event.returnId.trim() === '')
      throw new NonRetriableError(
        `ReturnReceived names return "${event.returnId}" at warehouse "${event.warehouseId}"`,
        'INVALID_EVENT',
      );
    const lines = event.items
      .filter((item) => item.quantity > 0)
      .map((item) => {
        const productId = parseId('product', item.productId);
        if (!productId)
          throw new NonRetriableError(
            `ReturnReceived ${event.returnId} names product "${item.productId}", which is not a product id`,
            'INVALID_EVENT',
          );
        return { productId, quantity: item.quantity };
      });
    const restocked = await restockReturn(
      tx,
      deps,
      { returnId: event.returnId, warehouseId: event.warehouseId, lines },
      { ...causedBy(), correlationId: event.returnId },
    );
    logger.info({ returnId: event.returnId, warehouseId: event.warehouseId, restocked }, 'return restocked');
  };
}
