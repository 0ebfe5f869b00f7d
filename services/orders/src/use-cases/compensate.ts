import type { CompensationAction, EventMap } from '@fv/contracts';
import type { Logger } from '@fv/service-kit';
import { decide, type OrderStatus } from '../domain/order-status.js';
import type { Db } from '../db/orders-store.js';
import type { EventOrigin, OrdersDeps } from './orders-deps.js';
import { markCancelled, reversePayment, type CancellationReason } from './payment-actions.js';
import { invalidOrderState, lockKnownOrder } from './saga-order.js';

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

/**
 * Performs a compensation the coordination service asked for, once: VOID_PAYMENT and REFUND_PAYMENT
 * give the money back (PaymentVoided or PaymentRefunded), CANCEL_ORDER cancels the order
 * (OrderCancelled). A request for what is already undone changes nothing and publishes nothing again.
 */
export async function compensate(
  deps: OrdersDeps,
  tx: Db,
  event: EventMap['CompensationRequested'],
  origin: EventOrigin,
  log: Logger,
): Promise<void> {
  if (!OWN_ACTIONS.has(event.action)) return;
  const order = await lockKnownOrder(tx, event.orderId);
  const context = { orderId: order.id, action: event.action, attempt: event.attempt, sagaId: event.sagaId };

  if (event.action === 'CANCEL_ORDER') {
    const decision = decide(order.status as OrderStatus, 'CANCEL');
    if (decision.kind === 'reject') throw invalidOrderState(order, 'CANCEL_ORDER', decision.reason);
    if (decision.kind === 'ignore') {
      log.info(context, `compensation already done: ${decision.reason}`);
      return;
    }
    await markCancelled(
      deps,
      tx,
      order,
      {
        reason: cancellationReasonFor(event.reason),
        reasonDetails: `compensation requested by saga ${event.sagaId}: ${event.reason}`,
        initiatedBy: 'SYSTEM',
      },
      origin,
    );
    log.info(context, 'order cancelled by compensation');
    return;
  }

  const done = await reversePayment(deps, tx, order, 'COMPENSATION', origin, log);
  log.info({ ...context, result: done }, 'payment compensation handled');
}
