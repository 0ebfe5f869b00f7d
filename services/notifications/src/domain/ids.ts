import { createHash } from 'node:crypto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PREFIXED_UUID = /^[a-z]{2,10}-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/**
 * A UUID from its plain or prefixed form (`ord-<uuid>`, `shp-<uuid>`, as the platform's API examples
 * write them), lower-cased; null when the value is neither.
 */
export function parseUuid(value: string): string | null {
  const trimmed = value.trim();
  if (UUID.test(trimmed)) return trimmed.toLowerCase();
  const match = PREFIXED_UUID.exec(trimmed);
  return match?.[1] ? match[1].toLowerCase() : null;
}

/** A customer id as stored and compared: the plain UUID when it is one in any form, else the value as given. */
export function normalizeCustomerId(value: string): string {
  return parseUuid(value) ?? value.trim();
}

/**
 * A name-based (version 5, SHA-1) UUID: the same namespace and name always give the same id. The
 * namespace is any string (hashed into the UUID namespace), so ids of different kinds never collide.
 */
export function nameBasedUuid(namespace: string, name: string): string {
  const namespaceBytes = createHash('sha1').update(`fv:${namespace}`).digest().subarray(0, 16);
  const bytes = createHash('sha1').update(namespaceBytes).update(name).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The id of an order's shipment: one shipment per order, the same on every delivery of the order's events. */
export function shipmentIdFor(orderId: string): string {
  return nameBasedUuid('delivery.shipment', orderId);
}

/** The id of the tracking event a shipment starts with. */
export function labelTrackingEventIdFor(shipmentId: string): string {
  return nameBasedUuid('delivery.tracking.label-created', shipmentId);
}
