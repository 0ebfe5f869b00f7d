import type { Db } from './client.js';

export const shipmentInclude = {
  items: { orderBy: { productId: 'asc' } },
} as const;

export async function findShipmentById(db: Db, id: string) {
  return db.shipment.findUnique({ where: { id }, include: shipmentInclude });
}

export async function findShipmentByOrderId(db: Db, orderId: string) {
  return db.shipment.findUnique({ where: { orderId }, include: shipmentInclude });
}

/**
 * Locks the order's shipment row until the transaction ends (a tracking update and a cancellation of
 * the same shipment never interleave) and returns its id and status.
 */
export async function lockShipmentByOrderId(
  db: Db,
  orderId: string,
): Promise<{ id: string; status: string } | null> {
  const rows = await db.$queryRawUnsafe<{ id: string; status: string }[]>(
    'select id::text as id, status from shipments where order_id = $1::uuid for update',
    orderId,
  );
  return rows[0] ?? null;
}

export async function lockShipmentByTrackingId(
  db: Db,
  trackingId: string,
): Promise<{ id: string; status: string } | null> {
  const rows = await db.$queryRawUnsafe<{ id: string; status: string }[]>(
    'select id::text as id, status from shipments where tracking_id = $1 for update',
    trackingId,
  );
  return rows[0] ?? null;
}

export async function lockShipmentById(db: Db, id: string): Promise<{ id: string; status: string } | null> {
  const rows = await db.$queryRawUnsafe<{ id: string; status: string }[]>(
    'select id::text as id, status from shipments where id = $1::uuid for update',
    id,
  );
  return rows[0] ?? null;
}

export interface ShipmentFilter {
  orderId?: string;
  customerId?: string;
  status?: string;
}

export async function listShipments(db: Db, filter: ShipmentFilter, page: { page: number; size: number }) {
  const where = {
    ...(filter.orderId ? { orderId: filter.orderId } : {}),
    ...(filter.customerId ? { customerId: filter.customerId } : {}),
    ...(filter.status ? { status: filter.status } : {}),
  };
  const [rows, total] = await Promise.all([
    db.shipment.findMany({
      where,
      include: shipmentInclude,
      orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
      skip: page.page * page.size,
      take: page.size,
    }),
    db.shipment.count({ where }),
  ]);
  return { rows, total };
}

export async function listTrackingEvents(db: Db, shipmentId: string) {
  return db.trackingEvent.findMany({
    where: { shipmentId },
    orderBy: [{ occurredAt: 'asc' }, { recordedAt: 'asc' }],
  });
}

export async function findTrackingEventByCarrierId(db: Db, shipmentId: string, carrierEventId: string) {
  return db.trackingEvent.findUnique({
    where: { shipmentId_carrierEventId: { shipmentId, carrierEventId } },
  });
}

export async function findSchedulingFailure(db: Db, orderId: string) {
  return db.schedulingFailure.findUnique({ where: { orderId } });
}

export async function findCancellation(db: Db, orderId: string) {
  return db.shipmentCancellation.findUnique({ where: { orderId } });
}
