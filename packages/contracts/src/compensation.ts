import type { CompensationRequested, EventPayload } from './generated/events.js';

/** How the owner of a compensating action ended one request (CompensationOutcome `outcome`). */
export type CompensationOutcomeKind = 'DONE' | 'ALREADY_DONE' | 'NOT_APPLICABLE' | 'REJECTED';

/** The owner's answer to one CompensationRequested: `outcome`, with `reasonCode` and `detail`. */
export interface CompensationAnswer {
  outcome: CompensationOutcomeKind;
  reasonCode: string | null;
  detail: string | null;
}

/**
 * The CompensationOutcome that answers `request`: the request's saga, workflow, order, action and
 * attempt, its event id as `requestEventId`, and the answer. `orderId` replaces the request's order id
 * where the owner normalised it (a prefixed id read as the plain UUID).
 */
export function compensationOutcomeOf(
  request: CompensationRequested,
  answer: CompensationAnswer,
  orderId: string = request.orderId,
): EventPayload<'CompensationOutcome'> {
  return {
    sagaId: request.sagaId,
    workflowId: request.workflowId,
    orderId,
    action: request.action,
    attempt: request.attempt,
    requestEventId: request.eventId,
    outcome: answer.outcome,
    reasonCode: answer.reasonCode,
    detail: answer.detail,
  };
}

/** Why a failed order failed, as OrderFailed `reason` carries it. */
export type OrderFailureReason =
  'PAYMENT_FAILED' | 'INVENTORY_ERROR' | 'DELIVERY_FAILED' | 'TIMEOUT' | 'COUPON_REJECTED' | 'SAGA_FAILED';

const ORDER_FAILURE_REASONS: Record<string, OrderFailureReason> = {
  PAYMENT_FAILED: 'PAYMENT_FAILED',
  CAPTURE_FAILED: 'PAYMENT_FAILED',
  INVENTORY_UNAVAILABLE: 'INVENTORY_ERROR',
  INVENTORY_RESERVATION_FAILED: 'INVENTORY_ERROR',
  INSUFFICIENT_STOCK: 'INVENTORY_ERROR',
  INVENTORY_ERROR: 'INVENTORY_ERROR',
  DELIVERY_FAILED: 'DELIVERY_FAILED',
  DELIVERY_SCHEDULING_FAILED: 'DELIVERY_FAILED',
  STEP_TIMEOUT: 'TIMEOUT',
  WORKFLOW_TIMEOUT: 'TIMEOUT',
  TIMEOUT: 'TIMEOUT',
  // The order's promotion code could not be applied (CouponRejected fails the payment step).
  COUPON_REJECTED: 'COUPON_REJECTED',
};

/**
 * Whether a saga compensated for `reason` (CompensationRequested `reason`) failed — a step failed or
 * timed out: the order ends FAILED with the reason returned — or was cancelled by a customer or an
 * operator (null: the order ends CANCELLED). An unknown `<STEP>_FAILED` is a failure, SAGA_FAILED.
 */
export function orderFailureReasonOf(reason: string): OrderFailureReason | null {
  const known = ORDER_FAILURE_REASONS[reason];
  if (known) return known;
  return reason.endsWith('_FAILED') ? 'SAGA_FAILED' : null;
}
