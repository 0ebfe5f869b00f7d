import type {
  Return,
  ReturnItem,
  Shipment,
  ShipmentItem,
  TrackingEvent,
} from '../generated/prisma/client.js';

const iso = (value: Date | null) => (value ? value.toISOString() : null);

export function shipmentView(shipment: Shipment & { items: ShipmentItem[] }) {
  return {
    shipmentId: shipment.id,
    orderId: shipment.orderId,
    customerId: shipment.customerId,
    status: shipment.status,
    carrier: shipment.carrier,
    serviceLevel: shipment.serviceLevel,
    labelNumber: shipment.labelNumber,
    trackingId: shipment.trackingId,
    labelUrl: shipment.labelUrl,
    shippingAddress: {
      name: shipment.recipientName,
      street: shipment.street,
      city: shipment.city,
      state: shipment.state,
      zipCode: shipment.zipCode,
      country: shipment.country,
      phone: shipment.phone,
    },
    items: shipment.items.map((item) => ({ productId: item.productId, quantity: item.quantity })),
    estimatedDeliveryAt: iso(shipment.estimatedDeliveryAt),
    dispatchedAt: iso(shipment.dispatchedAt),
    deliveredAt: iso(shipment.deliveredAt),
    signedBy: shipment.signedBy,
    cancelledAt: iso(shipment.cancelledAt),
    cancelReason: shipment.cancelReason,
    createdAt: shipment.createdAt.toISOString(),
    updatedAt: shipment.updatedAt.toISOString(),
  };
}

export function trackingView(shipment: Shipment, events: TrackingEvent[]) {
  return {
    shipmentId: shipment.id,
    orderId: shipment.orderId,
    trackingId: shipment.trackingId,
    carrier: shipment.carrier,
    status: shipment.status,
    estimatedDeliveryAt: iso(shipment.estimatedDeliveryAt),
    deliveredAt: iso(shipment.deliveredAt),
    signedBy: shipment.signedBy,
    events: events.map((event) => ({
      status: event.status,
      occurredAt: event.occurredAt.toISOString(),
      location: event.location,
      description: event.description,
      source: event.source,
    })),
  };
}

export function labelView(shipment: Shipment & { items: ShipmentItem[] }) {
  return {
    shipmentId: shipment.id,
    orderId: shipment.orderId,
    carrier: shipment.carrier,
    serviceLevel: shipment.serviceLevel,
    labelNumber: shipment.labelNumber,
    trackingId: shipment.trackingId,
    void: shipment.status === 'CANCELLED',
    shipTo: shipmentView(shipment).shippingAddress,
    packages: shipment.items.reduce((units, item) => units + item.quantity, 0),
    createdAt: shipment.createdAt.toISOString(),
  };
}

export function returnView(entry: Return & { items: ReturnItem[] }) {
  return {
    returnId: entry.id,
    shipmentId: entry.shipmentId,
    orderId: entry.orderId,
    customerId: entry.customerId,
    status: entry.status,
    reason: entry.reason,
    comment: entry.comment,
    warehouseId: entry.warehouseId,
    items: entry.items.map((item) => ({
      productId: item.productId,
      quantity: item.quantity,
      reason: item.reason,
      condition: item.condition,
    })),
    requestedAt: entry.requestedAt.toISOString(),
    receivedAt: iso(entry.receivedAt),
  };
}
