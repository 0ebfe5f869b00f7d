import { AppError } from '@fv/service-kit';
import {
  lockReservation,
  markReleased,
  type ReservationKey,
  type ReservationRecord,
} from '../db/reservation-store.js';
import type { Tx } from '../db/tx.js';
import { hasLapsed, holdsStock, type ReleaseReason } from '../domain/reservation.js';
import { applyItemChanges } from './apply-item-changes.js';
import type { EventMeta, InventoryDeps } from './context.js';

export type ReleaseResult =
  | { outcome: 'released'; reservation: ReservationRecord }
  /** Released before (by a request, a compensation or its expiry); nothing changed this time. */
  | { outcome: 'already-released'; reservation: ReservationRecord };

export function reservationNotFound(by: ReservationKey): AppError {
  const message =
    'reservationId' in by
      ? `Reservation ${by.reservationId} does not exist`
      : `No reservation exists for order ${by.orderId}`;
  return new AppError('NOT_FOUND', message, {
    details: { reason: 'RESERVATION_NOT_FOUND', ...by },
  });
}

/**
 * A reservation looked up by its id must belong to the order the caller names; an event pairing one
 * order with another order's reservation can never be applied.
 */
export function assertBelongsTo(reservation: ReservationRecord, orderId: string | undefined): void {
  if (orderId === undefined || reservation.orderId === orderId) return;
  throw new AppError(
    'CONFLICT',
    `Reservation ${reservation.id} belongs to order ${reservation.orderId}, not to order ${orderId}`,
    {
      details: { reason: 'RESERVATION_ORDER_MISMATCH', reservationId: reservation.id, orderId },
    },
  );
}

/**
 * Gives a reservation's stock back and announces it with InventoryReleased (and InventoryUpdated per
 * location). Releasing a released reservation changes nothing; a deducted one cannot be released (its
 * goods have left: that is a return, an adjustment with reason RETURN).
 */
export async function releaseReservation(
  tx: Tx,
  deps: InventoryDeps,
  input: { by: ReservationKey; reason: ReleaseReason; orderId?: string },
  meta: Omit<EventMeta, 'correlationId'> & { correlationId?: string },
): Promise<ReleaseResult> {
  const reservation = await lockReservation(tx, input.by);
  if (!reservation) throw reservationNotFound(input.by);
  assertBelongsTo(reservation, input.orderId);
  if (reservation.status === 'RELEASED') return { outcome: 'already-released', reservation };
  if (reservation.status === 'DEDUCTED') {
    throw new AppError(
      'CONFLICT',
      `Reservation ${reservation.id} was deducted when its order completed and cannot be released`,
      {
        details: {
          reason: 'RESERVATION_DEDUCTED',
          reservationId: reservation.id,
          orderId: reservation.orderId,
        },
      },
    );
  }
  const eventMeta = { ...meta, correlationId: meta.correlationId ?? reservation.orderId };
  return {
    outcome: 'released',
    reservation: await releaseHeld(tx, deps, reservation, input.reason, eventMeta),
  };
}

/**
 * Releases an ACTIVE reservation whose time is up; false when it is no longer due (confirmed, released
 * or deducted since it was picked, or its expiry moved).
 */
export async function expireReservation(
  tx: Tx,
  deps: InventoryDeps,
  reservationId: string,
  meta: EventMeta,
): Promise<boolean> {
  const reservation = await lockReservation(tx, { reservationId });
  if (!reservation || !hasLapsed(reservation, deps.now())) return false;
  await releaseHeld(tx, deps, reservation, 'EXPIRED', { ...meta, correlationId: reservation.orderId });
  return true;
}

async function releaseHeld(
  tx: Tx,
  deps: InventoryDeps,
  reservation: ReservationRecord,
  reason: ReleaseReason,
  meta: EventMeta,
): Promise<ReservationRecord> {
  if (!holdsStock(reservation.status))
    throw new Error(`reservation ${reservation.id} holds no stock (${reservation.status})`);
  await applyItemChanges(
    tx,
    deps,
    reservation.items,
    {
      onHand: 0,
      reserved: -1,
      kind: 'RELEASED',
      changeReason: 'RELEASED',
      reservationId: reservation.id,
      reason,
    },
    meta,
  );
  const releasedAt = deps.now();
  await markReleased(tx, reservation.id, reason, releasedAt);
  const released: ReservationRecord = {
    ...reservation,
    status: 'RELEASED',
    releaseReason: reason,
    releasedAt,
  };
  await announceRelease(tx, deps, released, meta);
  return released;
}

/** Publishes InventoryReleased for a released reservation (also the answer to a repeated compensation request). */
export async function announceRelease(
  tx: Tx,
  deps: InventoryDeps,
  reservation: ReservationRecord,
  meta: EventMeta,
): Promise<void> {
  await deps.outbox.publish(
    tx,
    'InventoryReleased',
    {
      orderId: reservation.orderId,
      reservationId: reservation.id,
      items: reservation.items,
      reason: reservation.releaseReason ?? 'MANUAL',
    },
    { ...meta, key: reservation.orderId },
  );
}
