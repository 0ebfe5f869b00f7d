import type { DeadLetterHandler } from '@fv/messaging';
import { parseId } from '@fv/service-kit';
import { findOrderDelivery } from '../db/shipments.js';
import { shipmentIdFor } from '../domain/ids.js';
import type { DeliveryDeps } from '../use-cases/deps.js';

/**
 * An OrderConfirmed that could not be processed at all (dead-lettered) fails the delivery step, so the
 * saga compensates instead of waiting for a shipment that will never be scheduled. When the order
 * already has a shipment or a recorded failure, the saga has its answer and nothing is added; an
 * event naming no valid order cannot be answered.
 */
export function onOrderConfirmedDeadLettered(deps: DeliveryDeps): DeadLetterHandler<'OrderConfirmed'> {
  return async (event, { tx, causedBy, errorCode, error, logger }) => {
    const orderId = parseId(event.orderId);
    if (!orderId) return;
    const db = tx;
    const known = await findOrderDelivery(db, orderId);
    if (known.shipment || known.failure) return;
    await deps.outbox.publish(
      db,
      'DeliverySchedulingFailed',
      {
        orderId,
        shipmentId: shipmentIdFor(orderId),
        carrier: deps.carrier.code,
        errorCode: 'PROCESSING_FAILED',
        errorMessage: `the confirmed order could not be processed by delivery (${errorCode}: ${
          error instanceof Error ? error.message : String(error)
        })`.slice(0, 1000),
        retriable: false,
      },
      causedBy(),
    );
    logger.warn(
      { orderId, errorCode },
      'OrderConfirmed dead-lettered: delivery scheduling failed for the saga',
    );
  };
}
