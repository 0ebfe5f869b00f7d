import type { SchedulingFailure, Shipment, ShipmentItem } from '../generated/prisma/client.js';
import { dateOf, dateOrNull, json, text, type Db, type PrismaDb, type Row } from './client.js';

export type { SchedulingFailure, Shipment, ShipmentItem };
export type ShipmentWithItems = Shipment & { items: ShipmentItem[] };

/** A shipment from `row_to_json` of the table. */
function toShipment(row: Row): Shipment {
  return {
    id: String(row.id),
    orderId: String(row.order_id),
    customerId: String(row.customer_id),
    status: String(row.status),
    carrier: String(row.carrier),
    serviceLevel: String(row.service_level),
    labelNumber: String(row.label_number),
    trackingId: String(row.tracking_id),
    labelUrl: text(row.label_url),
    recipientName: text(row.recipient_name),
    street: String(row.street),
    city: String(row.city),
    state: text(row.state),
    zipCode: String(row.zip_code),
    country: String(row.country),
    phone: text(row.phone),
    estimatedDeliveryAt: dateOrNull(row.estimated_delivery_at),
    dispatchedAt: dateOrNull(row.dispatched_at),
    deliveredAt: dateOrNull(row.delivered_at),
    signedBy: text(row.signed_by),
    cancelledAt: dateOrNull(row.cancelled_at),
    cancelReason: text(row.cancel_reason),
    createdAt: dateOf(row.created_at),
    updatedAt: dateOf(row.updated_at),
  };
}

/** The shipment (`row_to_json`) and its items, by product, in one statement. */
const SHIPMENT_WITH_ITEMS = `select row_to_json(s) as shipment,
    (select coalesce(json_agg(json_build_object('product_id', i.product_id, 'quantity', i.quantity)
       order by i.product_id), '[]') from shipment_items i where i.shipment_id = s.id) as items
  from shipments s`;

function withItems(row: Row | undefined): ShipmentWithItems | null {
  if (!row) return null;
  const shipment = toShipment(json<Row>(row.shipment));
  return {
    ...shipment,
    items: json<Row[]>(row.items).map((item) => ({
      shipmentId: shipment.id,
      productId: String(item.product_id),
      quantity: Number(item.quantity),
    })),
  };
}

export async function findShipmentById(db: Db, id: string): Promise<ShipmentWithItems | null> {
  const rows = await db.$queryRawUnsafe<Row[]>(`${SHIPMENT_WITH_ITEMS} where s.id = $1::uuid`, id);
  return withItems(rows[0]);
}

export async function findShipmentByOrderId(db: Db, orderId: string): Promise<ShipmentWithItems | null> {
  const rows = await db.$queryRawUnsafe<Row[]>(`${SHIPMENT_WITH_ITEMS} where s.order_id = $1::uuid`, orderId);
  return withItems(rows[0]);
}

/** What delivery knows of an order: its cancellation, its shipment or the carrier's refusal. */
export interface OrderDelivery {
  cancelled: boolean;
  shipment: Shipment | null;
  failure: SchedulingFailure | null;
}

/** The order's cancellation, shipment (without items) and recorded scheduling failure, in one statement. */
export async function findOrderDelivery(db: Db, orderId: string): Promise<OrderDelivery> {
  const [row] = await db.$queryRawUnsafe<Row[]>(
    `select exists (select 1 from shipment_cancellations c where c.order_id = $1::uuid) as cancelled,
       (select row_to_json(s) from shipments s where s.order_id = $1::uuid) as shipment,
       (select row_to_json(f) from scheduling_failures f where f.order_id = $1::uuid) as failure`,
    orderId,
  );
  const shipment = json<Row | null>(row!.shipment);
  const failure = json<Row | null>(row!.failure);
  return {
    cancelled: Boolean(row!.cancelled),
    shipment: shipment && toShipment(shipment),
    failure: failure && {
      orderId: String(failure.order_id),
      shipmentId: String(failure.shipment_id),
      carrier: String(failure.carrier),
      errorCode: String(failure.error_code),
      errorMessage: String(failure.error_message),
      retriable: Boolean(failure.retriable),
      failedAt: dateOf(failure.failed_at),
    },
  };
}

/**
 * Locks the order's shipment row until the transaction ends (a tracking update and a cancellation of
 * the same shipment never interleave) and reads it, with whether the order's cancellation is recorded.
 */
export async function lockOrderShipment(
  db: Db,
  orderId: string,
): Promise<{ shipment: Shipment | null; cancelled: boolean }> {
  const [row] = await db.$queryRawUnsafe<Row[]>(
    `with locked as (select * from shipments where order_id = $1::uuid for update)
     select (select row_to_json(l) from locked l) as shipment,
       exists (select 1 from shipment_cancellations c where c.order_id = $1::uuid) as cancelled`,
    orderId,
  );
  const shipment = json<Row | null>(row!.shipment);
  return { shipment: shipment && toShipment(shipment), cancelled: Boolean(row!.cancelled) };
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

/** A new shipment with its label, its lines and the tracking event of the label. */
export interface NewShipment {
  shipment: Omit<
    Shipment,
    | 'status'
    | 'dispatchedAt'
    | 'deliveredAt'
    | 'signedBy'
    | 'cancelledAt'
    | 'cancelReason'
    | 'createdAt'
    | 'updatedAt'
  >;
  items: { productId: string; quantity: number }[];
  labelEvent: { id: string; description: string; occurredAt: Date };
}

/** Stores a LABEL_CREATED shipment, its lines and its first tracking event, in one statement. */
export async function insertShipment(db: Db, { shipment, items, labelEvent }: NewShipment): Promise<void> {
  await db.$executeRawUnsafe(
    `with created as (
       insert into shipments (id, order_id, customer_id, status, carrier, service_level, label_number, tracking_id,
         label_url, recipient_name, street, city, state, zip_code, country, phone, estimated_delivery_at, created_at,
         updated_at)
       values ($1::uuid, $2::uuid, $3, 'LABEL_CREATED', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
         $16::timestamptz, clock_timestamp(), clock_timestamp())
       returning id
     ), lines as (
       insert into shipment_items (shipment_id, product_id, quantity)
       select created.id, v.product_id, v.quantity
         from created, jsonb_to_recordset($17::jsonb) as v(product_id varchar, quantity int)
     )
     insert into tracking_events (id, shipment_id, status, source, description, occurred_at, recorded_at)
     select $18::uuid, id, 'LABEL_CREATED', 'SYSTEM', $19, $20::timestamptz, clock_timestamp() from created`,
    shipment.id,
    shipment.orderId,
    shipment.customerId,
    shipment.carrier,
    shipment.serviceLevel,
    shipment.labelNumber,
    shipment.trackingId,
    shipment.labelUrl,
    shipment.recipientName,
    shipment.street,
    shipment.city,
    shipment.state,
    shipment.zipCode,
    shipment.country,
    shipment.phone,
    shipment.estimatedDeliveryAt?.toISOString() ?? null,
    JSON.stringify(items.map((item) => ({ product_id: item.productId, quantity: item.quantity }))),
    labelEvent.id,
    labelEvent.description,
    labelEvent.occurredAt.toISOString(),
  );
}

/** The carrier refused the order's shipment for good. */
export async function insertSchedulingFailure(
  db: Db,
  failure: Omit<SchedulingFailure, 'failedAt'>,
): Promise<void> {
  await db.$executeRawUnsafe(
    `insert into scheduling_failures (order_id, shipment_id, carrier, error_code, error_message, retriable, failed_at)
     values ($1::uuid, $2::uuid, $3, $4, $5, $6::boolean, clock_timestamp())`,
    failure.orderId,
    failure.shipmentId,
    failure.carrier,
    failure.errorCode,
    failure.errorMessage,
    failure.retriable,
  );
}

/** Forgets the carrier's refusal of the order (its label is asked for again). */
export async function deleteSchedulingFailure(db: Db, orderId: string): Promise<void> {
  await db.$executeRawUnsafe('delete from scheduling_failures where order_id = $1::uuid', orderId);
}

/**
 * Records the order's cancellation and, when it has a shipment (`shipment`), cancels the shipment with
 * a CANCELLED tracking event — one statement.
 */
export async function recordCancellation(
  db: Db,
  cancellation: { orderId: string; shipmentId: string; sagaId: string | null; reason: string },
  shipment: { fromStatus: string; at: Date; trackingEventId: string; description: string } | null,
): Promise<void> {
  await db.$executeRawUnsafe(
    `with cancelled as (
       update shipments set status = 'CANCELLED', cancelled_at = $6::timestamptz, cancel_reason = $4,
         updated_at = clock_timestamp()
        where id = $2::uuid and $5::varchar is not null
       returning id
     ), tracking as (
       insert into tracking_events (id, shipment_id, status, source, description, occurred_at, recorded_at)
       select $7::uuid, id, 'CANCELLED', 'SYSTEM', $8, $6::timestamptz, clock_timestamp() from cancelled
     )
     insert into shipment_cancellations (order_id, shipment_id, saga_id, reason, from_status, cancelled_at)
     values ($1::uuid, $2::uuid, $3, $4, $5::varchar, clock_timestamp())`,
    cancellation.orderId,
    cancellation.shipmentId,
    cancellation.sagaId,
    cancellation.reason,
    shipment?.fromStatus ?? null,
    shipment?.at.toISOString() ?? null,
    shipment?.trackingEventId ?? null,
    shipment?.description ?? null,
  );
}

export interface ShipmentFilter {
  orderId?: string;
  customerId?: string;
  status?: string;
}

export const shipmentInclude = {
  items: { orderBy: { productId: 'asc' } },
} as const;

export async function listShipments(
  db: PrismaDb,
  filter: ShipmentFilter,
  page: { page: number; size: number },
) {
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

export async function listTrackingEvents(db: PrismaDb, shipmentId: string) {
  return db.trackingEvent.findMany({
    where: { shipmentId },
    orderBy: [{ occurredAt: 'asc' }, { recordedAt: 'asc' }],
  });
}

export async function findTrackingEventByCarrierId(db: PrismaDb, shipmentId: string, carrierEventId: string) {
  return db.trackingEvent.findUnique({
    where: { shipmentId_carrierEventId: { shipmentId, carrierEventId } },
  });
}
