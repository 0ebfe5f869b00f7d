import type { EventHandler } from '@fv/messaging';
import { asTx } from '../db/tx.js';
import type { InventoryDeps } from '../use-cases/context.js';
import { announceRelease, releaseReservation } from '../use-cases/release-reservation.js';
import { orderIdOf, reservationKeyOf } from './event-ids.js';

/**
 * The coordination service asks for RELEASE_INVENTORY (other actions belong to other services): the
 * order's reservation is released once, and every request is answered with InventoryReleased, so a
 * repeated request (a later attempt) is acknowledged without releasing anything twice.
 */
export function onCompensationRequested(deps: InventoryDeps): EventHandler<'CompensationRequested'> {
  return async (event, { tx, causedBy, logger }) => {
    if (event.action !== 'RELEASE_INVENTORY') return;
    const orderId = orderIdOf('CompensationRequested', event.orderId);
    const by = reservationKeyOf('CompensationRequested', event.parameters.reservationId, orderId);
    const meta = causedBy();
    const result = await releaseReservation(asTx(tx), deps, { by, reason: 'COMPENSATION', orderId }, meta);
    if (result.outcome === 'already-released')
      await announceRelease(asTx(tx), deps, result.reservation, meta);
    logger.info(
      {
        orderId,
        sagaId: event.sagaId,
        attempt: event.attempt,
        reservationId: result.reservation.id,
        outcome: result.outcome,
      },
      'inventory compensation applied',
    );
  };
}
