import { dateOf, dateOrNull, textOrNull as text } from '@fv/database';
import type { SqlClient } from '@fv/messaging';
import { Prisma, type PrismaClient } from '../generated/prisma/client.js';
import type { OrderStatus, PaymentStatus } from '../domain/order-status.js';

/**
 * A transaction, or the database itself for reads: the stores write and read with SQL only, so the same
 * code runs in a Prisma transaction (HTTP requests) and in the consumer's direct one (saga events).
 */
export type Db = SqlClient;
/** A Prisma transaction or client, for the queries the ORM builds best (filtered, paged lists). */
export type PrismaDb = Prisma.TransactionClient;
export type { PrismaClient };

export const orderInclude = {
  items: { orderBy: { lineNumber: 'asc' } },
  payment: true,
  refunds: { orderBy: { createdAt: 'asc' } },
  history: { orderBy: { id: 'asc' } },
} as const satisfies Prisma.OrderInclude;

export type OrderRow = Prisma.OrderGetPayload<{ include: typeof orderInclude }>;
export type PaymentRow = NonNullable<OrderRow['payment']>;

/**
 * The order with its lines, payment, refunds and status history, in one statement (Prisma's `include`
 * would send five, each compiled): the relations come back as JSON arrays, amounts as text so that no
 * decimal goes through a binary float.
 */
const ORDER_SELECT = `select o.id::text as id, o.customer_id::text as customer_id, o.customer_email, o.status, o.currency,
    o.total_amount::text as total_amount, o.payment_method_type, o.payment_token, o.shipping_address, o.shipping_method,
    o.options, o.metadata, o.reservation_id, o.shipment_id, o.tracking_id, o.carrier, o.failure_code, o.failure_message,
    o.failure_reason, o.cancellation_reason, o.cancelled_by, o.cancelled_at, o.completed_at, o.created_at, o.updated_at,
    o.coupon_code, o.discount_amount::text as discount_amount, o.payment_parts,
    (select coalesce(json_agg(json_build_object('id', i.id, 'orderId', i.order_id, 'lineNumber', i.line_number,
        'productId', i.product_id, 'sku', i.sku, 'productName', i.product_name, 'quantity', i.quantity,
        'unitPrice', i.unit_price::text, 'lineTotal', i.line_total::text, 'warehouseId', i.warehouse_id)
        order by i.line_number), '[]') from order_items i where i.order_id = o.id) as items,
    (select json_build_object('id', p.id, 'orderId', p.order_id, 'provider', p.provider,
        'providerReference', p.provider_reference, 'status', p.status, 'amount', p.amount::text,
        'refundedAmount', p.refunded_amount::text, 'currency', p.currency, 'attempts', p.attempts,
        'failureCode', p.failure_code, 'failureMessage', p.failure_message, 'authorizedAt', p.authorized_at,
        'capturedAt', p.captured_at, 'voidedAt', p.voided_at, 'parts', p.parts, 'createdAt', p.created_at, 'updatedAt', p.updated_at)
        from payments p where p.order_id = o.id) as payment,
    (select coalesce(json_agg(json_build_object('id', r.id, 'orderId', r.order_id, 'paymentId', r.payment_id,
        'amount', r.amount::text, 'currency', r.currency, 'reason', r.reason, 'providerReference', r.provider_reference,
        'createdAt', r.created_at) order by r.created_at), '[]') from refunds r where r.order_id = o.id) as refunds,
    (select coalesce(json_agg(json_build_object('id', h.id::text, 'orderId', h.order_id, 'fromStatus', h.from_status,
        'toStatus', h.to_status, 'reason', h.reason, 'eventId', h.event_id, 'createdAt', h.created_at)
        order by h.id), '[]') from order_status_changes h where h.order_id = o.id) as history
  from orders o where o.id = $1::uuid`;

type Json = Record<string, unknown>;
type JsonValue = Prisma.JsonValue;

const decimal = (value: unknown) => new Prisma.Decimal(String(value));

function toOrderRow(row: Json): OrderRow {
  const payment = row.payment as Json | null;
  return {
    id: String(row.id),
    customerId: String(row.customer_id),
    customerEmail: text(row.customer_email),
    status: String(row.status),
    currency: String(row.currency),
    totalAmount: decimal(row.total_amount),
    paymentMethodType: String(row.payment_method_type),
    paymentToken: text(row.payment_token),
    paymentParts: (row.payment_parts ?? null) as JsonValue,
    couponCode: text(row.coupon_code),
    discountAmount:
      row.discount_amount === null || row.discount_amount === undefined ? null : decimal(row.discount_amount),
    shippingAddress: row.shipping_address as JsonValue,
    shippingMethod: String(row.shipping_method),
    options: (row.options ?? null) as JsonValue,
    metadata: row.metadata as JsonValue,
    reservationId: text(row.reservation_id),
    shipmentId: text(row.shipment_id),
    trackingId: text(row.tracking_id),
    carrier: text(row.carrier),
    failureCode: text(row.failure_code),
    failureMessage: text(row.failure_message),
    failureReason: text(row.failure_reason),
    cancellationReason: text(row.cancellation_reason),
    cancelledBy: text(row.cancelled_by),
    cancelledAt: dateOrNull(row.cancelled_at),
    completedAt: dateOrNull(row.completed_at),
    createdAt: dateOf(row.created_at),
    updatedAt: dateOf(row.updated_at),
    items: (row.items as Json[]).map((item) => ({
      id: String(item.id),
      orderId: String(item.orderId),
      lineNumber: Number(item.lineNumber),
      productId: String(item.productId),
      sku: text(item.sku),
      productName: text(item.productName),
      quantity: Number(item.quantity),
      unitPrice: decimal(item.unitPrice),
      lineTotal: decimal(item.lineTotal),
      warehouseId: text(item.warehouseId),
    })),
    payment: payment ? toPaymentRow(payment) : null,
    refunds: (row.refunds as Json[]).map((refund) => ({
      id: String(refund.id),
      orderId: String(refund.orderId),
      paymentId: String(refund.paymentId),
      amount: decimal(refund.amount),
      currency: String(refund.currency),
      reason: String(refund.reason),
      providerReference: text(refund.providerReference),
      createdAt: dateOf(refund.createdAt),
    })),
    history: (row.history as Json[]).map((change) => ({
      id: BigInt(String(change.id)),
      orderId: String(change.orderId),
      fromStatus: text(change.fromStatus),
      toStatus: String(change.toStatus),
      reason: text(change.reason),
      eventId: text(change.eventId),
      createdAt: dateOf(change.createdAt),
    })),
  };
}

/** The payment of ORDER_SELECT (its `payment` JSON object) as Prisma would give it. */
function toPaymentRow(payment: Json): PaymentRow {
  return {
    id: String(payment.id),
    orderId: String(payment.orderId),
    provider: String(payment.provider),
    providerReference: text(payment.providerReference),
    status: String(payment.status),
    amount: decimal(payment.amount),
    refundedAmount: decimal(payment.refundedAmount),
    currency: String(payment.currency),
    attempts: Number(payment.attempts),
    failureCode: text(payment.failureCode),
    failureMessage: text(payment.failureMessage),
    authorizedAt: dateOrNull(payment.authorizedAt),
    capturedAt: dateOrNull(payment.capturedAt),
    voidedAt: dateOrNull(payment.voidedAt),
    parts: (payment.parts ?? null) as JsonValue,
    createdAt: dateOf(payment.createdAt),
    updatedAt: dateOf(payment.updatedAt),
  };
}

export async function findOrder(db: Db, id: string): Promise<OrderRow | null> {
  const rows = await db.$queryRawUnsafe<Json[]>(ORDER_SELECT, id);
  return rows[0] ? toOrderRow(rows[0]) : null;
}

/**
 * The order, locked for the rest of the transaction: saga events, compensations and requests on the
 * same order are applied one after the other.
 */
export async function lockOrder(db: Db, id: string): Promise<OrderRow | null> {
  const rows = await db.$queryRawUnsafe<Json[]>(`${ORDER_SELECT} for update of o`, id);
  return rows[0] ? toOrderRow(rows[0]) : null;
}

export interface NewOrder {
  id: string;
  customerId: string;
  customerEmail: string | null;
  currency: string;
  totalAmount: string;
  paymentMethodType: string;
  paymentToken: string;
  /** A split payment's parts ({ type, token, amount }); null or absent for one payment method. */
  paymentParts?: { type: string; token: string; amount: string }[] | null;
  shippingAddress: Prisma.InputJsonObject;
  shippingMethod: string;
  options: Prisma.InputJsonObject | null;
  metadata: Record<string, string>;
  /** The promotion code sent with the order, normalised; applied after the reservation. */
  couponCode?: string | null;
  items: {
    id: string;
    lineNumber: number;
    productId: string;
    sku: string | null;
    productName: string | null;
    quantity: number;
    unitPrice: string;
    lineTotal: string;
    warehouseId: string | null;
  }[];
}

/** Stores a new PENDING order with its lines and first history entry, in one statement. */
export async function insertOrder(db: Db, order: NewOrder): Promise<OrderRow> {
  await db.$executeRawUnsafe(
    `with created as (
       insert into orders (id, customer_id, customer_email, status, currency, total_amount, payment_method_type,
         payment_token, shipping_address, shipping_method, options, metadata, coupon_code, payment_parts, created_at, updated_at)
       values ($1::uuid, $2::uuid, $3, 'PENDING', $4, $5::numeric, $6, $7, $8::jsonb, $9, $10::jsonb, $11::jsonb,
         $13, $14::jsonb, clock_timestamp(), clock_timestamp())
       returning id
     ), lines as (
       insert into order_items (id, order_id, line_number, product_id, sku, product_name, quantity, unit_price,
         line_total, warehouse_id)
       select v.id, created.id, v.line_number, v.product_id, v.sku, v.product_name, v.quantity, v.unit_price,
              v.line_total, v.warehouse_id
         from created, jsonb_to_recordset($12::jsonb) as v(id uuid, line_number int, product_id uuid, sku varchar,
              product_name varchar, quantity int, unit_price numeric, line_total numeric, warehouse_id varchar)
     )
     insert into order_status_changes (order_id, from_status, to_status, reason, created_at)
     select id, null, 'PENDING', 'ORDER_PLACED', clock_timestamp() from created`,
    order.id,
    order.customerId,
    order.customerEmail,
    order.currency,
    order.totalAmount,
    order.paymentMethodType,
    order.paymentToken,
    JSON.stringify(order.shippingAddress),
    order.shippingMethod,
    order.options === null ? null : JSON.stringify(order.options),
    JSON.stringify(order.metadata),
    JSON.stringify(
      order.items.map((item) => ({
        id: item.id,
        line_number: item.lineNumber,
        product_id: item.productId,
        sku: item.sku,
        product_name: item.productName,
        quantity: item.quantity,
        // As text: a JSON number would be read through a binary float.
        unit_price: item.unitPrice,
        line_total: item.lineTotal,
        warehouse_id: item.warehouseId,
      })),
    ),
    order.couponCode ?? null,
    order.paymentParts ? JSON.stringify(order.paymentParts) : null,
  );
  return (await findOrder(db, order.id))!;
}

/** Columns of an order that change during its saga, and their SQL types. */
const CHANGEABLE = {
  reservationId: ['reservation_id', 'varchar'],
  shipmentId: ['shipment_id', 'varchar'],
  trackingId: ['tracking_id', 'varchar'],
  carrier: ['carrier', 'varchar'],
  paymentToken: ['payment_token', 'varchar'],
  failureCode: ['failure_code', 'varchar'],
  failureMessage: ['failure_message', 'text'],
  failureReason: ['failure_reason', 'varchar'],
  cancellationReason: ['cancellation_reason', 'varchar'],
  cancelledBy: ['cancelled_by', 'varchar'],
  cancelledAt: ['cancelled_at', 'timestamptz'],
  completedAt: ['completed_at', 'timestamptz'],
  discountAmount: ['discount_amount', 'numeric'],
} as const satisfies Record<string, readonly [string, string]>;

export type OrderChange = {
  [K in keyof typeof CHANGEABLE]?: K extends `${string}At` ? Date | null : string | null;
};

/** `, col = $n::type ...` for the keys of `data` (columns from `columns`), numbered from `first`, with their values. */
function assignments(
  columns: Record<string, readonly [string, string]>,
  data: object,
  first: number,
): { sql: string; values: unknown[] } {
  const parts: string[] = [];
  const values: unknown[] = [];
  for (const [key, value] of Object.entries(data)) {
    if (value === undefined) continue;
    const [column, type] = columns[key]!;
    values.push(value instanceof Date ? value.toISOString() : value);
    parts.push(`${column} = $${first + values.length - 1}::${type}`);
  }
  return { sql: parts.map((part) => `, ${part}`).join(''), values };
}

/**
 * Moves the order to `to`, records the change, and writes `data` with it — one statement. Stamped with
 * the clock, not the transaction's start: a consumer applies several events in one transaction.
 */
export async function changeStatus(
  db: Db,
  order: { id: string; status: string },
  to: OrderStatus,
  change: { reason: string; eventId?: string | null; data?: OrderChange },
): Promise<void> {
  const set = assignments(CHANGEABLE, change.data ?? {}, 6);
  // Forgetting the payment token forgets the tokens of a split payment's parts too (types and amounts stay).
  const forgetParts =
    change.data && 'paymentToken' in change.data && change.data.paymentToken === null
      ? `, payment_parts = (select jsonb_agg(part - 'token') from jsonb_array_elements(payment_parts) part)`
      : '';
  await db.$executeRawUnsafe(
    `with changed as (
       update orders set status = $2, updated_at = clock_timestamp()${set.sql}${forgetParts} where id = $1::uuid returning id
     )
     insert into order_status_changes (order_id, from_status, to_status, reason, event_id, created_at)
     select id, $3, $2, $4, $5::uuid, clock_timestamp() from changed`,
    order.id,
    to,
    order.status,
    change.reason,
    change.eventId ?? null,
    ...set.values,
  );
}

export async function updateOrder(db: Db, id: string, data: OrderChange): Promise<void> {
  const set = assignments(CHANGEABLE, data, 2);
  if (set.values.length === 0) return;
  await db.$executeRawUnsafe(
    `update orders set updated_at = clock_timestamp()${set.sql} where id = $1::uuid`,
    id,
    ...set.values,
  );
}

export interface OrderFilter {
  customerId?: string;
  statuses?: readonly string[];
  createdFrom?: Date;
  createdTo?: Date;
}

export interface OrderPage {
  page: number;
  size: number;
  sortBy: 'createdAt' | 'totalAmount' | 'updatedAt';
  direction: 'asc' | 'desc';
}

export async function listOrders(db: PrismaDb, filter: OrderFilter, page: OrderPage) {
  const where: Prisma.OrderWhereInput = {
    ...(filter.customerId ? { customerId: filter.customerId } : {}),
    ...(filter.statuses?.length ? { status: { in: [...filter.statuses] } } : {}),
    ...(filter.createdFrom || filter.createdTo
      ? {
          createdAt: {
            ...(filter.createdFrom ? { gte: filter.createdFrom } : {}),
            ...(filter.createdTo ? { lt: filter.createdTo } : {}),
          },
        }
      : {}),
  };
  const [total, rows] = await Promise.all([
    db.order.count({ where }),
    db.order.findMany({
      where,
      orderBy: [{ [page.sortBy]: page.direction }, { id: page.direction }],
      skip: page.page * page.size,
      take: page.size,
      include: { _count: { select: { items: true } }, payment: { select: { status: true } } },
    }),
  ]);
  return { total, rows };
}

export interface NewPayment {
  id: string;
  orderId: string;
  provider: string;
  providerReference: string | null;
  status: PaymentStatus;
  amount: string;
  currency: string;
  attempts: number;
  failureCode?: string | null;
  failureMessage?: string | null;
  authorizedAt?: Date | null;
  /** A split payment's parts (`PaymentPartState[]`) as JSON text; null for one payment method. */
  parts?: string | null;
}

/** Columns of a payment that change after it is recorded, and their SQL types. */
const PAYMENT_CHANGEABLE = {
  provider: ['provider', 'varchar'],
  providerReference: ['provider_reference', 'varchar'],
  status: ['status', 'varchar'],
  amount: ['amount', 'numeric'],
  refundedAmount: ['refunded_amount', 'numeric'],
  currency: ['currency', 'bpchar'],
  attempts: ['attempts', 'int'],
  failureCode: ['failure_code', 'varchar'],
  failureMessage: ['failure_message', 'text'],
  authorizedAt: ['authorized_at', 'timestamptz'],
  capturedAt: ['captured_at', 'timestamptz'],
  voidedAt: ['voided_at', 'timestamptz'],
  parts: ['parts', 'jsonb'],
} as const satisfies Record<string, readonly [string, string]>;

export type PaymentChange = Partial<Omit<NewPayment, 'id' | 'orderId'>> & {
  status?: PaymentStatus;
  refundedAmount?: string;
  capturedAt?: Date | null;
  voidedAt?: Date | null;
};

export async function insertPayment(db: Db, payment: NewPayment): Promise<void> {
  await db.$executeRawUnsafe(
    `insert into payments (id, order_id, provider, provider_reference, status, amount, currency, attempts, failure_code,
       failure_message, authorized_at, parts, created_at, updated_at)
     values ($1::uuid, $2::uuid, $3, $4, $5, $6::numeric, $7, $8::int, $9, $10, $11::timestamptz, $12::jsonb,
       clock_timestamp(), clock_timestamp())`,
    payment.id,
    payment.orderId,
    payment.provider,
    payment.providerReference,
    payment.status,
    payment.amount,
    payment.currency,
    payment.attempts,
    payment.failureCode ?? null,
    payment.failureMessage ?? null,
    payment.authorizedAt?.toISOString() ?? null,
    payment.parts ?? null,
  );
}

export async function updatePayment(db: Db, id: string, data: PaymentChange): Promise<void> {
  const set = assignments(PAYMENT_CHANGEABLE, data, 2);
  await db.$executeRawUnsafe(
    `update payments set updated_at = clock_timestamp()${set.sql} where id = $1::uuid`,
    id,
    ...set.values,
  );
}

export async function insertRefund(
  db: Db,
  refund: {
    id: string;
    orderId: string;
    paymentId: string;
    amount: string;
    currency: string;
    reason: string;
    providerReference: string | null;
  },
): Promise<void> {
  await db.$executeRawUnsafe(
    `insert into refunds (id, order_id, payment_id, amount, currency, reason, provider_reference, created_at)
     values ($1::uuid, $2::uuid, $3::uuid, $4::numeric, $5, $6, $7, clock_timestamp())`,
    refund.id,
    refund.orderId,
    refund.paymentId,
    refund.amount,
    refund.currency,
    refund.reason,
    refund.providerReference,
  );
}
