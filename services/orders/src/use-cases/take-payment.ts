import { randomUUID } from 'node:crypto';
import type { EventMap } from '@fv/contracts';
import { NonRetriableError } from '@fv/messaging';
import type { Logger } from '@fv/service-kit';
import { decide, type OrderStatus } from '../domain/order-status.js';
import { changeStatus, insertPayment, type Db, type OrderRow } from '../db/orders-store.js';
import { amountOf, eventItems } from './order-view.js';
import { publishMeta, type EventOrigin, type OrdersDeps } from './orders-deps.js';
import { lockKnownOrder } from './saga-order.js';

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
 * The order's stock is reserved: authorize its payment (with retries and the circuit breaker) and
 * publish PaymentProcessed then OrderConfirmed, or PaymentFailed. The provider call is idempotent by the
 * order id, so however often this runs for an order the customer is charged once; a reservation that
 * arrives for an order already paid, failed or cancelled changes nothing.
 */
export async function takePayment(
  deps: OrdersDeps,
  tx: Db,
  event: EventMap['InventoryReserved'],
  origin: EventOrigin,
  log: Logger,
): Promise<void> {
  const order = await lockKnownOrder(tx, event.orderId);
  const decision = decide(order.status as OrderStatus, 'PAYMENT_AUTHORIZED');
  if (decision.kind !== 'move') {
    log.info({ orderId: order.id, status: order.status }, `reservation ignored: ${decision.reason}`);
    return;
  }
  if (!sameQuantities(order, event.items)) {
    throw new NonRetriableError(
      `the reservation ${event.reservationId} does not hold the lines of order ${order.id}`,
      'RESERVATION_MISMATCH',
    );
  }
  const amount = amountOf(order.totalAmount, order.currency);
  const paymentId = randomUUID();
  const outcome = order.paymentToken
    ? await deps.gateway.authorize({
        idempotencyKey: `order-${order.id}-authorize`,
        orderId: order.id,
        amount,
        currency: order.currency,
        token: order.paymentToken,
        paymentMethodType: order.paymentMethodType,
      })
    : null;

  if (outcome?.ok) {
    const now = new Date();
    await insertPayment(tx, {
      id: paymentId,
      orderId: order.id,
      provider: deps.gateway.providerName,
      providerReference: outcome.reference,
      status: 'AUTHORIZED',
      amount,
      currency: order.currency,
      attempts: outcome.attempts,
      authorizedAt: now,
    });
    await changeStatus(tx, order, 'CONFIRMED', {
      reason: 'PAYMENT_AUTHORIZED',
      eventId: event.eventId,
      data: { reservationId: event.reservationId, paymentToken: null },
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
    await deps.outbox.publish(
      tx,
      'OrderConfirmed',
      {
        orderId: order.id,
        customerId: order.customerId,
        customerEmail: order.customerEmail,
        items: eventItems(order),
        totalAmount: amount,
        currency: order.currency,
        reservationId: event.reservationId,
        paymentId,
        shippingAddress: order.shippingAddress as unknown as EventMap['OrderConfirmed']['shippingAddress'],
        shippingMethod: order.shippingMethod,
      },
      publishMeta(order.id, origin, processed.eventId),
    );
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
  await insertPayment(tx, {
    id: paymentId,
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
    eventId: event.eventId,
    data: {
      reservationId: event.reservationId,
      paymentToken: null,
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
      paymentId,
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
