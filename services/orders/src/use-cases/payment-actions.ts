import { randomUUID } from 'node:crypto';
import type { Logger } from '@fv/service-kit';
import {
  decide,
  reversalFor,
  type FailureReason,
  type OrderStatus,
  type PaymentStatus,
} from '../domain/order-status.js';
import { fromMinorUnits, toMinorUnits } from '../domain/money.js';
import {
  changeStatus,
  insertRefund,
  updatePayment,
  type Db,
  type OrderRow,
  type PaymentRow,
} from '../db/orders-store.js';
import { releaseCoupon } from '../db/coupons-store.js';
import { markApplied } from '../db/payment-attempts-store.js';
import { amountOf } from './order-view.js';
import { publishMeta, type EventOrigin, type OrdersDeps } from './orders-deps.js';
import { callOnce } from './payment-attempt.js';
import { paymentFailure } from './payment-failure.js';
import {
  partVoidKey,
  paymentPartsOf,
  refundAcrossParts,
  withRefunds,
  type PaymentPartState,
} from '../domain/split-payment.js';
import type { SettledCall } from './payment-attempt.js';

export function minorOf(value: { toFixed(digits: number): string }, currency: string): bigint {
  return toMinorUnits(value.toFixed(2), currency);
}

/** What is left to refund of a payment, in minor units. */
export function refundableMinor(payment: PaymentRow): bigint {
  return minorOf(payment.amount, payment.currency) - minorOf(payment.refundedAmount, payment.currency);
}

/** Releases an authorized payment and publishes PaymentVoided. */
export async function voidPayment(
  deps: OrdersDeps,
  tx: Db,
  order: OrderRow,
  payment: PaymentRow,
  reason: 'ORDER_CANCELLED' | 'COMPENSATION',
  origin: EventOrigin,
): Promise<void> {
  const parts = paymentPartsOf(payment.parts);
  if (parts) {
    await voidSplitPayment(deps, tx, order, payment, parts, reason, origin);
    return;
  }
  const idempotencyKey = `payment-${payment.id}-void`;
  const { attempt, outcome } = await callOnce(
    deps,
    {
      orderId: order.id,
      paymentId: payment.id,
      operation: 'VOID',
      idempotencyKey,
      amount: null,
      currency: payment.currency,
      context: { reason, eventId: origin.eventId ?? null },
    },
    () => deps.gateway.void({ idempotencyKey, reference: payment.providerReference ?? '' }),
  );
  if (!outcome.ok) throw paymentFailure('void', order.id, outcome.error);
  await markApplied(tx, attempt.id);
  await updatePayment(tx, payment.id, { status: 'VOIDED', voidedAt: new Date() });
  await publishVoided(deps, tx, order, payment, { reason, reference: outcome.reference, origin });
}

/** PaymentVoided for a payment released whole (every part of a split one). */
async function publishVoided(
  deps: OrdersDeps,
  tx: Db,
  order: OrderRow,
  payment: PaymentRow,
  voided: { reason: 'ORDER_CANCELLED' | 'COMPENSATION'; reference: string | null; origin: EventOrigin },
): Promise<void> {
  await deps.outbox.publish(
    tx,
    'PaymentVoided',
    {
      orderId: order.id,
      paymentId: payment.id,
      amount: amountOf(payment.amount, payment.currency),
      currency: payment.currency,
      reason: voided.reason,
      provider: payment.provider,
      providerReference: voided.reference,
    },
    publishMeta(order.id, voided.origin),
  );
}

export type RefundReason =
  'CUSTOMER_REQUESTED' | 'RETURN_RECEIVED' | 'GOODWILL' | 'ORDER_CANCELLED' | 'COMPENSATION';

/**
 * Refunds `amount` minor units of a captured payment and publishes PaymentRefunded and OrderRefunded;
 * a completed order becomes REFUNDED or PARTIALLY_REFUNDED. The provider's idempotency key is derived
 * from the payment, what was refunded before and the amount (or given: a return's refund has its own),
 * so repeating the same refund after a failure never pays out twice. `returnId` names the return
 * refunded, in both events.
 */
export async function refundPayment(
  deps: OrdersDeps,
  tx: Db,
  order: OrderRow,
  payment: PaymentRow,
  amount: bigint,
  reason: RefundReason,
  origin: EventOrigin,
  options: { returnId?: string; idempotencyKey?: string } = {},
): Promise<{ refundId: string; fullRefund: boolean }> {
  const { currency } = payment;
  const refundedBefore = minorOf(payment.refundedAmount, currency);
  const amountText = fromMinorUnits(amount, currency);
  const idempotencyKey = options.idempotencyKey ?? `payment-${payment.id}-refund-${refundedBefore}-${amount}`;
  const parts = paymentPartsOf(payment.parts);
  const { attempt, outcome, split } = parts
    ? await refundSplitParts(deps, order, payment, parts, amount, idempotencyKey, reason, origin)
    : await refundOnce(deps, order, payment, {
        idempotencyKey,
        reference: payment.providerReference ?? '',
        amountText,
        context: { reason, eventId: origin.eventId ?? null },
      });
  if (!outcome.ok) throw paymentFailure('refund', order.id, outcome.error);
  await markApplied(tx, attempt.id);
  for (const id of split?.related ?? []) await markApplied(tx, id);

  const refundId = randomUUID();
  const refunded = refundedBefore + amount;
  const fullRefund = refunded === minorOf(payment.amount, currency);
  await insertRefund(tx, {
    id: refundId,
    orderId: order.id,
    paymentId: payment.id,
    amount: amountText,
    currency,
    reason,
    providerReference: outcome.reference,
  });
  const status: PaymentStatus = fullRefund ? 'REFUNDED' : 'PARTIALLY_REFUNDED';
  await updatePayment(tx, payment.id, {
    status,
    refundedAmount: fromMinorUnits(refunded, currency),
    ...(split ? { parts: JSON.stringify(split.parts) } : {}),
  });
  const decision = decide(order.status as OrderStatus, fullRefund ? 'FULL_REFUND' : 'PARTIAL_REFUND');
  if (decision.kind === 'move') {
    await changeStatus(tx, order, decision.to, {
      reason: `REFUND_${reason}`,
      eventId: origin.eventId ?? null,
    });
  }
  const refund = { refundId, amountText, reason, fullRefund, reference: outcome.reference };
  await publishRefunded(deps, tx, order, payment, refund, { returnId: options.returnId ?? null, origin });
  return { refundId, fullRefund };
}

/**
 * A refund of `amountText` of what the provider holds under `reference` (the payment's, or a part's),
 * under `idempotencyKey`, made once.
 */
function refundOnce(
  deps: OrdersDeps,
  order: OrderRow,
  payment: PaymentRow,
  refund: { idempotencyKey: string; reference: string; amountText: string; context: Record<string, unknown> },
): Promise<SettledCall> {
  const { currency } = payment;
  const { idempotencyKey, reference, amountText } = refund;
  return callOnce(
    deps,
    {
      orderId: order.id,
      paymentId: payment.id,
      operation: 'REFUND',
      idempotencyKey,
      amount: amountText,
      currency,
      context: refund.context,
    },
    () => deps.gateway.refund({ idempotencyKey, reference, amount: amountText, currency }),
  );
}

/** PaymentRefunded, then OrderRefunded caused by it; both name the return refunded, if any. */
async function publishRefunded(
  deps: OrdersDeps,
  tx: Db,
  order: OrderRow,
  payment: PaymentRow,
  refund: {
    refundId: string;
    amountText: string;
    reason: RefundReason;
    fullRefund: boolean;
    reference: string;
  },
  context: { returnId: string | null; origin: EventOrigin },
): Promise<void> {
  const { currency } = payment;
  const { refundId, amountText, reason } = refund;
  const { returnId, origin } = context;
  const refundedEvent = await deps.outbox.publish(
    tx,
    'PaymentRefunded',
    {
      orderId: order.id,
      paymentId: payment.id,
      refundId,
      amount: amountText,
      currency,
      reason,
      provider: payment.provider,
      providerReference: refund.reference,
      returnId,
    },
    publishMeta(order.id, origin),
  );
  await deps.outbox.publish(
    tx,
    'OrderRefunded',
    {
      orderId: order.id,
      customerId: order.customerId,
      customerEmail: order.customerEmail,
      paymentId: payment.id,
      refundId,
      amount: amountText,
      currency,
      fullRefund: refund.fullRefund,
      reason,
      returnId,
    },
    publishMeta(order.id, origin, refundedEvent.eventId),
  );
}

/** Gives back whatever the payment holds or took: a void for an authorization, a refund of the rest for a capture. */
export async function reversePayment(
  deps: OrdersDeps,
  tx: Db,
  order: OrderRow,
  reason: 'ORDER_CANCELLED' | 'COMPENSATION',
  origin: EventOrigin,
  log: Logger,
): Promise<'VOIDED' | 'REFUNDED' | 'NOTHING'> {
  const payment = order.payment;
  const reversal = reversalFor((payment?.status as PaymentStatus | undefined) ?? null);
  if (!payment || reversal === 'NONE') {
    log.info({ orderId: order.id, paymentStatus: payment?.status ?? null }, 'no payment to give back');
    return 'NOTHING';
  }
  if (reversal === 'VOID') {
    await voidPayment(deps, tx, order, payment, reason, origin);
    return 'VOIDED';
  }
  await refundPayment(deps, tx, order, payment, refundableMinor(payment), reason, origin);
  return 'REFUNDED';
}

export type CancellationReason =
  | 'CUSTOMER_REQUESTED'
  | 'INVENTORY_UNAVAILABLE'
  | 'PAYMENT_FAILED'
  | 'DELIVERY_FAILED'
  | 'TIMEOUT'
  | 'MANUAL_INTERVENTION';

/**
 * Gives back the coupon use the order holds, if any (the "cancel coupon" compensation), and publishes
 * CouponReleased; in the transaction that ends the order, so the use is given back exactly once.
 */
export async function releaseOrderCoupon(
  deps: OrdersDeps,
  tx: Db,
  order: OrderRow,
  reason: 'ORDER_FAILED' | 'ORDER_CANCELLED',
  origin: EventOrigin,
): Promise<void> {
  if (!order.couponCode) return;
  const released = await releaseCoupon(tx, order.id);
  if (!released) return;
  await deps.outbox.publish(
    tx,
    'CouponReleased',
    {
      orderId: order.id,
      customerId: order.customerId,
      couponCode: order.couponCode,
      couponId: released.couponId,
      discount: fromMinorUnits(toMinorUnits(released.discount, order.currency), order.currency),
      currency: order.currency,
      reason,
    },
    publishMeta(order.id, origin),
  );
}

/**
 * Moves the order to CANCELLED and publishes OrderCancelled; the payment token is forgotten and the
 * coupon's use given back.
 */
export async function markCancelled(
  deps: OrdersDeps,
  tx: Db,
  order: OrderRow,
  cancellation: {
    reason: CancellationReason;
    reasonDetails: string | null;
    initiatedBy: 'CUSTOMER' | 'ADMIN' | 'SYSTEM';
  },
  origin: EventOrigin,
): Promise<void> {
  await changeStatus(tx, order, 'CANCELLED', {
    reason: cancellation.reason,
    eventId: origin.eventId ?? null,
    data: {
      cancellationReason: cancellation.reason,
      cancelledBy: cancellation.initiatedBy,
      cancelledAt: new Date(),
      paymentToken: null,
    },
  });
  await deps.outbox.publish(
    tx,
    'OrderCancelled',
    {
      orderId: order.id,
      customerId: order.customerId,
      customerEmail: order.customerEmail,
      reason: cancellation.reason,
      reasonDetails: cancellation.reasonDetails,
      initiatedBy: cancellation.initiatedBy,
      previousStatus: order.status,
    },
    publishMeta(order.id, origin),
  );
  await releaseOrderCoupon(deps, tx, order, 'ORDER_CANCELLED', origin);
}

/**
 * Moves the order to FAILED with its reason and publishes OrderFailed; the payment token is forgotten.
 * The failed step's own code stays (the reason's code when none was recorded). The coupon's use is
 * given back.
 */
export async function markFailed(
  deps: OrdersDeps,
  tx: Db,
  order: OrderRow,
  failure: { reason: FailureReason; reasonDetails: string | null },
  origin: EventOrigin,
): Promise<void> {
  await changeStatus(tx, order, 'FAILED', {
    reason: failure.reason,
    eventId: origin.eventId ?? null,
    data: {
      failureReason: failure.reason,
      ...(order.failureCode ? {} : { failureCode: failure.reason, failureMessage: failure.reasonDetails }),
      paymentToken: null,
    },
  });
  await deps.outbox.publish(
    tx,
    'OrderFailed',
    {
      orderId: order.id,
      customerId: order.customerId,
      customerEmail: order.customerEmail,
      reason: failure.reason,
      reasonDetails: order.failureMessage ?? failure.reasonDetails,
      previousStatus: order.status,
    },
    publishMeta(order.id, origin),
  );
  await releaseOrderCoupon(deps, tx, order, 'ORDER_FAILED', origin);
}

/**
 * Releases every part of a split payment and publishes one PaymentVoided for the whole: an authorized
 * part is voided (`payment-<id>-part-<i>-void`), a part captured before a refused capture of another is
 * refunded in full (`payment-<id>-part-<i>-refund-0-<amount>`). A provider that cannot answer now fails
 * the action (retried with the same keys; the parts already released find their answers recorded).
 */
async function voidSplitPayment(
  deps: OrdersDeps,
  tx: Db,
  order: OrderRow,
  payment: PaymentRow,
  parts: readonly PaymentPartState[],
  reason: 'ORDER_CANCELLED' | 'COMPENSATION',
  origin: EventOrigin,
): Promise<void> {
  const { currency } = payment;
  const attempts: string[] = [];
  let reference: string | null = null;
  for (const part of parts) {
    if (part.status === 'VOIDED') continue;
    const captured = part.status === 'CAPTURED';
    const left = toMinorUnits(part.amount, currency) - toMinorUnits(part.refundedAmount, currency);
    if (captured && left <= 0n) continue;
    const amountText = fromMinorUnits(left, currency);
    const idempotencyKey = captured
      ? `payment-${payment.id}-part-${part.index}-refund-${toMinorUnits(part.refundedAmount, currency)}-${left}`
      : partVoidKey(payment.id, part.index);
    const { attempt, outcome } = await callOnce(
      deps,
      {
        orderId: order.id,
        paymentId: payment.id,
        operation: captured ? 'REFUND' : 'VOID',
        idempotencyKey,
        amount: captured ? amountText : null,
        currency,
        context: { reason, eventId: origin.eventId ?? null, part: part.index },
      },
      () =>
        captured
          ? deps.gateway.refund({
              idempotencyKey,
              reference: part.providerReference,
              amount: amountText,
              currency,
            })
          : deps.gateway.void({ idempotencyKey, reference: part.providerReference }),
    );
    // A void the provider refuses for good (an authorization it no longer holds) leaves nothing to release.
    if (!outcome.ok && (captured || outcome.error.retriable)) {
      throw paymentFailure(captured ? 'refund' : 'void', order.id, outcome.error);
    }
    if (!outcome.ok) {
      deps.logger.warn(
        { orderId: order.id, part: part.index, providerReason: outcome.error.providerReason },
        'the provider refused to void a part of a split payment: it holds nothing for it',
      );
    }
    attempts.push(attempt.id);
    if (outcome.ok) reference ??= outcome.reference;
  }
  for (const id of attempts) await markApplied(tx, id);
  await updatePayment(tx, payment.id, {
    status: 'VOIDED',
    voidedAt: new Date(),
    parts: JSON.stringify(parts.map((part) => ({ ...part, status: 'VOIDED' }))),
  });
  await publishVoided(deps, tx, order, payment, { reason, reference, origin });
}

/**
 * Refunds `amount` minor units of a captured split payment across its parts (from the last part
 * backwards, `refundAcrossParts`), each share under the refund's key with `-part-<i>`. Answers the first
 * refusal, or a success whose reference is the first share's, with the parts' new refunded amounts.
 */
async function refundSplitParts(
  deps: OrdersDeps,
  order: OrderRow,
  payment: PaymentRow,
  parts: readonly PaymentPartState[],
  amount: bigint,
  refundKey: string,
  reason: RefundReason,
  origin: EventOrigin,
): Promise<SettledCall & { split?: { parts: PaymentPartState[]; related: string[] } }> {
  const { currency } = payment;
  const shares = refundAcrossParts(parts, amount, currency);
  const related: string[] = [];
  let first: SettledCall | null = null;
  let calls = 0;
  for (const share of shares) {
    const part = parts.find((candidate) => candidate.index === share.index)!;
    const idempotencyKey = `${refundKey}-part-${share.index}`;
    const amountText = fromMinorUnits(share.amount, currency);
    const settled = await refundOnce(deps, order, payment, {
      idempotencyKey,
      reference: part.providerReference,
      amountText,
      context: { reason, eventId: origin.eventId ?? null, part: share.index },
    });
    if (!settled.outcome.ok) return settled;
    calls += settled.outcome.attempts;
    if (first) related.push(settled.attempt.id);
    else first = settled;
  }
  return {
    attempt: first!.attempt,
    outcome: { ok: true, reference: first!.outcome.ok ? first!.outcome.reference : '', attempts: calls },
    split: { parts: withRefunds(parts, shares, currency), related },
  };
}
