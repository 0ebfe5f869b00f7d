import { AppError } from '@fv/service-kit';
import { lockReservation, markConfirmed, type ReservationKey } from '../db/reservation-store.js';
import type { Tx } from '../db/tx.js';
import type { EventMeta, InventoryDeps } from './context.js';
import { assertBelongsTo } from './release-reservation.js';

export type ConfirmResult = 'confirmed' | 'unchanged' | 'released-before' | 'lapsed';

/**
 * The order is paid: its reservation stops lapsing. A reservation that was released is never held again
 * by a confirmation: its release was deliberate (a compensation, a cancellation, an operator, or its
 * expiry), and a late or redelivered OrderConfirmed must not take back stock that was given back —
 * perhaps to another order. When it lapsed before this confirmation, InventoryReservationFailed
 * (`RESERVATION_EXPIRED`) tells the platform the order cannot be fulfilled from it (the coordination
 * service then compensates); released for any other reason, the saga already undoes the order and
 * nothing more is said.
 */
export async function confirmReservation(
  tx: Tx,
  deps: InventoryDeps,
  input: { by: ReservationKey; orderId: string },
  meta: EventMeta,
): Promise<ConfirmResult> {
  const reservation = await lockReservation(tx, input.by);
  if (!reservation) {
    throw new AppError(
      'UNPROCESSABLE_ENTITY',
      `Order ${input.orderId} was confirmed but inventory holds no such reservation`,
      {
        details: { reason: 'RESERVATION_NOT_FOUND', ...input.by },
      },
    );
  }
  assertBelongsTo(reservation, input.orderId);
  if (reservation.status === 'CONFIRMED' || reservation.status === 'DEDUCTED') return 'unchanged';
  if (reservation.status === 'ACTIVE') {
    await markConfirmed(tx, reservation.id, deps.now());
    return 'confirmed';
  }
  if (reservation.releaseReason !== 'EXPIRED') return 'released-before';
  await deps.outbox.publish(
    tx,
    'InventoryReservationFailed',
    {
      orderId: reservation.orderId,
      reason: 'RESERVATION_EXPIRED',
      message: `Reservation ${reservation.id} lapsed before the order was confirmed; its stock was released and is not held again`,
      unavailableItems: reservation.items.map((item) => ({
        productId: item.productId,
        requestedQuantity: item.quantity,
        availableQuantity: 0,
      })),
    },
    { ...meta, key: reservation.orderId },
  );
  return 'lapsed';
}
