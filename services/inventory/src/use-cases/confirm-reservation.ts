import { AppError } from '@fv/service-kit';
import { lockReservation, markConfirmed, type ReservationKey } from '../db/reservation-store.js';
import { lockLevelsOfProducts } from '../db/stock-store.js';
import type { Tx } from '../db/tx.js';
import { shortfalls } from '../domain/allocation.js';
import { applyItemChanges } from './apply-item-changes.js';
import type { EventMeta, InventoryDeps } from './context.js';
import { assertBelongsTo } from './release-reservation.js';
import { describeShortage, toUnavailableItems } from './reserve-stock.js';

export type ConfirmResult = 'confirmed' | 'unchanged' | 'held-again' | 'stock-gone';

/**
 * The order is paid: its reservation stops lapsing. When it lapsed before the payment came through,
 * the same units are held again if they are still there; if they are not, InventoryReservationFailed
 * tells the platform the order cannot be fulfilled (the coordination service then compensates).
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
  const levels = await lockLevelsOfProducts(
    tx,
    reservation.items.map((item) => item.productId),
  );
  const short = shortfalls(reservation.items, levels);
  if (short.length > 0) {
    await deps.outbox.publish(
      tx,
      'InventoryReservationFailed',
      {
        orderId: reservation.orderId,
        reason: 'INSUFFICIENT_STOCK',
        message: `Reservation ${reservation.id} lapsed before the order was confirmed. ${describeShortage('INSUFFICIENT_STOCK', short)}`,
        unavailableItems: toUnavailableItems(short),
      },
      { ...meta, key: reservation.orderId },
    );
    return 'stock-gone';
  }
  await applyItemChanges(
    tx,
    deps,
    reservation.items,
    { onHand: 0, reserved: 1, kind: 'RESERVED', changeReason: 'RESERVED', reservationId: reservation.id },
    meta,
  );
  await markConfirmed(tx, reservation.id, deps.now());
  return 'held-again';
}
