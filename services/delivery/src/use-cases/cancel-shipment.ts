import type { CompensationRequested } from '@fv/contracts';
import { NonRetriableError } from '@fv/messaging';
import { randomUUID } from 'node:crypto';
import { parseId } from '@fv/service-kit';
import type { Db } from '../db/client.js';
import { lockOrderShipment, recordCancellation } from '../db/shipments.js';
import { shipmentIdFor } from '../domain/ids.js';
import { isCancellable, isShipmentStatus } from '../domain/shipment-status.js';
import type { DeliveryDeps, EventMeta, HandlerMeta } from './deps.js';

/** Outcome values of ShipmentCancelled (its `outcome` field). */
export const CANCELLATION_OUTCOMES = {
  cancelled: 'CANCELLED',
  rejectedAlreadyDispatched: 'REJECTED_ALREADY_DISPATCHED',
} as const;

/** The reason of every cancellation made here: the saga's CANCEL_SHIPMENT compensation. */
const CANCEL_REASON = 'COMPENSATION';

export type CancelOutcome =
  | { result: 'cancelled'; shipmentId: string; hadShipment: boolean }
  | { result: 'already-cancelled'; shipmentId: string }
  | { result: 'rejected'; shipmentId: string; status: string };

/**
 * The CANCEL_SHIPMENT compensation. A shipment whose parcel the carrier does not have yet is cancelled
 * and its label voided; ShipmentCancelled (outcome CANCELLED) announces it exactly once per order, so a
 * repeated request changes nothing and publishes nothing. An order with no shipment yet (its
 * OrderConfirmed may still be on its way) is cancelled all the same: its label will never be created.
 * A shipment already dispatched cannot be called back: the answer is ShipmentCancelled with outcome
 * REJECTED_ALREADY_DISPATCHED (nothing changed; the coordination service records the compensation as
 * failed), given to every such request.
 */
export async function cancelShipment(
  db: Db,
  deps: DeliveryDeps,
  event: CompensationRequested,
  { meta, logger }: HandlerMeta,
): Promise<CancelOutcome> {
  const orderId = parseId(event.orderId);
  if (!orderId)
    throw new NonRetriableError(
      `CompensationRequested orderId ${JSON.stringify(event.orderId)} is not a UUID`,
      'INVALID_EVENT',
    );

  const { shipment, cancelled } = await lockOrderShipment(db, orderId);
  const shipmentId = shipment?.id ?? shipmentIdFor(orderId);
  if (cancelled) {
    logger.info({ orderId, shipmentId }, 'shipment already cancelled; nothing to do');
    return { result: 'already-cancelled', shipmentId };
  }

  if (!shipment) {
    await recordCancellation(db, { orderId, shipmentId, sagaId: event.sagaId, reason: CANCEL_REASON }, null);
    const cancellation = { orderId, shipmentId, trackingId: null, carrier: null };
    await publishCancelled(db, deps, cancellation, CANCELLATION_OUTCOMES.cancelled, meta);
    logger.info(
      { orderId, shipmentId },
      'order cancelled before a shipment existed; no label will be created',
    );
    return { result: 'cancelled', shipmentId, hadShipment: false };
  }

  if (!isShipmentStatus(shipment.status))
    throw new Error(`shipment ${shipment.id} has an unknown status ${shipment.status}`);

  if (shipment.status === 'CANCELLED') {
    return { result: 'already-cancelled', shipmentId };
  }

  const cancellation = { orderId, shipmentId, trackingId: shipment.trackingId, carrier: shipment.carrier };
  if (!isCancellable(shipment.status)) {
    await publishCancelled(db, deps, cancellation, CANCELLATION_OUTCOMES.rejectedAlreadyDispatched, meta);
    logger.warn(
      { orderId, shipmentId, status: shipment.status },
      'shipment already dispatched: it cannot be cancelled',
    );
    return { result: 'rejected', shipmentId, status: shipment.status };
  }

  // A carrier that cannot be reached fails the handler, which is retried; nothing is written before.
  await deps.carrier.voidLabel({ trackingId: shipment.trackingId, labelNumber: shipment.labelNumber });
  await recordCancellation(
    db,
    { orderId, shipmentId, sagaId: event.sagaId, reason: CANCEL_REASON },
    {
      fromStatus: shipment.status,
      at: deps.now(),
      trackingEventId: randomUUID(),
      description: `Shipment cancelled (${event.reason})`,
    },
  );
  await publishCancelled(db, deps, cancellation, CANCELLATION_OUTCOMES.cancelled, meta);
  logger.info({ orderId, shipmentId }, 'shipment cancelled and label voided');
  return { result: 'cancelled', shipmentId, hadShipment: true };
}

/** ShipmentCancelled for the CANCEL_SHIPMENT compensation, with its outcome. */
async function publishCancelled(
  db: Db,
  deps: DeliveryDeps,
  cancellation: { orderId: string; shipmentId: string; trackingId: string | null; carrier: string | null },
  outcome: (typeof CANCELLATION_OUTCOMES)[keyof typeof CANCELLATION_OUTCOMES],
  meta: EventMeta,
): Promise<void> {
  await deps.outbox.publish(
    db,
    'ShipmentCancelled',
    {
      orderId: cancellation.orderId,
      shipmentId: cancellation.shipmentId,
      trackingId: cancellation.trackingId,
      carrier: cancellation.carrier,
      reason: CANCEL_REASON,
      outcome,
    },
    meta,
  );
}
