import {
  compensationOutcomeOf,
  type CompensationAction,
  type CompensationOutcomeKind,
  type EventMap,
} from '@fv/contracts';
import type { Logger } from '@fv/service-kit';
import { decide, failureReasonOf, type OrderStatus } from '../domain/order-status.js';
import { AppError, parseId } from '@fv/service-kit';
import { lockOrder, updatePayment, type Db, type OrderRow } from '../db/orders-store.js';
import { PaymentError } from '../payment/payment-errors.js';
import { publishMeta, type EventOrigin, type OrdersDeps } from './orders-deps.js';
import { markCancelled, markFailed, reversePayment, type CancellationReason } from './payment-actions.js';

/** The compensations this service owns; other participants handle the rest. */
export const OWN_ACTIONS: ReadonlySet<CompensationAction> = new Set([
  'VOID_PAYMENT',
  'REFUND_PAYMENT',
  'CANCEL_ORDER',
]);

/** The coordination service's reason for compensating, as an OrderCancelled reason code. */
export function cancellationReasonFor(reason: string): CancellationReason {
  switch (reason) {
    case 'PAYMENT_FAILED':
      return 'PAYMENT_FAILED';
    case 'INVENTORY_UNAVAILABLE':
    case 'INVENTORY_RESERVATION_FAILED':
    case 'INSUFFICIENT_STOCK':
      return 'INVENTORY_UNAVAILABLE';
    case 'DELIVERY_FAILED':
    case 'DELIVERY_SCHEDULING_FAILED':
      return 'DELIVERY_FAILED';
    case 'CUSTOMER_CANCELLED':
    case 'CUSTOMER_REQUESTED':
      return 'CUSTOMER_REQUESTED';
    case 'STEP_TIMEOUT':
    case 'TIMEOUT':
      return 'TIMEOUT';
    default:
      return 'MANUAL_INTERVENTION';
  }
}

type Outcome = CompensationOutcomeKind;

/** How a provider refusal of a void or refund answers the compensation. */
function refusalOutcome(error: PaymentError): { outcome: Outcome; reasonCode: string } {
  switch (error.providerReason) {
    case 'AUTHORIZATION_NOT_FOUND':
      return { outcome: 'NOT_APPLICABLE', reasonCode: 'PAYMENT_NOT_FOUND' };
    case 'AUTHORIZATION_VOIDED':
      return { outcome: 'ALREADY_DONE', reasonCode: 'PAYMENT_ALREADY_VOIDED' };
    default:
      return { outcome: 'REJECTED', reasonCode: error.providerReason ?? error.code };
  }
}

/**
 * CANCEL_ORDER stops the order: FAILED (OrderFailed, with the reason) when the saga is compensated for a
 * failed step or a timeout, CANCELLED (OrderCancelled) when a customer or an operator cancelled it.
 */
async function stopOrder(
  deps: OrdersDeps,
  tx: Db,
  event: EventMap['CompensationRequested'],
  order: OrderRow,
  origin: EventOrigin,
  answer: (outcome: Outcome, reasonCode: string | null, detail: string | null) => Promise<void>,
): Promise<void> {
  const status = order.status as OrderStatus;
  const failure = failureReasonOf(event.reason, status);
  const decision = decide(status, failure ? 'FAIL' : 'CANCEL');
  if (decision.kind === 'reject') {
    await answer(
      'REJECTED',
      'INVALID_ORDER_STATE',
      `order ${order.id} is ${order.status}: ${decision.reason}`,
    );
    return;
  }
  if (decision.kind === 'ignore') {
    await answer('ALREADY_DONE', null, decision.reason);
    return;
  }
  const reasonDetails = `compensation requested by saga ${event.sagaId}: ${event.reason}`;
  if (failure) {
    await markFailed(deps, tx, order, { reason: failure, reasonDetails }, origin);
    await answer('DONE', null, `order ${order.id} failed (${failure})`);
    return;
  }
  await markCancelled(
    deps,
    tx,
    order,
    { reason: cancellationReasonFor(event.reason), reasonDetails, initiatedBy: 'SYSTEM' },
    origin,
  );
  await answer('DONE', null, `order ${order.id} cancelled`);
}

/**
 * Performs a compensation the coordination service asked for and answers it with exactly one
 * CompensationOutcome, in the transaction of the effect: VOID_PAYMENT and REFUND_PAYMENT give the money
 * back (PaymentVoided or PaymentRefunded; DONE), CANCEL_ORDER stops the order
 * (OrderFailed or OrderCancelled; DONE).
 * What is already undone changes nothing again (ALREADY_DONE); an unknown order or a payment that never
 * held money is NOT_APPLICABLE; an order that cannot be undone (a completed order asked to be cancelled)
 * or a provider refusal is REJECTED. Only a provider outage fails the handler (retried).
 */
export async function compensate(
  deps: OrdersDeps,
  tx: Db,
  event: EventMap['CompensationRequested'],
  origin: EventOrigin,
  log: Logger,
): Promise<void> {
  if (!OWN_ACTIONS.has(event.action)) return;
  const orderId = parseId(event.orderId, 'ord');
  const answer = async (outcome: Outcome, reasonCode: string | null, detail: string | null) => {
    await deps.outbox.publish(
      tx,
      'CompensationOutcome',
      compensationOutcomeOf(event, { outcome, reasonCode, detail }, orderId ?? event.orderId),
      publishMeta(orderId ?? event.orderId, origin),
    );
    log.info(
      {
        orderId: orderId ?? event.orderId,
        action: event.action,
        attempt: event.attempt,
        sagaId: event.sagaId,
        outcome,
        reasonCode,
      },
      `compensation ${event.action}: ${outcome}`,
    );
  };

  const order = orderId ? await lockOrder(tx, orderId) : null;
  if (!order) {
    await answer('NOT_APPLICABLE', 'ORDER_NOT_FOUND', `order ${event.orderId} does not exist`);
    return;
  }

  if (event.action === 'CANCEL_ORDER') {
    await stopOrder(deps, tx, event, order, origin, answer);
    return;
  }

  const paymentStatus = order.payment?.status ?? null;
  let done: Awaited<ReturnType<typeof reversePayment>>;
  try {
    done = await reversePayment(deps, tx, order, 'COMPENSATION', origin, log);
  } catch (error) {
    const cause = error instanceof AppError ? error.cause : undefined;
    if (!(cause instanceof PaymentError) || cause.retriable) throw error;
    const refusal = refusalOutcome(cause);
    if (order.payment) {
      await updatePayment(tx, order.payment.id, {
        ...(refusal.outcome === 'REJECTED'
          ? {}
          : { status: refusal.outcome === 'ALREADY_DONE' ? 'VOIDED' : 'FAILED' }),
        failureCode: cause.code,
        failureMessage: cause.message,
      });
    }
    await answer(refusal.outcome, refusal.reasonCode, cause.message);
    return;
  }
  if (done !== 'NOTHING') {
    await answer('DONE', null, done === 'VOIDED' ? 'authorization voided' : 'captured payment refunded');
  } else if (paymentStatus === 'VOIDED' || paymentStatus === 'REFUNDED') {
    await answer('ALREADY_DONE', null, `the payment is already ${paymentStatus}`);
  } else {
    await answer(
      'NOT_APPLICABLE',
      paymentStatus ? 'NOTHING_TO_GIVE_BACK' : 'PAYMENT_NOT_FOUND',
      paymentStatus
        ? `the payment is ${paymentStatus}: it holds no money`
        : `order ${order.id} has no payment`,
    );
  }
}
