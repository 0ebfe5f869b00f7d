import type { EventHandler } from '@fv/messaging';
import { AppError } from '@fv/service-kit';
import { parseId } from '../domain/ids.js';
import type { InventoryDeps } from '../use-cases/context.js';
import { answerCompensation, type CompensationAnswer } from '../use-cases/answer-compensation.js';
import { announceRelease, releaseReservation } from '../use-cases/release-reservation.js';

/** Why a release can never be done, as CompensationOutcome REJECTED reports it. */
const REJECTIONS = new Set(['RESERVATION_DEDUCTED', 'RESERVATION_ORDER_MISMATCH']);

/**
 * The coordination service asks for RELEASE_INVENTORY (other actions belong to other services). Every
 * request gets exactly one CompensationOutcome, in the transaction of the release: DONE when the
 * reservation is released now (with InventoryReleased), ALREADY_DONE when it was released before (the
 * InventoryReleased is repeated for observers that read it), NOT_APPLICABLE when inventory holds no
 * reservation for the order (an unknown order is not an error: nothing was held), REJECTED when the
 * reservation cannot be released (its goods left when the order completed).
 */
export function onCompensationRequested(deps: InventoryDeps): EventHandler<'CompensationRequested'> {
  return async (event, { tx, causedBy, logger }) => {
    if (event.action !== 'RELEASE_INVENTORY') return;
    const db = tx;
    const meta = causedBy();
    const answer = async (outcome: CompensationAnswer) => {
      await answerCompensation(db, deps, event, outcome, meta);
      logger.info(
        { orderId: event.orderId, sagaId: event.sagaId, attempt: event.attempt, ...outcome },
        'inventory compensation answered',
      );
    };
    const orderId = parseId('order', event.orderId);
    if (!orderId) {
      await answer({
        outcome: 'NOT_APPLICABLE',
        reasonCode: 'ORDER_NOT_FOUND',
        detail: `"${event.orderId}" is not an order id: no reservation can belong to it`,
      });
      return;
    }
    const raw = event.parameters.reservationId;
    const reservationId = raw ? parseId('reservation', raw) : null;
    if (raw && !reservationId) {
      await answer({
        outcome: 'NOT_APPLICABLE',
        reasonCode: 'RESERVATION_NOT_FOUND',
        detail: `"${raw}" is not a reservation id`,
      });
      return;
    }
    const by = reservationId ? { reservationId } : { orderId };
    let result;
    try {
      result = await releaseReservation(db, deps, { by, reason: 'COMPENSATION', orderId }, meta);
    } catch (error) {
      // Thrown before anything was written: the answer goes out in the same transaction.
      const reason = error instanceof AppError ? String(error.details?.reason ?? '') : '';
      if (reason === 'RESERVATION_NOT_FOUND') {
        await answer({
          outcome: 'NOT_APPLICABLE',
          reasonCode: reason,
          detail: error instanceof Error ? error.message : null,
        });
        return;
      }
      if (REJECTIONS.has(reason)) {
        await answer({
          outcome: 'REJECTED',
          reasonCode: reason,
          detail: error instanceof Error ? error.message : null,
        });
        return;
      }
      throw error;
    }
    if (result.outcome === 'already-released') {
      await announceRelease(db, deps, result.reservation, meta);
      await answer({
        outcome: 'ALREADY_DONE',
        reasonCode: null,
        detail: `reservation ${result.reservation.id} was released before (${result.reservation.releaseReason ?? 'MANUAL'})`,
      });
      return;
    }
    await answer({
      outcome: 'DONE',
      reasonCode: null,
      detail: `reservation ${result.reservation.id} released`,
    });
  };
}
