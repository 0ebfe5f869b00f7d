import { NonRetriableError, type EventHandler } from '@fv/messaging';
import type { InventoryDeps } from '../use-cases/context.js';
import { reserveStock, toUnavailableItems } from '../use-cases/reserve-stock.js';
import { orderIdOf } from './event-ids.js';

/**
 * An order was placed: hold stock for all of its lines (InventoryReserved) or for none
 * (InventoryReservationFailed naming the lines that could not be held).
 */
export function onOrderCreated(deps: InventoryDeps): EventHandler<'OrderCreated'> {
  return async (event, { tx, causedBy, logger }) => {
    const orderId = orderIdOf('OrderCreated', event.orderId);
    if (event.items.length === 0) {
      throw new NonRetriableError(
        `OrderCreated for order ${event.orderId} has no lines to reserve`,
        'INVALID_EVENT',
      );
    }
    const meta = causedBy();
    const result = await reserveStock(
      tx,
      deps,
      {
        orderId,
        lines: event.items.map((item) => ({
          productId: item.productId,
          quantity: item.quantity,
          warehouseId: item.warehouseId,
        })),
      },
      meta,
    );
    switch (result.outcome) {
      case 'reserved':
        logger.debug({ orderId, reservationId: result.reservation.id }, 'stock reserved for the order');
        return;
      case 'exists':
        logger.info(
          { orderId, reservationId: result.reservation.id },
          'the order already has a reservation; nothing to do',
        );
        return;
      case 'rejected':
        await deps.outbox.publish(
          tx,
          'InventoryReservationFailed',
          {
            orderId,
            reason: result.reason,
            message: result.message,
            unavailableItems: toUnavailableItems(result.unavailable),
          },
          { ...meta, key: orderId },
        );
        logger.info({ orderId, reason: result.reason }, 'stock could not be reserved for the order');
    }
  };
}
