import type { EventMap } from '@fv/contracts';
import type { Logger } from '@fv/service-kit';
import type { Db, OrderRow } from '../db/orders-store.js';
import { applyCoupon } from './apply-coupon.js';
import { amountOf, chargedAmountOf } from './order-view.js';
import { publishMeta, type EventOrigin, type OrdersDeps } from './orders-deps.js';
import { authorizeOnceRecorded, isWaiting } from './payment-attempt.js';
import { lockKnownOrder } from './saga-order.js';
import { isSplitOrder, authorizeSplitOnce } from './split-payment.js';
import { applyAuthorization, authorizeOnce, failPayment } from './take-payment.js';

export type PaymentRetryResult = 'authorized' | 'failed' | 'waiting' | 'already-paid' | 'not-applicable';

/** Statuses in which the order's payment was authorized (and possibly captured) already. */
const PAID = ['CONFIRMED', 'COMPLETED', 'DELIVERY_FAILED', 'PARTIALLY_REFUNDED', 'REFUNDED'];

/** The idempotency key of the authorization a retried payment step makes (one per attempt). */
export function retryAuthorizeKey(orderId: string, attempt: number): string {
  return `order-${orderId}-authorize-attempt-${attempt}`;
}

/**
 * The coordination service asks to perform PAYMENT_PROCESSING again (StepRetryRequested):
 *
 * - an order whose payment failed is authorized once more, under a key of its own per attempt (so the
 *   same attempt delivered twice calls the provider once), with the payment method it was placed with:
 *   PaymentProcessed and OrderConfirmed, or PaymentFailed again. While the provider is unavailable the
 *   attempt fails at once (PaymentFailed, retriable): an operator retries later, and an authorization the
 *   provider granted meanwhile is voided by the recovery sweeper, as for any unwanted call;
 * - an order still waiting for its payment is authorized as the reservation would have it (same key);
 * - an order paid already is answered with PaymentProcessed for its payment again, nothing is charged;
 * - a cancelled order, or one that never got its stock, is left as it is.
 */
export async function retryPayment(
  deps: OrdersDeps,
  tx: Db,
  event: EventMap['StepRetryRequested'],
  origin: EventOrigin,
  log: Logger,
): Promise<PaymentRetryResult> {
  const locked = await lockKnownOrder(tx, event.orderId);
  const reservationId = event.parameters.reservationId ?? locked.reservationId ?? '';
  if (PAID.includes(locked.status) && locked.payment) {
    await announcePayment(deps, tx, locked, origin);
    return 'already-paid';
  }
  // A code not applied yet (none reserved, or rejected before) is tried again before the payment.
  const waiting = locked.status === 'PENDING' || locked.status === 'PAYMENT_FAILED';
  const coupon =
    waiting && (locked.status !== 'PENDING' || reservationId)
      ? await applyCoupon(deps, tx, locked, { reservationId: reservationId || null }, origin)
      : ({ kind: 'priced', order: locked } as const);
  if (coupon.kind === 'rejected') return 'failed';
  const order = coupon.order;
  if (order.status === 'PENDING') {
    if (!reservationId) {
      log.info({ orderId: order.id }, 'payment retry ignored: the order has no reservation yet');
      return 'not-applicable';
    }
    const settled = order.paymentToken
      ? await authorizeOnce(deps, order, { eventId: origin.eventId ?? '', reservationId })
      : null;
    if (settled && isWaiting(settled)) return 'waiting';
    await applyAuthorization(deps, tx, order, settled, reservationId, origin);
    return settled?.outcome.ok ? 'authorized' : 'failed';
  }
  if (order.status !== 'PAYMENT_FAILED') {
    log.info(
      { orderId: order.id, status: order.status },
      'payment retry ignored: the order is not waiting for a payment',
    );
    return 'not-applicable';
  }

  const amount = chargedAmountOf(order);
  const idempotencyKey = retryAuthorizeKey(order.id, event.attempt);
  const settled = !order.paymentToken
    ? null
    : isSplitOrder(order)
      ? await authorizeSplitOnce(deps, order, { eventId: origin.eventId ?? '', reservationId }, event.attempt)
      : await authorizeOnceRecorded(
          deps,
          {
            orderId: order.id,
            paymentId: order.payment?.id ?? event.eventId,
            idempotencyKey,
            amount,
            currency: order.currency,
            context: { eventId: origin.eventId ?? null, reservationId, attempt: event.attempt },
          },
          { token: order.paymentToken ?? '', paymentMethodType: order.paymentMethodType },
        );
  if (settled && isWaiting(settled)) {
    const error = settled.outcome.ok ? null : settled.outcome.error;
    await failPayment(
      deps,
      tx,
      order,
      {
        code: error?.code ?? 'PROVIDER_UNAVAILABLE',
        message: error?.message ?? 'the payment provider is unavailable',
        retriable: true,
        attempts: settled.attempt.calls,
        paymentId: order.payment?.id ?? settled.attempt.paymentId,
        reservationId: reservationId || null,
      },
      origin,
    );
    return 'failed';
  }
  await applyAuthorization(deps, tx, order, settled, reservationId, origin);
  return settled?.outcome.ok ? 'authorized' : 'failed';
}

/** PaymentProcessed for the order's payment, again: the step's answer for a payment made before. */
async function announcePayment(
  deps: OrdersDeps,
  tx: Db,
  order: OrderRow,
  origin: EventOrigin,
): Promise<void> {
  const payment = order.payment!;
  await deps.outbox.publish(
    tx,
    'PaymentProcessed',
    {
      orderId: order.id,
      customerId: order.customerId,
      paymentId: payment.id,
      amount: amountOf(payment.amount, payment.currency),
      currency: payment.currency,
      paymentMethod: order.paymentMethodType,
      status: payment.status === 'CAPTURED' ? 'CAPTURED' : 'AUTHORIZED',
      provider: payment.provider,
      providerReference: payment.providerReference,
    },
    publishMeta(order.id, origin),
  );
}
