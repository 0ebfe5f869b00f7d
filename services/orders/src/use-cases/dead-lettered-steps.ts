import { randomUUID } from 'node:crypto';
import type { EventMap } from '@fv/contracts';
import { parseId, type Logger } from '@fv/service-kit';
import { decide, type OrderStatus } from '../domain/order-status.js';
import { lockOrder, type Db } from '../db/orders-store.js';
import { findAttemptByKey, recordIntentIn } from '../db/payment-attempts-store.js';
import { captureKey, type ShipmentFacts } from './complete-order.js';
import { amountOf } from './order-view.js';
import type { EventOrigin, OrdersDeps } from './orders-deps.js';
import { authorizeKey, failPayment } from './take-payment.js';

/** How long after a handler's write its transaction is taken to have committed (the sweeper is told then). */
const COMMIT_GRACE_MS = 1000;

/** Why a saga event was dead-lettered, as the consumer reports it. */
export interface DeadLetterCause {
  errorCode: string;
  message: string;
}

/**
 * An InventoryReserved that could not be processed at all (dead-lettered) fails the payment step:
 * the order becomes PAYMENT_FAILED with PaymentFailed (`PROCESSING_FAILED`, naming the dead-letter's
 * error code), so the saga compensates (the stock is released) instead of waiting for a payment that
 * will never be taken. An order already past payment (paid, failed, cancelled) or unknown is left alone.
 */
export async function failDeadLetteredReservation(
  deps: OrdersDeps,
  tx: Db,
  event: EventMap['InventoryReserved'],
  cause: DeadLetterCause,
  origin: EventOrigin,
  log: Logger,
): Promise<void> {
  const orderId = parseId(event.orderId, 'ord');
  const order = orderId ? await lockOrder(tx, orderId) : null;
  if (!order) {
    log.warn(
      { orderId: event.orderId },
      'InventoryReserved dead-lettered for an unknown order: nothing to fail',
    );
    return;
  }
  const decision = decide(order.status as OrderStatus, 'PAYMENT_FAILED');
  if (decision.kind !== 'move') {
    log.info(
      { orderId: order.id, status: order.status },
      `InventoryReserved dead-lettered; the payment step is left as is: ${decision.reason}`,
    );
    return;
  }
  // The payment id an authorization attempt already holds, if any (the sweeper voids what it may have granted).
  const attempt = await findAttemptByKey(tx, authorizeKey(order.id));
  await failPayment(
    deps,
    tx,
    order,
    {
      code: 'PROCESSING_FAILED',
      message:
        `the reservation ${event.reservationId} could not be processed (${cause.errorCode}: ${cause.message})`.slice(
          0,
          1000,
        ),
      retriable: false,
      attempts: attempt?.calls ?? 0,
      paymentId: attempt?.paymentId ?? randomUUID(),
      reservationId: null,
    },
    origin,
  );
  log.warn(
    { orderId: order.id, errorCode: cause.errorCode },
    'InventoryReserved dead-lettered: the payment failed for the saga',
  );
}

/**
 * A DeliveryScheduled that could not be processed at all (dead-lettered): the goods ship, so the saga
 * is not failed while the order can still be captured. The capture's intent (the shipment with it) is
 * recorded due at once, and the recovery sweeper captures the payment and completes the order as the
 * handler would have. An unknown order, or one that cannot be captured (never confirmed, already
 * completed or cancelled), is left alone.
 */
export async function captureDeadLetteredShipment(
  deps: OrdersDeps,
  tx: Db,
  event: EventMap['DeliveryScheduled'],
  cause: DeadLetterCause,
  log: Logger,
): Promise<void> {
  const orderId = parseId(event.orderId, 'ord');
  const order = orderId ? await lockOrder(tx, orderId) : null;
  if (!order) {
    log.warn(
      { orderId: event.orderId },
      'DeliveryScheduled dead-lettered for an unknown order: nothing to do',
    );
    return;
  }
  const payment = order.payment;
  const decision = decide(order.status as OrderStatus, 'DELIVERY_SCHEDULED');
  if (decision.kind !== 'move' || payment?.status !== 'AUTHORIZED') {
    log.warn(
      {
        orderId: order.id,
        status: order.status,
        paymentStatus: payment?.status ?? null,
        errorCode: cause.errorCode,
      },
      'DeliveryScheduled dead-lettered for an order that cannot be captured: nothing to do',
    );
    return;
  }
  const shipment: ShipmentFacts = {
    eventId: event.eventId,
    shipmentId: event.shipmentId,
    trackingId: event.trackingId,
    carrier: event.carrier,
  };
  await recordIntentIn(tx, {
    id: randomUUID(),
    orderId: order.id,
    paymentId: payment.id,
    operation: 'CAPTURE',
    idempotencyKey: captureKey(payment.id),
    amount: amountOf(payment.amount, payment.currency),
    currency: payment.currency,
    context: { ...shipment },
    nextAttemptAt: new Date(deps.now()),
  });
  // The intent commits with this event: the sweeper is told a little later, when it will see it.
  deps.retryDueBy(new Date(deps.now() + COMMIT_GRACE_MS));
  log.warn(
    { orderId: order.id, errorCode: cause.errorCode },
    'DeliveryScheduled dead-lettered: the capture is left to the recovery sweeper',
  );
}
