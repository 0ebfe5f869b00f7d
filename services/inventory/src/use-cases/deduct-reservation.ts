import { AppError } from '@fv/service-kit';
import { lockReservation, markDeducted, type ReservationKey } from '../db/reservation-store.js';
import { lockLevelsOfProducts } from '../db/stock-store.js';
import type { Tx } from '../db/tx.js';
import { shortfalls } from '../domain/allocation.js';
import { holdsStock } from '../domain/reservation.js';
import { applyItemChanges } from './apply-item-changes.js';
import type { EventMeta, InventoryDeps } from './context.js';
import { assertBelongsTo } from './release-reservation.js';
import { describeShortage } from './reserve-stock.js';

export type DeductResult = 'deducted' | 'already-deducted';

/**
 * The order completed: its reserved units leave stock (on hand and reserved both drop, available is
 * unchanged). A reservation released in the meantime is deducted from what is available, when it
 * still is; otherwise the event cannot be applied and an operator must reconcile the stock.
 */
export async function deductReservation(
  tx: Tx,
  deps: InventoryDeps,
  input: { by: ReservationKey; orderId: string },
  meta: EventMeta,
): Promise<DeductResult> {
  const reservation = await lockReservation(tx, input.by);
  if (!reservation) {
    throw new AppError(
      'UNPROCESSABLE_ENTITY',
      `Order ${input.orderId} completed but inventory holds no such reservation`,
      {
        details: { reason: 'RESERVATION_NOT_FOUND', ...input.by },
      },
    );
  }
  assertBelongsTo(reservation, input.orderId);
  if (reservation.status === 'DEDUCTED') return 'already-deducted';
  if (holdsStock(reservation.status)) {
    await applyItemChanges(
      tx,
      deps,
      reservation.items,
      { onHand: -1, reserved: -1, kind: 'DEDUCTED', changeReason: 'DEDUCTED', reservationId: reservation.id },
      meta,
    );
  } else {
    const levels = await lockLevelsOfProducts(
      tx,
      reservation.items.map((item) => item.productId),
    );
    const short = shortfalls(reservation.items, levels);
    if (short.length > 0) {
      throw new AppError(
        'UNPROCESSABLE_ENTITY',
        `Order ${reservation.orderId} completed after its reservation ${reservation.id} was released, and the stock is gone. ${describeShortage('INSUFFICIENT_STOCK', short)}`,
        { details: { reason: 'RESERVATION_RELEASED', reservationId: reservation.id, unavailable: short } },
      );
    }
    await applyItemChanges(
      tx,
      deps,
      reservation.items,
      { onHand: -1, reserved: 0, kind: 'DEDUCTED', changeReason: 'DEDUCTED', reservationId: reservation.id },
      meta,
    );
  }
  await markDeducted(tx, reservation.id, deps.now());
  return 'deducted';
}
