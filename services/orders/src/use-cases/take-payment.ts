import { randomUUID } from 'node:crypto';
import type { EventMap } from '@fv/contracts';
import { NonRetriableError } from '@fv/messaging';
import type { Logger } from '@fv/service-kit';
import { decide, type OrderStatus } from '../domain/order-status.js';
import type { PaymentPartState } from '../domain/split-payment.js';
import { changeStatus, insertPayment, updatePayment, type Db, type OrderRow } from '../db/orders-store.js';
import { markApplied } from '../db/payment-attempts-store.js';
import { applyCoupon } from './apply-coupon.js';
import { chargedAmountOf, eventItems } from './order-view.js';
import { publishMeta, type EventOrigin, type OrdersDeps } from './orders-deps.js';
import { authorizeOnceRecorded, isWaiting, type SettledCall } from './payment-attempt.js';
import { lockKnownOrder } from './saga-order.js';
import { authorizeSplitOnce, isSplitOrder, markRelatedApplied } from './split-payment.js';

/** Each product's quantity across lines. */
function quantities(items: readonly { productId: string; quantity: number }[]): Map<string, number> {
  const totals = new Map<string, number>();
  for (const item of items)
    totals.set(item.productId.toLowerCase(), (totals.get(item.productId.toLowerCase()) ?? 0) + item.quantity);
  return totals;
}

function sameQuantities(order: OrderRow, reserved: EventMap['InventoryReserved']['items']): boolean {
  const wanted = quantities(order.items);
  const held = quantities(reserved);
  return (
    wanted.size === held.size &&
    [...wanted].every(([productId, quantity]) => held.get(productId) === quantity)
  );
}

/**
 * The order's stock is reserved: apply its promotion code, if it has one (`applyCoupon`: CouponApplied
 * and the discount, or CouponRejected and the payment step failed), then authorize its payment (with retries and the circuit breaker) and
 * publish PaymentProcessed then OrderConfirmed, or PaymentFailed. While the provider is unavailable the
 * authorization waits for the recovery sweeper (PAYMENT_PROVIDER_PATIENCE_MS at most) instead. The provider call is recorded before
 * and after it is made (`callOnce`) under a key derived from the order id, so however often this runs
 * for an order, crashes included, the customer is charged once; a reservation that
 * arrives for an order already paid, failed or cancelled changes nothing.
 */
export async function takePayment(
  deps: OrdersDeps,
  tx: Db,
  event: EventMap['InventoryReserved'],
  origin: EventOrigin,
  log: Logger,
): Promise<void> {
  const locked = await lockKnownOrder(tx, event.orderId);
  const decision = decide(locked.status as OrderStatus, 'PAYMENT_AUTHORIZED');
  if (decision.kind !== 'move') {
    log.info({ orderId: locked.id, status: locked.status }, `reservation ignored: ${decision.reason}`);
    return;
  }
  if (event.reservationId.trim() === '') {
    // The schema admits an empty string; an order confirmed on it could never be completed.
    throw new NonRetriableError(`the reservation of order ${locked.id} has no id`, 'RESERVATION_MISMATCH');
  }
  if (!sameQuantities(locked, event.items)) {
    throw new NonRetriableError(
      `the reservation ${event.reservationId} does not hold the lines of order ${locked.id}`,
      'RESERVATION_MISMATCH',
    );
  }
  const coupon = await applyCoupon(deps, tx, locked, { reservationId: event.reservationId }, origin);
  if (coupon.kind === 'rejected') {
    log.info(
      { orderId: locked.id, couponCode: locked.couponCode },
      'coupon rejected: the payment step failed',
    );
    return;
  }
  const order = coupon.order;
  const settled = order.paymentToken
    ? await authorizeOnce(deps, order, { eventId: event.eventId, reservationId: event.reservationId })
    : null;
  if (settled && isWaiting(settled)) {
    // The provider is unavailable: the order waits (PENDING) and the sweeper retries the same key with
    // backoff, within the patience window. The event is processed; the partition moves on.
    log.warn(
      {
        orderId: order.id,
        code: settled.outcome.ok ? null : settled.outcome.error.code,
        retryAt: settled.attempt.nextAttemptAt,
      },
      'payment provider unavailable: the authorization waits for a retry',
    );
    return;
  }
  await applyAuthorization(deps, tx, order, settled, event.reservationId, origin);
}

/** The idempotency key of an order's authorization. */
export function authorizeKey(orderId: string): string {
  return `order-${orderId}-authorize`;
}

/** The authorization of an order's payment, under the key `order-<orderId>-authorize`, made once. */
export async function authorizeOnce(
  deps: OrdersDeps,
  order: OrderRow,
  context: { eventId: string; reservationId: string },
): Promise<SettledCall> {
  if (isSplitOrder(order)) return authorizeSplitOnce(deps, order, context);
  const amount = chargedAmountOf(order);
  const idempotencyKey = authorizeKey(order.id);
  return authorizeOnceRecorded(
    deps,
    { orderId: order.id, paymentId: randomUUID(), idempotencyKey, amount, currency: order.currency, context },
    { token: order.paymentToken ?? '', paymentMethodType: order.paymentMethodType },
  );
}

/**
 * Reflects the authorization's answer in the order (the caller holds the order's lock and has checked
 * that the order still waits for its payment): CONFIRMED with PaymentProcessed and OrderConfirmed, or
 * PAYMENT_FAILED with PaymentFailed. `settled` is null for an order without a payment method token.
 */
export async function applyAuthorization(
  deps: OrdersDeps,
  tx: Db,
  order: OrderRow,
  settled: SettledCall | null,
  reservationId: string,
  origin: EventOrigin,
): Promise<void> {
  const amount = chargedAmountOf(order);
  // A retried payment step keeps the payment its failed attempt recorded (one payment per order).
  const paymentId = order.payment?.id ?? settled?.attempt.paymentId ?? randomUUID();
  const outcome = settled?.outcome ?? null;
  if (settled) await markApplied(tx, settled.attempt.id);
  await markRelatedApplied(tx, settled);
  const parts = settled?.split?.parts ?? null;
  if (outcome?.ok) {
    await confirmAuthorized(deps, tx, order, { paymentId, amount, outcome, parts, reservationId }, origin);
    return;
  }

  const failure = outcome
    ? {
        code: outcome.error.code,
        message: outcome.error.message,
        retriable: outcome.error.retriable,
        attempts: outcome.attempts,
      }
    : {
        code: 'INVALID_PAYMENT_REQUEST',
        message: 'the order has no payment method token',
        retriable: false,
        attempts: 0,
      };
  await failPayment(deps, tx, order, { ...failure, paymentId, reservationId }, origin);
}

/** An authorization the provider granted, with the parts of a split payment (null for one method). */
interface Authorized {
  paymentId: string;
  /** What the customer pays (`chargedAmountOf`). */
  amount: string;
  outcome: Extract<SettledCall['outcome'], { ok: true }>;
  parts: PaymentPartState[] | null;
  reservationId: string;
}

/**
 * The order's payment is authorized: an AUTHORIZED payment, CONFIRMED, then PaymentProcessed
 * (SplitPaymentProcessed too for a split payment) and OrderConfirmed.
 */
async function confirmAuthorized(
  deps: OrdersDeps,
  tx: Db,
  order: OrderRow,
  authorized: Authorized,
  origin: EventOrigin,
): Promise<void> {
  const { paymentId, amount, outcome, parts, reservationId } = authorized;
  const now = new Date();
  await recordPayment(tx, order, {
    id: paymentId,
    orderId: order.id,
    provider: deps.gateway.providerName,
    providerReference: outcome.reference,
    status: 'AUTHORIZED',
    amount,
    currency: order.currency,
    attempts: outcome.attempts,
    failureCode: null,
    failureMessage: null,
    authorizedAt: now,
    parts: parts ? JSON.stringify(parts) : null,
  });
  await changeStatus(tx, order, 'CONFIRMED', {
    reason: 'PAYMENT_AUTHORIZED',
    eventId: origin.eventId ?? null,
    data: { reservationId, paymentToken: null, failureCode: null, failureMessage: null },
  });
  const processed = await deps.outbox.publish(
    tx,
    'PaymentProcessed',
    {
      orderId: order.id,
      customerId: order.customerId,
      paymentId,
      amount,
      currency: order.currency,
      paymentMethod: order.paymentMethodType,
      status: 'AUTHORIZED',
      provider: deps.gateway.providerName,
      providerReference: outcome.reference,
    },
    publishMeta(order.id, origin),
  );
  if (parts) {
    await publishSplitProcessed(
      deps,
      tx,
      order,
      { paymentId, amount, parts },
      publishMeta(order.id, origin, processed.eventId),
    );
  }
  await deps.outbox.publish(
    tx,
    'OrderConfirmed',
    {
      orderId: order.id,
      customerId: order.customerId,
      customerEmail: order.customerEmail,
      items: eventItems(order),
      // What the customer pays: the lines' total less the coupon's discount.
      totalAmount: amount,
      currency: order.currency,
      reservationId,
      paymentId,
      shippingAddress: order.shippingAddress as unknown as EventMap['OrderConfirmed']['shippingAddress'],
      shippingMethod: order.shippingMethod,
    },
    publishMeta(order.id, origin, processed.eventId),
  );
}

/** SplitPaymentProcessed: the parts of an authorized split payment, after its PaymentProcessed. */
async function publishSplitProcessed(
  deps: OrdersDeps,
  tx: Db,
  order: OrderRow,
  payment: { paymentId: string; amount: string; parts: PaymentPartState[] },
  meta: ReturnType<typeof publishMeta>,
): Promise<void> {
  await deps.outbox.publish(
    tx,
    'SplitPaymentProcessed',
    {
      orderId: order.id,
      customerId: order.customerId,
      paymentId: payment.paymentId,
      amount: payment.amount,
      currency: order.currency,
      status: 'AUTHORIZED',
      provider: deps.gateway.providerName,
      parts: payment.parts.map((part) => ({
        index: part.index,
        paymentMethod: part.type,
        amount: part.amount,
        status: part.status,
        providerReference: part.providerReference,
      })),
    },
    meta,
  );
}

/** Records the order's payment, or updates the one an earlier, failed attempt of the step recorded. */
async function recordPayment(
  tx: Db,
  order: OrderRow,
  payment: Parameters<typeof insertPayment>[1],
): Promise<void> {
  if (!order.payment) {
    await insertPayment(tx, payment);
    return;
  }
  const { id: _id, orderId: _orderId, ...changes } = payment;
  await updatePayment(tx, order.payment.id, changes);
}

/** Why the payment of an order failed, as PaymentFailed reports it. */
export interface PaymentFailure {
  code: string;
  message: string;
  retriable: boolean;
  /** Provider calls made (PaymentFailed's `attempt` is at least 1). */
  attempts: number;
  paymentId: string;
  /** The reservation the payment was for, when known. */
  reservationId: string | null;
}

/**
 * The order's payment failed before it was authorized (the caller holds the order's lock and has
 * checked that the order still waits for its payment): a FAILED payment, PAYMENT_FAILED, PaymentFailed.
 */
export async function failPayment(
  deps: OrdersDeps,
  tx: Db,
  order: OrderRow,
  failure: PaymentFailure,
  origin: EventOrigin,
): Promise<void> {
  const amount = chargedAmountOf(order);
  await recordPayment(tx, order, {
    id: failure.paymentId,
    orderId: order.id,
    provider: deps.gateway.providerName,
    providerReference: null,
    status: 'FAILED',
    amount,
    currency: order.currency,
    attempts: failure.attempts,
    failureCode: failure.code,
    failureMessage: failure.message,
  });
  await changeStatus(tx, order, 'PAYMENT_FAILED', {
    reason: failure.code,
    eventId: origin.eventId ?? null,
    // The payment method is kept while the order is open, so an operator can retry the payment step
    // (StepRetryRequested); it is forgotten when the order is confirmed or cancelled.
    data: {
      ...(failure.reservationId ? { reservationId: failure.reservationId } : {}),
      failureCode: failure.code,
      failureMessage: failure.message,
    },
  });
  await deps.outbox.publish(
    tx,
    'PaymentFailed',
    {
      orderId: order.id,
      customerId: order.customerId,
      paymentId: failure.paymentId,
      amount,
      currency: order.currency,
      paymentMethod: order.paymentMethodType,
      errorCode: failure.code,
      errorMessage: failure.message,
      retriable: failure.retriable,
      attempt: Math.max(failure.attempts, 1),
    },
    publishMeta(order.id, origin),
  );
}
