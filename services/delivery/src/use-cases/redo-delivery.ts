import type { OrderConfirmed, StepRetryRequested } from '@fv/contracts';
import { NonRetriableError } from '@fv/messaging';
import { parseId } from '@fv/service-kit';
import type { Db } from '../db/client.js';
import { deleteSchedulingFailure } from '../db/shipments.js';
import type { DeliveryDeps, HandlerMeta } from './deps.js';
import { scheduleDelivery, type ScheduleOutcome } from './schedule-delivery.js';

function json(event: StepRetryRequested, name: string): unknown {
  const raw = event.parameters[name];
  try {
    return raw === undefined ? undefined : JSON.parse(raw);
  } catch {
    return undefined;
  }
}

function invalid(event: StepRetryRequested, what: string): NonRetriableError {
  return new NonRetriableError(
    `StepRetryRequested for order ${event.orderId} cannot be applied: ${what}`,
    'INVALID_EVENT',
  );
}

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/**
 * The confirmed order as StepRetryRequested carries it: its lines (`items`) and address
 * (`shippingAddress`) as JSON, the shipping method and the customer as strings.
 */
export function confirmedOrderOf(event: StepRetryRequested): OrderConfirmed {
  const items = json(event, 'items');
  if (!Array.isArray(items) || items.length === 0) throw invalid(event, 'parameters.items has no lines');
  const address = json(event, 'shippingAddress') as Record<string, unknown> | undefined;
  if (!address || typeof address !== 'object' || !address.street || !address.city || !address.country)
    throw invalid(event, 'parameters.shippingAddress needs street, city and country');
  const { parameters } = event;
  if (!parameters.customerId) throw invalid(event, 'parameters.customerId is missing');
  return {
    eventId: event.eventId,
    occurredAt: event.occurredAt,
    correlationId: event.correlationId,
    causationId: event.causationId,
    producer: event.producer,
    orderId: event.orderId,
    customerId: parameters.customerId,
    customerEmail: parameters.customerEmail ?? null,
    items: items.map((item: Record<string, unknown>) => ({
      productId: String(item.productId ?? ''),
      sku: null,
      quantity: Number(item.quantity),
      unitPrice: '0.00',
      warehouseId: text(item.warehouseId),
    })),
    totalAmount: parameters.totalAmount ?? '0',
    currency: parameters.currency ?? 'USD',
    reservationId: parameters.reservationId ?? '',
    paymentId: parameters.paymentId ?? '',
    shippingAddress: {
      name: text(address.name),
      street: String(address.street),
      city: String(address.city),
      state: text(address.state),
      zipCode: String(address.zipCode ?? ''),
      country: String(address.country),
      phone: text(address.phone),
    },
    shippingMethod: parameters.shippingMethod ?? 'STANDARD',
  };
}

/**
 * The coordination service asks to perform SHIPPING_LABEL_CREATION again. A failure recorded for the
 * order (the carrier refused it) is forgotten and the carrier asked again, so a fixed problem (an
 * address corrected, a carrier back) gets its label; an order that has its shipment already is answered
 * with the same label (DeliveryScheduled), never a second one; a shipment cancelled before stays
 * cancelled. Everything happens in the handler's transaction: a carrier outage rolls it back, the
 * recorded failure included.
 */
export async function redoDelivery(
  db: Db,
  deps: DeliveryDeps,
  event: StepRetryRequested,
  context: HandlerMeta & { lastAttempt: boolean },
): Promise<ScheduleOutcome> {
  const order = confirmedOrderOf(event);
  // An order id that is no UUID has no failure recorded; scheduling refuses the event.
  const orderId = parseId(order.orderId);
  if (orderId) await deleteSchedulingFailure(db, orderId);
  return scheduleDelivery(db, deps, order, context);
}
