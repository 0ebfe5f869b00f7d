import { NonRetriableError } from '@fv/messaging';
import type { ReservationKey } from '../db/reservation-store.js';
import { parseId } from '../domain/ids.js';

/** The plain order UUID of an event; an event naming no valid order can never be applied. */
export function orderIdOf(eventName: string, raw: string): string {
  const orderId = parseId('order', raw);
  if (!orderId)
    throw new NonRetriableError(
      `${eventName} names order "${raw}", which is not an order id`,
      'INVALID_EVENT',
    );
  return orderId;
}

/** Finds the reservation by the id the event gives, or by its order when the event gives none. */
export function reservationKeyOf(
  eventName: string,
  reservationId: string | undefined,
  orderId: string,
): ReservationKey {
  if (reservationId !== undefined && reservationId !== '') {
    const id = parseId('reservation', reservationId);
    if (!id)
      throw new NonRetriableError(
        `${eventName} names reservation "${reservationId}", which is not a reservation id`,
        'INVALID_EVENT',
      );
    return { reservationId: id };
  }
  return { orderId };
}
