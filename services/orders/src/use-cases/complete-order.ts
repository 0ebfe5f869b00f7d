import type { EventMap } from '@fv/contracts';
import type { Logger } from '@fv/service-kit';
import { decide, type OrderStatus } from '../domain/order-status.js';
import { changeStatus, updatePayment, type Db } from '../db/orders-store.js';
import { amountOf } from './order-view.js';
import { publishMeta, type EventOrigin, type OrdersDeps } from './orders-deps.js';
import { paymentFailure } from './payment-failure.js';
import { invalidOrderState, lockKnownOrder } from './saga-order.js';

/**
 * The shipment is scheduled: capture the authorized payment, complete the order and publish
 * OrderCompleted (inventory then deducts the reservation). A provider outage fails the handler with a
 * retriable error, so the event is retried; the capture's idempotency key keeps it single.
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
  if (!payment || payment.status !== 'AUTHORIZED' || !order.reservationId) {
    throw invalidOrderState(
      order,
      'DeliveryScheduled',
      `its payment is ${payment?.status ?? 'missing'}, not AUTHORIZED`,
    );
  }
  const amount = amountOf(payment.amount, payment.currency);
  const outcome = await deps.gateway.capture({
    idempotencyKey: `payment-${payment.id}-capture`,
    reference: payment.providerReference ?? '',
    amount,
    currency: payment.currency,
  });
  if (!outcome.ok) throw paymentFailure('capture', order.id, outcome.error);

  const now = new Date();
  await updatePayment(tx, payment.id, { status: 'CAPTURED', capturedAt: now });
  await changeStatus(tx, order, decision.to, {
    reason: 'DELIVERY_SCHEDULED',
    eventId: event.eventId,
    data: {
      shipmentId: event.shipmentId,
      trackingId: event.trackingId,
      carrier: event.carrier,
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
      reservationId: order.reservationId,
      paymentId: payment.id,
      shipmentId: event.shipmentId,
      trackingId: event.trackingId,
      totalAmount: amountOf(order.totalAmount, order.currency),
      currency: order.currency,
    },
    publishMeta(order.id, origin),
  );
}
