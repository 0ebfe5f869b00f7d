import type { EventHandler } from '@fv/messaging';
import { confirmReservation } from '../use-cases/confirm-reservation.js';
import type { InventoryDeps } from '../use-cases/context.js';
import { orderIdOf, reservationKeyOf } from './event-ids.js';

/** The order is paid: its reservation no longer lapses. */
export function onOrderConfirmed(deps: InventoryDeps): EventHandler<'OrderConfirmed'> {
  return async (event, { tx, causedBy, logger }) => {
    const orderId = orderIdOf('OrderConfirmed', event.orderId);
    const by = reservationKeyOf('OrderConfirmed', event.reservationId, orderId);
    const result = await confirmReservation(tx, deps, { by, orderId }, causedBy());
    logger.debug({ orderId, result }, 'order confirmation applied to its reservation');
  };
}
