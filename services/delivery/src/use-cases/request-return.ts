import { randomUUID } from 'node:crypto';
import { AppError, assertCanSee, invalidFields, type Principal } from '@fv/service-kit';
import type { PrismaDb } from '../db/client.js';
import { findReturnById, returnedQuantities } from '../db/returns.js';
import { findShipmentById, lockShipmentById, type ShipmentWithItems } from '../db/shipments.js';
import { checkReturnItems, checkReturnWindow, type ReturnReason } from '../domain/returns.js';
import type { DeliveryDeps, EventMeta } from './deps.js';

export interface ReturnRequest {
  shipmentId: string;
  reason: ReturnReason;
  comment: string | null;
  items: { productId: string; quantity: number; reason: ReturnReason | null }[];
}

/**
 * A customer (or an operator for them) asks to send back items of a delivered shipment, within the
 * return window and no more than was shipped; ReturnRequested announces it.
 */
export async function requestReturn(
  db: PrismaDb,
  deps: DeliveryDeps,
  principal: Principal,
  request: ReturnRequest,
  meta: Omit<EventMeta, 'correlationId'>,
) {
  const notFound = new AppError('NOT_FOUND', `Shipment ${request.shipmentId} does not exist`, {
    details: { shipmentId: request.shipmentId },
  });
  // Locked so two concurrent returns of the same shipment cannot both claim the last units.
  if (!(await lockShipmentById(db, request.shipmentId))) throw notFound;
  const shipment = await findShipmentById(db, request.shipmentId);
  if (!shipment) throw notFound;
  assertCanSee(principal, shipment.customerId, notFound);
  assertWithinWindow(deps, shipment);
  await assertReturnableItems(db, shipment, request.items);

  const id = randomUUID();
  await db.return.create({
    data: {
      id,
      shipmentId: shipment.id,
      orderId: shipment.orderId,
      customerId: shipment.customerId,
      status: 'REQUESTED',
      reason: request.reason,
      comment: request.comment,
      requestedAt: deps.now(),
      items: {
        create: request.items.map((item) => ({
          productId: item.productId,
          quantity: item.quantity,
          reason: item.reason ?? request.reason,
        })),
      },
    },
  });
  await deps.outbox.publish(
    db,
    'ReturnRequested',
    {
      returnId: id,
      orderId: shipment.orderId,
      customerId: shipment.customerId,
      items: request.items.map((item) => ({
        productId: item.productId,
        quantity: item.quantity,
        reason: item.reason ?? request.reason,
        condition: null,
      })),
      reason: request.reason,
    },
    { ...meta, correlationId: shipment.orderId },
  );
  const created = await findReturnById(db, id);
  if (!created) throw new Error(`return ${id} was not found after it was created`);
  return created;
}

/** 422 SHIPMENT_NOT_DELIVERED or RETURN_WINDOW_EXPIRED unless the shipment may be returned now. */
function assertWithinWindow(deps: DeliveryDeps, shipment: ShipmentWithItems): void {
  const refusal = checkReturnWindow({
    status: shipment.status,
    deliveredAt: shipment.deliveredAt,
    now: deps.now(),
    windowDays: deps.returnWindowDays,
  });
  if (refusal) {
    throw new AppError('UNPROCESSABLE_ENTITY', refusal.message, {
      details: {
        reason: refusal.reason,
        shipmentId: shipment.id,
        status: shipment.status,
        ...(refusal.reason === 'RETURN_WINDOW_EXPIRED'
          ? { returnDeadline: refusal.deadline.toISOString() }
          : {}),
      },
    });
  }
}

/** 422 RETURN_ITEMS_INVALID unless every item is a line of the shipment, within the units not yet returned. */
async function assertReturnableItems(
  db: PrismaDb,
  shipment: ShipmentWithItems,
  requested: ReturnRequest['items'],
): Promise<void> {
  const issues = checkReturnItems({
    shipped: shipment.items,
    alreadyReturned: await returnedQuantities(db, shipment.id),
    requested,
  });
  if (issues.length > 0) {
    const error = invalidFields(
      issues.map((issue) => ({ field: issue.field, rule: issue.reason, message: issue.message })),
    );
    throw new AppError('UNPROCESSABLE_ENTITY', error.message, {
      details: { reason: 'RETURN_ITEMS_INVALID', ...error.details },
    });
  }
}
