import { randomUUID } from 'node:crypto';
import { AppError, invalidFields } from '@fv/service-kit';
import type { PrismaDb } from '../db/client.js';
import {
  findShipmentById,
  findTrackingEventByCarrierId,
  lockShipmentById,
  lockShipmentByTrackingId,
  type ShipmentWithItems,
} from '../db/shipments.js';
import {
  allowedNextStatuses,
  canTransition,
  isShipmentStatus,
  type ShipmentStatus,
  type TrackingStatus,
} from '../domain/shipment-status.js';
import type { DeliveryDeps, EventMeta } from './deps.js';

/** How far ahead of this service's clock a reported scan time may be (clock skew between systems). */
const FUTURE_TOLERANCE_MS = 5 * 60 * 1000;

export interface TrackingUpdate {
  /** Which shipment: by the carrier's tracking id (webhooks) or by shipment id (operators). */
  target: { trackingId: string } | { shipmentId: string };
  status: TrackingStatus;
  occurredAt: Date;
  location: string | null;
  description: string | null;
  /** The carrier's id of this scan; a resent webhook with the same id changes nothing. */
  carrierEventId: string | null;
  /** Who signed for the parcel (DELIVERED only). */
  signedBy: string | null;
  /** A new delivery estimate from the carrier. */
  estimatedDeliveryAt: Date | null;
  source: 'CARRIER' | 'OPERATOR';
}

/**
 * Applies a carrier scan or an operator's update to a shipment, following the status machine
 * (LABEL_CREATED → DISPATCHED → IN_TRANSIT… → DELIVERED; anything else is 422), records it in the
 * shipment's tracking history and publishes ShipmentDispatched or ShipmentDelivered.
 */
export async function recordTrackingUpdate(
  db: PrismaDb,
  deps: DeliveryDeps,
  update: TrackingUpdate,
  meta: Omit<EventMeta, 'correlationId'>,
): Promise<{ shipmentId: string; duplicate: boolean }> {
  assertValidUpdate(update, deps.now());
  const locked = await lockTarget(db, update.target);
  if (update.carrierEventId && (await findTrackingEventByCarrierId(db, locked.id, update.carrierEventId))) {
    return { shipmentId: locked.id, duplicate: true };
  }
  const shipment = await findShipmentById(db, locked.id);
  if (!shipment || !isShipmentStatus(shipment.status))
    throw new Error(`shipment ${locked.id} vanished or has an unknown status`);
  assertTransition(shipment, shipment.status, update.status);

  const estimatedDeliveryAt = update.estimatedDeliveryAt ?? shipment.estimatedDeliveryAt;
  await db.shipment.update({
    where: { id: shipment.id },
    data: {
      status: update.status,
      estimatedDeliveryAt,
      ...(update.status === 'DISPATCHED' ? { dispatchedAt: update.occurredAt } : {}),
      ...(update.status === 'DELIVERED' ? { deliveredAt: update.occurredAt, signedBy: update.signedBy } : {}),
      trackingEvents: {
        create: {
          id: randomUUID(),
          status: update.status,
          carrierEventId: update.carrierEventId,
          location: update.location,
          description: update.description,
          source: update.source,
          occurredAt: update.occurredAt,
        },
      },
    },
  });
  await publishShipmentMoved(db, deps, shipment, { update, estimatedDeliveryAt }, meta);
  return { shipmentId: shipment.id, duplicate: false };
}

/** A scan may not be dated in the future (beyond the tolerance), nor name a signer unless DELIVERED. */
function assertValidUpdate(update: TrackingUpdate, now: Date): void {
  if (update.occurredAt.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) {
    throw invalidFields([
      { field: 'body.occurredAt', rule: 'notInFuture', message: 'must not be in the future' },
    ]);
  }
  if (update.signedBy !== null && update.status !== 'DELIVERED') {
    throw invalidFields([
      {
        field: 'body.signedBy',
        rule: 'onlyWhenDelivered',
        message: 'may only be given with status DELIVERED',
      },
    ]);
  }
}

/** Locks the shipment the update is for, by tracking id or shipment id (404 when there is none). */
async function lockTarget(
  db: PrismaDb,
  target: TrackingUpdate['target'],
): Promise<{ id: string; status: string }> {
  const locked =
    'trackingId' in target
      ? await lockShipmentByTrackingId(db, target.trackingId)
      : await lockShipmentById(db, target.shipmentId);
  if (!locked) {
    const what = 'trackingId' in target ? `tracking id ${target.trackingId}` : `id ${target.shipmentId}`;
    throw new AppError('NOT_FOUND', `No shipment has ${what}`, { details: { ...target } });
  }
  return locked;
}

/** 422 INVALID_STATUS_TRANSITION unless the shipment may move from `current` to `requested`. */
function assertTransition(
  shipment: ShipmentWithItems,
  current: ShipmentStatus,
  requested: TrackingStatus,
): void {
  if (canTransition(current, requested)) return;
  throw new AppError('UNPROCESSABLE_ENTITY', `A ${current} shipment cannot become ${requested}`, {
    details: {
      reason: 'INVALID_STATUS_TRANSITION',
      shipmentId: shipment.id,
      currentStatus: current,
      requestedStatus: requested,
      allowedStatuses: allowedNextStatuses(current).filter((status) => status !== 'CANCELLED'),
    },
  });
}

/** ShipmentDispatched or ShipmentDelivered for an update that moved the shipment there (nothing otherwise). */
async function publishShipmentMoved(
  db: PrismaDb,
  deps: DeliveryDeps,
  shipment: ShipmentWithItems,
  moved: { update: TrackingUpdate; estimatedDeliveryAt: Date | null },
  meta: Omit<EventMeta, 'correlationId'>,
): Promise<void> {
  const { update, estimatedDeliveryAt } = moved;
  const eventMeta: EventMeta = { ...meta, correlationId: shipment.orderId };
  if (update.status === 'DISPATCHED') {
    await deps.outbox.publish(
      db,
      'ShipmentDispatched',
      {
        orderId: shipment.orderId,
        shipmentId: shipment.id,
        trackingId: shipment.trackingId,
        carrier: shipment.carrier,
        estimatedDeliveryAt: estimatedDeliveryAt?.getTime() ?? null,
      },
      eventMeta,
    );
  } else if (update.status === 'DELIVERED') {
    await deps.outbox.publish(
      db,
      'ShipmentDelivered',
      {
        orderId: shipment.orderId,
        shipmentId: shipment.id,
        trackingId: shipment.trackingId,
        carrier: shipment.carrier,
        deliveredAt: update.occurredAt.getTime(),
        signedBy: update.signedBy,
      },
      eventMeta,
    );
  }
}
