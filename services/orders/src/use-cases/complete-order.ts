import type { EventMap } from '@fv/contracts';
import type { Logger } from '@fv/service-kit';
import { decide, type OrderStatus } from '../domain/order-status.js';
import { changeStatus, updatePayment, type Db, type OrderRow, type PaymentRow } from '../db/orders-store.js';
import { markApplied } from '../db/payment-attempts-store.js';
import { amountOf, chargedAmountOf } from './order-view.js';
import { publishMeta, type EventOrigin, type OrdersDeps } from './orders-deps.js';
import { callOnce, isWaiting, type SettledCall } from './payment-attempt.js';
import { paymentFailure } from './payment-failure.js';
import { invalidOrderState, lockKnownOrder } from './saga-order.js';
import { paymentPartsOf } from '../domain/split-payment.js';
import { captureSplitOnce, markRelatedApplied } from './split-payment.js';

/** The shipment a capture completes the order with (kept on the capture's attempt for recovery). */
export interface ShipmentFacts {
  eventId: string;
  shipmentId: string;
  trackingId: string;
  carrier: string;
}

/**
 * The shipment is scheduled: capture the authorized payment, complete the order and publish
 * OrderCompleted (inventory then deducts the reservation). The capture is recorded before and after
 * the provider call (see `callOnce`), so a crash or a lost process state never loses it: the same key
 * is sent again. While the provider is unavailable the capture waits for the recovery sweeper, which
 * retries it with backoff and never gives up; a capture the provider refuses for good fails the payment
 * with PaymentFailed, so the saga compensates.
 */
export async function completeOrder(
  deps: OrdersDeps,
  tx: Db,
  event: EventMap['DeliveryScheduled'],
  origin: EventOrigin,
  log: Logger,
): Promise<void> {
  const order = await lockKnownOrder(tx, event.orderId);
  const decision = decide(order.status as OrderStatus, 'DELIVERY_SCHEDULED');
  if (decision.kind === 'reject') throw invalidOrderState(order, 'DeliveryScheduled', decision.reason);
  if (decision.kind === 'ignore') {
    log.info({ orderId: order.id, status: order.status }, `DeliveryScheduled ignored: ${decision.reason}`);
    return;
  }
  const payment = order.payment;
  if (!payment || payment.status !== 'AUTHORIZED') {
    throw invalidOrderState(
      order,
      'DeliveryScheduled',
      `its payment is ${payment?.status ?? 'missing'}, not AUTHORIZED`,
    );
  }
  if (!order.reservationId) throw invalidOrderState(order, 'DeliveryScheduled', 'it holds no reservation');
  const settled = await captureOnce(deps, order, payment, {
    eventId: event.eventId,
    shipmentId: event.shipmentId,
    trackingId: event.trackingId,
    carrier: event.carrier,
  });
  if (isWaiting(settled)) {
    // The goods ship whatever the provider's state: the order stays CONFIRMED and the sweeper retries
    // the same key with backoff until the capture goes through. The event is processed meanwhile.
    log.warn(
      {
        orderId: order.id,
        code: settled.outcome.ok ? null : settled.outcome.error.code,
        retryAt: settled.attempt.nextAttemptAt,
      },
      'payment provider unavailable: the capture waits for a retry',
    );
    return;
  }
  await applyCapture(deps, tx, order, settled, origin, log);
}

/** The idempotency key of a payment's capture. */
export function captureKey(paymentId: string): string {
  return `payment-${paymentId}-capture`;
}

/** The capture of an authorized payment, under the key `payment-<paymentId>-capture`, made once. */
export function captureOnce(
  deps: OrdersDeps,
  order: OrderRow,
  payment: PaymentRow,
  shipment: ShipmentFacts,
): Promise<SettledCall> {
  const parts = paymentPartsOf(payment.parts);
  if (parts) return captureSplitOnce(deps, order, payment, parts, { ...shipment });
  const amount = amountOf(payment.amount, payment.currency);
  const idempotencyKey = captureKey(payment.id);
  return callOnce(
    deps,
    {
      orderId: order.id,
      paymentId: payment.id,
      operation: 'CAPTURE',
      idempotencyKey,
      amount,
      currency: payment.currency,
      context: { ...shipment },
    },
    () =>
      deps.gateway.capture({
        idempotencyKey,
        reference: payment.providerReference ?? '',
        amount,
        currency: payment.currency,
      }),
  );
}

/**
 * Reflects the capture's answer in the order (the caller holds the order's lock and has checked that
 * the order still waits for its shipment): COMPLETED with OrderCompleted, or, for a refusal,
 * PAYMENT_FAILED with PaymentFailed. (A call still waiting for the provider is never applied; it would
 * throw a retriable error.)
 */
export async function applyCapture(
  deps: OrdersDeps,
  tx: Db,
  order: OrderRow,
  settled: SettledCall,
  origin: EventOrigin,
  log: Logger,
): Promise<void> {
  const payment = order.payment!;
  const { outcome, attempt } = settled;
  const shipment = attempt.context as unknown as ShipmentFacts;
  if (!outcome.ok) {
    await applyCaptureRefusal(deps, tx, order, settled, outcome, origin, log);
    return;
  }

  const now = new Date();
  await markApplied(tx, attempt.id);
  await markRelatedApplied(tx, settled);
  await updatePayment(tx, payment.id, {
    status: 'CAPTURED',
    capturedAt: now,
    ...(settled.split ? { parts: JSON.stringify(settled.split.parts) } : {}),
  });
  await changeStatus(tx, order, 'COMPLETED', {
    reason: 'DELIVERY_SCHEDULED',
    eventId: shipment.eventId ?? origin.eventId ?? null,
    data: {
      shipmentId: shipment.shipmentId,
      trackingId: shipment.trackingId,
      carrier: shipment.carrier,
      completedAt: now,
      failureCode: null,
      failureMessage: null,
    },
  });
  await deps.outbox.publish(
    tx,
    'OrderCompleted',
    {
      orderId: order.id,
      customerId: order.customerId,
      customerEmail: order.customerEmail,
      reservationId: order.reservationId!,
      paymentId: payment.id,
      shipmentId: shipment.shipmentId,
      trackingId: shipment.trackingId,
      totalAmount: chargedAmountOf(order),
      currency: order.currency,
    },
    publishMeta(order.id, origin),
  );
}

/**
 * The provider refused the capture: a retriable refusal throws (the capture is tried again); one for
 * good fails the payment (PAYMENT_FAILED with PaymentFailed) unless the order has moved on.
 */
async function applyCaptureRefusal(
  deps: OrdersDeps,
  tx: Db,
  order: OrderRow,
  settled: SettledCall,
  outcome: Extract<SettledCall['outcome'], { ok: false }>,
  origin: EventOrigin,
  log: Logger,
): Promise<void> {
  if (outcome.error.retriable) throw paymentFailure('capture', order.id, outcome.error);
  const payment = order.payment!;
  const shipment = settled.attempt.context as unknown as ShipmentFacts;
  const decision = decide(order.status as OrderStatus, 'CAPTURE_FAILED');
  await markApplied(tx, settled.attempt.id);
  await markRelatedApplied(tx, settled);
  if (decision.kind !== 'move') {
    log.info({ orderId: order.id, status: order.status }, `capture refusal ignored: ${decision.reason}`);
    return;
  }
  log.warn(
    { orderId: order.id, code: outcome.error.code, providerReason: outcome.error.providerReason },
    'the provider refused the capture for good: the payment failed',
  );
  // The hold (if the provider still has one) stays AUTHORIZED until the saga's VOID_PAYMENT releases it.
  // A split payment keeps which parts were captured before the refusal: those are refunded, not voided.
  await updatePayment(tx, payment.id, {
    failureCode: outcome.error.code,
    failureMessage: outcome.error.message,
    ...(settled.split ? { parts: JSON.stringify(settled.split.parts) } : {}),
  });
  await changeStatus(tx, order, decision.to, {
    reason: 'CAPTURE_FAILED',
    eventId: shipment.eventId ?? origin.eventId ?? null,
    data: {
      shipmentId: shipment.shipmentId,
      trackingId: shipment.trackingId,
      carrier: shipment.carrier,
      failureCode: outcome.error.code,
      failureMessage: outcome.error.message,
    },
  });
  await deps.outbox.publish(
    tx,
    'PaymentFailed',
    {
      orderId: order.id,
      customerId: order.customerId,
      paymentId: payment.id,
      amount: amountOf(payment.amount, payment.currency),
      currency: payment.currency,
      paymentMethod: order.paymentMethodType,
      errorCode: outcome.error.code,
      errorMessage: outcome.error.message,
      retriable: false,
      attempt: Math.max(outcome.attempts, 1),
    },
    publishMeta(order.id, origin),
  );
}
