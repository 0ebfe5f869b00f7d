import { nameBasedUuid } from '@fv/service-kit';

/** The id of an order's shipment: one shipment per order, the same on every delivery of the order's events. */
export function shipmentIdFor(orderId: string): string {
  return nameBasedUuid('delivery.shipment', orderId);
}

/** The id of the tracking event a shipment starts with. */
export function labelTrackingEventIdFor(shipmentId: string): string {
  return nameBasedUuid('delivery.tracking.label-created', shipmentId);
}
