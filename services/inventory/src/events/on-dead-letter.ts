import type { DeadLetterHandler } from '@fv/messaging';
import { parseId } from '../domain/ids.js';
import type { InventoryDeps } from '../use-cases/context.js';

/**
 * An OrderCreated that could not be processed at all (dead-lettered) fails the reservation step, so
 * the saga cancels the order instead of waiting for a reservation that will never come. An event that
 * names no valid order cannot be answered: the dead-letter entry is all there is.
 */
export function onOrderCreatedDeadLettered(deps: InventoryDeps): DeadLetterHandler<'OrderCreated'> {
  return async (event, { tx, causedBy, errorCode, logger }) => {
    const orderId = parseId('order', event.orderId);
    if (!orderId) return;
    const [reservation] = await tx.$queryRawUnsafe<{ id: string }[]>(
      'select id from reservations where order_id = $1::uuid',
      orderId,
    );
    if (reservation) return; // held after all (an earlier delivery of the same order): nothing failed
    await deps.outbox.publish(
      tx,
      'InventoryReservationFailed',
      {
        orderId,
        reason: 'PROCESSING_FAILED',
        message: `the order could not be processed by inventory (${errorCode}); nothing was reserved`,
        unavailableItems: [],
      },
      { ...causedBy(), key: orderId },
    );
    logger.warn({ orderId, errorCode }, 'OrderCreated dead-lettered: reservation failed for the saga');
  };
}
