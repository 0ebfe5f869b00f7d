import type { EventHandler } from '@fv/messaging';
import type { InventoryDeps } from '../use-cases/context.js';
import { deductReservation } from '../use-cases/deduct-reservation.js';
import { orderIdOf, reservationKeyOf } from './event-ids.js';

/** The order's shipment is scheduled: the reserved units leave stock. */
export function onOrderCompleted(deps: InventoryDeps): EventHandler<'OrderCompleted'> {
  return async (event, { tx, causedBy, logger }) => {
    const orderId = orderIdOf('OrderCompleted', event.orderId);
    const by = reservationKeyOf('OrderCompleted', event.reservationId, orderId);
    const result = await deductReservation(tx, deps, { by, orderId }, causedBy());
    logger.debug({ orderId, result }, 'order completion applied to its reservation');
  };
}
