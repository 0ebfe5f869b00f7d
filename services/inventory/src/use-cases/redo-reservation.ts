import type { Tx } from '../db/tx.js';
import { holdsStock } from '../domain/reservation.js';
import type { RequestedLine } from '../domain/reservation-request.js';
import type { EventMeta, InventoryDeps } from './context.js';
import { reserveStock, toUnavailableItems } from './reserve-stock.js';

export type RedoResult =
  /** Stock is held now, by a new reservation or by the one the order had (announced again). */
  | { outcome: 'reserved' | 'already-reserved'; reservationId: string }
  /** Still not enough stock, or a line is invalid: InventoryReservationFailed again. */
  | { outcome: 'rejected'; reason: string }
  /** The order's reservation ended (released or deducted): nothing is held again. */
  | { outcome: 'ended'; reservationId: string; status: string };

/**
 * The coordination service asks for the order's reservation again (a retried INVENTORY_RESERVATION step).
 * The same rules as for a new order hold: every line or none. An order that holds its stock already is
 * answered with InventoryReserved for that reservation again, so redoing the step never reserves twice.
 * A reservation that was released gives its place to nothing: an order has one reservation, and a
 * released one (its hold lapsed, or the saga undid it) is answered with InventoryReservationFailed
 * RESERVATION_RELEASED; a deducted one (the order completed) changes nothing.
 */
export async function redoReservation(
  tx: Tx,
  deps: InventoryDeps,
  input: { orderId: string; lines: readonly RequestedLine[] },
  meta: EventMeta,
): Promise<RedoResult> {
  const result = await reserveStock(tx, deps, input, meta);
  const key = { ...meta, key: input.orderId };
  switch (result.outcome) {
    case 'reserved':
      return { outcome: 'reserved', reservationId: result.reservation.id };
    case 'rejected':
      await deps.outbox.publish(
        tx,
        'InventoryReservationFailed',
        {
          orderId: input.orderId,
          reason: result.reason,
          message: result.message,
          unavailableItems: toUnavailableItems(result.unavailable),
        },
        key,
      );
      return { outcome: 'rejected', reason: result.reason };
    case 'exists': {
      const { reservation } = result;
      if (holdsStock(reservation.status)) {
        await deps.outbox.publish(
          tx,
          'InventoryReserved',
          {
            orderId: input.orderId,
            reservationId: reservation.id,
            items: reservation.items,
            expiresAt: reservation.expiresAt.getTime(),
          },
          key,
        );
        return { outcome: 'already-reserved', reservationId: reservation.id };
      }
      if (reservation.status === 'RELEASED') {
        await deps.outbox.publish(
          tx,
          'InventoryReservationFailed',
          {
            orderId: input.orderId,
            reason: 'RESERVATION_RELEASED',
            message: `The reservation ${reservation.id} of order ${input.orderId} was released (${reservation.releaseReason ?? 'MANUAL'}); an order holds one reservation, so it is not reserved again`,
            unavailableItems: [],
          },
          key,
        );
      }
      return { outcome: 'ended', reservationId: reservation.id, status: reservation.status };
    }
  }
}
