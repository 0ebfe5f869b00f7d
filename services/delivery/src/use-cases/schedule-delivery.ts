import type { OrderConfirmed } from '@fv/contracts';
import { NonRetriableError } from '@fv/messaging';
import { normalizeCustomerId, parseId } from '@fv/service-kit';
import { CarrierRejectedError, CarrierUnavailableError, type Label } from '../carrier/carrier.js';
import type { Db } from '../db/client.js';
import {
  findOrderDelivery,
  insertSchedulingFailure,
  insertShipment,
  type SchedulingFailure,
  type Shipment,
} from '../db/shipments.js';
import { labelTrackingEventIdFor, shipmentIdFor } from '../domain/ids.js';
import type { DeliveryDeps, EventMeta, HandlerMeta } from './deps.js';

export type ScheduleOutcome =
  | { result: 'scheduled'; shipmentId: string }
  | { result: 'already-scheduled'; shipmentId: string; answered: boolean }
  | { result: 'failed'; errorCode: string }
  | { result: 'cancelled-before-confirmation'; shipmentId: string };

type ScheduleContext = HandlerMeta & { lastAttempt: boolean };

/** What a confirmed order ships: its id, customer and lines, checked. */
interface ShippableOrder {
  orderId: string;
  shipmentId: string;
  customerId: string;
  lines: { productId: string; quantity: number }[];
}

/** Sums the order's lines per product (one product may come on several lines, e.g. from two warehouses). */
function shipmentLines(items: OrderConfirmed['items']): { productId: string; quantity: number }[] {
  const lines = new Map<string, number>();
  items.forEach((item, index) => {
    if (item.productId.trim() === '') {
      throw new NonRetriableError(`OrderConfirmed items[${index}].productId is empty`, 'INVALID_EVENT');
    }
    if (!Number.isInteger(item.quantity) || item.quantity < 1) {
      throw new NonRetriableError(
        `OrderConfirmed items[${index}].quantity must be at least 1 (got ${item.quantity})`,
        'INVALID_EVENT',
      );
    }
    lines.set(item.productId, (lines.get(item.productId) ?? 0) + item.quantity);
  });
  return [...lines].map(([productId, quantity]) => ({ productId, quantity }));
}

/** The order to ship, or a NonRetriableError for an event that can never be applied. */
function shippableOrder(event: OrderConfirmed): ShippableOrder {
  const orderId = parseId(event.orderId);
  if (!orderId)
    throw new NonRetriableError(
      `OrderConfirmed orderId ${JSON.stringify(event.orderId)} is not a UUID`,
      'INVALID_EVENT',
    );
  if (event.items.length === 0)
    throw new NonRetriableError('OrderConfirmed has no items to ship', 'INVALID_EVENT');
  const lines = shipmentLines(event.items);
  const customerId = normalizeCustomerId(event.customerId);
  if (customerId === '') throw new NonRetriableError('OrderConfirmed customerId is empty', 'INVALID_EVENT');
  return { orderId, shipmentId: shipmentIdFor(orderId), customerId, lines };
}

/**
 * A confirmed order gets its shipment and shipping label (DeliveryScheduled), or, when the carrier
 * refuses the address or service, DeliverySchedulingFailed. The shipment id, label number and tracking
 * id follow from the order id, so a second OrderConfirmed of the same order never makes a second
 * shipment: it is answered again with the existing label (or the recorded failure).
 *
 * A carrier that is unreachable makes the handler fail (the consumer retries it with backoff); on the
 * last attempt the saga is told with a retriable DeliverySchedulingFailed.
 */
export async function scheduleDelivery(
  db: Db,
  deps: DeliveryDeps,
  event: OrderConfirmed,
  context: ScheduleContext,
): Promise<ScheduleOutcome> {
  const order = shippableOrder(event);
  const { orderId, shipmentId } = order;
  const { meta, logger } = context;

  const known = await findOrderDelivery(db, orderId);
  if (known.cancelled) {
    logger.info(
      { orderId, shipmentId },
      'the shipment of this order was cancelled before the order was confirmed: no label is created',
    );
    return { result: 'cancelled-before-confirmation', shipmentId };
  }

  const existing = known.shipment;
  if (existing) {
    // The same order confirmed again (a republished or retried OrderConfirmed): answer with the label
    // it already has while it is still the current state of the shipment.
    const answered = existing.status === 'LABEL_CREATED';
    if (answered) await publishScheduledAgain(db, deps, orderId, existing, meta);
    logger.info(
      { orderId, shipmentId, status: existing.status },
      'order already has a shipment; no second label',
    );
    return { result: 'already-scheduled', shipmentId, answered };
  }

  const { failure } = known;
  if (failure) {
    await publishSchedulingFailed(db, deps, orderId, failure, meta);
    return { result: 'failed', errorCode: failure.errorCode };
  }

  const created = await requestLabel(db, deps, event, order, context);
  if ('outcome' in created) return created.outcome;
  await storeShipment(db, deps, event, order, created.label, meta);
  logger.debug({ orderId, shipmentId, trackingId: created.label.trackingId }, 'shipment scheduled');
  return { result: 'scheduled', shipmentId };
}

/** DeliveryScheduled again, for an order confirmed again whose shipment still has only its label. */
async function publishScheduledAgain(
  db: Db,
  deps: DeliveryDeps,
  orderId: string,
  existing: Shipment,
  meta: EventMeta,
): Promise<void> {
  await deps.outbox.publish(
    db,
    'DeliveryScheduled',
    {
      orderId,
      customerId: existing.customerId,
      shipmentId: existing.id,
      labelNumber: existing.labelNumber,
      trackingId: existing.trackingId,
      carrier: existing.carrier,
      serviceLevel: existing.serviceLevel,
      shippingAddress: {
        name: existing.recipientName,
        street: existing.street,
        city: existing.city,
        state: existing.state,
        zipCode: existing.zipCode,
        country: existing.country,
        phone: existing.phone,
      },
      estimatedDeliveryAt: existing.estimatedDeliveryAt?.getTime() ?? null,
      labelUrl: existing.labelUrl,
    },
    meta,
  );
}

/** DeliverySchedulingFailed for the order: the carrier's refusal, or its absence on the last attempt. */
async function publishSchedulingFailed(
  db: Db,
  deps: DeliveryDeps,
  orderId: string,
  failure: Omit<SchedulingFailure, 'orderId' | 'failedAt'>,
  meta: EventMeta,
): Promise<void> {
  await deps.outbox.publish(
    db,
    'DeliverySchedulingFailed',
    {
      orderId,
      shipmentId: failure.shipmentId,
      carrier: failure.carrier,
      errorCode: failure.errorCode,
      errorMessage: failure.errorMessage,
      retriable: failure.retriable,
    },
    meta,
  );
}

/**
 * The carrier's label for the order, or the outcome of a carrier that refused it (recorded, so the
 * refusal is answered again) or stayed unavailable up to the last attempt. Any other error is thrown.
 */
async function requestLabel(
  db: Db,
  deps: DeliveryDeps,
  event: OrderConfirmed,
  { orderId, shipmentId }: ShippableOrder,
  context: ScheduleContext,
): Promise<{ label: Label } | { outcome: ScheduleOutcome }> {
  const { meta, logger } = context;
  try {
    const label = await deps.carrier.createLabel({
      orderId,
      shipmentId,
      serviceLevel: event.shippingMethod,
      address: event.shippingAddress,
      requestedAt: new Date(event.occurredAt),
    });
    return { label };
  } catch (error) {
    if (error instanceof CarrierRejectedError) {
      const failure = {
        shipmentId,
        carrier: deps.carrier.code,
        errorCode: error.code,
        errorMessage: error.message,
        retriable: false,
      };
      await insertSchedulingFailure(db, { orderId, ...failure });
      await publishSchedulingFailed(db, deps, orderId, failure, meta);
      logger.warn(
        { orderId, errorCode: error.code, field: error.field },
        `the carrier refused the shipment: ${error.message}`,
      );
      return { outcome: { result: 'failed', errorCode: error.code } };
    }
    if (error instanceof CarrierUnavailableError && context.lastAttempt) {
      // Not recorded as a failure: a later OrderConfirmed (a retried saga step) tries the carrier again.
      await publishSchedulingFailed(
        db,
        deps,
        orderId,
        {
          shipmentId,
          carrier: deps.carrier.code,
          errorCode: error.code,
          errorMessage: error.message,
          retriable: true,
        },
        meta,
      );
      logger.error({ orderId, err: error }, 'the carrier stayed unavailable; delivery scheduling failed');
      return { outcome: { result: 'failed', errorCode: error.code } };
    }
    throw error;
  }
}

/** Stores the shipment with its lines and label's tracking event, and publishes DeliveryScheduled. */
async function storeShipment(
  db: Db,
  deps: DeliveryDeps,
  event: OrderConfirmed,
  { orderId, shipmentId, customerId, lines }: ShippableOrder,
  label: Label,
  meta: EventMeta,
): Promise<void> {
  const confirmedAt = new Date(event.occurredAt);
  await insertShipment(db, {
    shipment: {
      id: shipmentId,
      orderId,
      customerId,
      carrier: label.carrier,
      serviceLevel: label.serviceLevel,
      labelNumber: label.labelNumber,
      trackingId: label.trackingId,
      labelUrl: label.labelUrl,
      recipientName: event.shippingAddress.name,
      street: event.shippingAddress.street,
      city: event.shippingAddress.city,
      state: event.shippingAddress.state,
      zipCode: event.shippingAddress.zipCode,
      country: event.shippingAddress.country.toUpperCase(),
      phone: event.shippingAddress.phone,
      estimatedDeliveryAt: label.estimatedDeliveryAt,
    },
    items: lines,
    labelEvent: {
      id: labelTrackingEventIdFor(shipmentId),
      description: `Shipping label ${label.labelNumber} created with ${label.carrier}`,
      occurredAt: deps.now() < confirmedAt ? confirmedAt : deps.now(),
    },
  });
  await deps.outbox.publish(
    db,
    'DeliveryScheduled',
    {
      orderId,
      customerId,
      shipmentId,
      labelNumber: label.labelNumber,
      trackingId: label.trackingId,
      carrier: label.carrier,
      serviceLevel: label.serviceLevel,
      shippingAddress: { ...event.shippingAddress, country: event.shippingAddress.country.toUpperCase() },
      estimatedDeliveryAt: label.estimatedDeliveryAt?.getTime() ?? null,
      labelUrl: label.labelUrl,
    },
    meta,
  );
}
