import { decide, type OrderStatus } from '../domain/order-status.js';
import { redeemCoupon } from '../db/coupons-store.js';
import { changeStatus, updateOrder, type Db, type OrderRow } from '../db/orders-store.js';
import { Prisma } from '../generated/prisma/client.js';
import { amountOf, chargedAmountOf } from './order-view.js';
import { publishMeta, type EventOrigin, type OrdersDeps } from './orders-deps.js';

/** The order, priced for its payment (its coupon's discount applied), or the coupon was rejected. */
export type CouponStep = { kind: 'priced'; order: OrderRow } | { kind: 'rejected' };

/**
 * The saga's coupon step, between the reservation and the payment (the caller holds the order's lock
 * and has checked that the order still waits for its payment). An order without a code, or whose code
 * was applied before (a redelivered reservation, a payment waiting for the provider, a retried payment
 * step), is priced as it stands. Otherwise one use of the code is taken in the caller's transaction
 * (`redeemCoupon`: the limits hold under any concurrency):
 *
 * - applied: the discount is stored on the order and CouponApplied published; the payment is
 *   authorized for the total less the discount;
 * - rejected: CouponRejected with the reason, and the order's payment step fails (PAYMENT_FAILED, the
 *   rejection as its failure code and message) without calling the provider. The coordination service
 *   reads CouponRejected as the failure of PAYMENT_PROCESSING and compensates (reason COUPON_REJECTED):
 *   the stock is released and the order ends FAILED.
 */
export async function applyCoupon(
  deps: OrdersDeps,
  tx: Db,
  order: OrderRow,
  step: { reservationId: string | null },
  origin: EventOrigin,
): Promise<CouponStep> {
  if (!order.couponCode || order.discountAmount !== null) return { kind: 'priced', order };
  const total = amountOf(order.totalAmount, order.currency);
  const decision = await redeemCoupon(tx, {
    code: order.couponCode,
    orderId: order.id,
    customerId: order.customerId,
    total,
    currency: order.currency,
    now: new Date(deps.now()),
  });
  const common = { orderId: order.id, customerId: order.customerId, couponCode: order.couponCode };

  if (decision.applied) {
    await updateOrder(tx, order.id, { discountAmount: decision.discount });
    const priced: OrderRow = { ...order, discountAmount: new Prisma.Decimal(decision.discount) };
    await deps.outbox.publish(
      tx,
      'CouponApplied',
      {
        ...common,
        couponId: decision.couponId ?? '',
        originalTotal: total,
        discount: decision.discount,
        newTotal: chargedAmountOf(priced),
        currency: order.currency,
      },
      publishMeta(order.id, origin),
    );
    return { kind: 'priced', order: priced };
  }

  const moved = decide(order.status as OrderStatus, 'PAYMENT_FAILED');
  if (moved.kind === 'move') {
    await changeStatus(tx, order, moved.to, {
      reason: decision.reason,
      eventId: origin.eventId ?? null,
      // The payment method is kept, as for a declined payment: an operator may retry the step.
      data: {
        ...(step.reservationId ? { reservationId: step.reservationId } : {}),
        failureCode: decision.reason,
        failureMessage: decision.message,
      },
    });
  }
  await deps.outbox.publish(
    tx,
    'CouponRejected',
    {
      ...common,
      reason: decision.reason,
      message: decision.message,
      orderTotal: total,
      currency: order.currency,
    },
    publishMeta(order.id, origin),
  );
  return { kind: 'rejected' };
}
