import { NonRetriableError, type EventHandler } from '@fv/messaging';
import type { RequestedLine } from '../domain/reservation-request.js';
import type { InventoryDeps } from '../use-cases/context.js';
import { redoReservation } from '../use-cases/redo-reservation.js';
import { orderIdOf } from './event-ids.js';

/** The step this service owns in the order saga. */
export const OWN_STEP = 'INVENTORY_RESERVATION';

/** The order's lines as StepRetryRequested carries them: `parameters.items`, a JSON array. */
export function linesOf(orderId: string, raw: string | undefined): RequestedLine[] {
  let parsed: unknown;
  try {
    parsed = raw === undefined ? undefined : JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || parsed.length === 0) {
    throw new NonRetriableError(
      `StepRetryRequested for order ${orderId} carries no order lines (parameters.items)`,
      'INVALID_EVENT',
    );
  }
  return parsed.map((line: unknown, index) => {
    const { productId, quantity, warehouseId } = (line ?? {}) as Record<string, unknown>;
    if (typeof productId !== 'string' || typeof quantity !== 'number') {
      throw new NonRetriableError(
        `StepRetryRequested for order ${orderId}: parameters.items[${index}] needs a productId and a quantity`,
        'INVALID_EVENT',
      );
    }
    return { productId, quantity, warehouseId: typeof warehouseId === 'string' ? warehouseId : null };
  });
}

/**
 * The coordination service asks to perform INVENTORY_RESERVATION again: the order's stock is reserved
 * (InventoryReserved) or not (InventoryReservationFailed), as for a new order. Retries of other steps
 * belong to other services.
 */
export function onStepRetryRequested(deps: InventoryDeps): EventHandler<'StepRetryRequested'> {
  return async (event, { tx, causedBy, logger }) => {
    if (event.stepName !== OWN_STEP) return;
    const orderId = orderIdOf('StepRetryRequested', event.orderId);
    const lines = linesOf(orderId, event.parameters.items);
    const result = await redoReservation(tx, deps, { orderId, lines }, causedBy());
    logger.info(
      { orderId, attempt: event.attempt, sagaId: event.sagaId, ...result },
      'inventory reservation performed again',
    );
  };
}
