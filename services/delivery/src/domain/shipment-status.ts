/** Where a shipment is. CANCELLED and DELIVERED are final. */
export const SHIPMENT_STATUSES = [
  'LABEL_CREATED',
  'DISPATCHED',
  'IN_TRANSIT',
  'DELIVERED',
  'CANCELLED',
] as const;
export type ShipmentStatus = (typeof SHIPMENT_STATUSES)[number];

/** Statuses a carrier (or an operator) may report; cancellation is a compensation, not a scan. */
export const TRACKING_STATUSES = ['DISPATCHED', 'IN_TRANSIT', 'DELIVERED'] as const;
export type TrackingStatus = (typeof TRACKING_STATUSES)[number];

/**
 * The moves a tracking update may make. IN_TRANSIT may repeat: every hub scan on the way is one.
 * A parcel must be picked up (DISPATCHED) and travel (IN_TRANSIT) before it is DELIVERED.
 */
const TRANSITIONS: Record<ShipmentStatus, readonly ShipmentStatus[]> = {
  LABEL_CREATED: ['DISPATCHED', 'CANCELLED'],
  DISPATCHED: ['IN_TRANSIT'],
  IN_TRANSIT: ['IN_TRANSIT', 'DELIVERED'],
  DELIVERED: [],
  CANCELLED: [],
};

export function isShipmentStatus(value: string): value is ShipmentStatus {
  return (SHIPMENT_STATUSES as readonly string[]).includes(value);
}

export function canTransition(from: ShipmentStatus, to: ShipmentStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function allowedNextStatuses(from: ShipmentStatus): readonly ShipmentStatus[] {
  return TRANSITIONS[from];
}

/** A shipment can be cancelled only while the carrier does not have the parcel yet. */
export function isCancellable(status: ShipmentStatus): boolean {
  return canTransition(status, 'CANCELLED');
}
