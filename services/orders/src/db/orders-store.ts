import type { Prisma, PrismaClient } from '../generated/prisma/client.js';
import type { OrderStatus, PaymentStatus } from '../domain/order-status.js';

/** A Prisma transaction, or the client itself for reads. */
export type Db = Prisma.TransactionClient;
export type { PrismaClient };

export const orderInclude = {
  items: { orderBy: { lineNumber: 'asc' } },
  payment: true,
  refunds: { orderBy: { createdAt: 'asc' } },
  history: { orderBy: { id: 'asc' } },
} as const satisfies Prisma.OrderInclude;

export type OrderRow = Prisma.OrderGetPayload<{ include: typeof orderInclude }>;
export type PaymentRow = NonNullable<OrderRow['payment']>;

export async function findOrder(db: Db, id: string): Promise<OrderRow | null> {
  return db.order.findUnique({ where: { id }, include: orderInclude });
}

/**
 * The order, locked for the rest of the transaction: saga events, compensations and requests on the
 * same order are applied one after the other.
 */
export async function lockOrder(db: Db, id: string): Promise<OrderRow | null> {
  const rows = await db.$queryRaw<{ id: string }[]>`select id from orders where id = ${id}::uuid for update`;
  if (rows.length === 0) return null;
  return findOrder(db, id);
}

export interface NewOrder {
  id: string;
  customerId: string;
  customerEmail: string | null;
  currency: string;
  totalAmount: string;
  paymentMethodType: string;
  paymentToken: string;
  shippingAddress: Prisma.InputJsonObject;
  shippingMethod: string;
  options: Prisma.InputJsonObject | null;
  metadata: Record<string, string>;
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

export async function insertOrder(db: Db, order: NewOrder): Promise<OrderRow> {
  const { items, options, ...fields } = order;
  await db.order.create({
    data: {
      ...fields,
      status: 'PENDING',
      ...(options === null ? {} : { options }),
      items: { create: items },
      history: { create: { fromStatus: null, toStatus: 'PENDING', reason: 'ORDER_PLACED' } },
    },
  });
  return (await findOrder(db, order.id))!;
}

/** Moves the order to `to`, records the change, and writes `data` with it. */
export async function changeStatus(
  db: Db,
  order: { id: string; status: string },
  to: OrderStatus,
  change: { reason: string; eventId?: string | null; data?: Prisma.OrderUncheckedUpdateInput },
): Promise<void> {
  await db.order.update({ where: { id: order.id }, data: { ...change.data, status: to } });
  await db.orderStatusChange.create({
    data: {
      orderId: order.id,
      fromStatus: order.status,
      toStatus: to,
      reason: change.reason,
      eventId: change.eventId ?? null,
    },
  });
}

export async function updateOrder(db: Db, id: string, data: Prisma.OrderUncheckedUpdateInput): Promise<void> {
  await db.order.update({ where: { id }, data });
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

export async function listOrders(db: Db, filter: OrderFilter, page: OrderPage) {
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

export async function insertPayment(
  db: Db,
  payment: {
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
  },
): Promise<void> {
  await db.payment.create({ data: payment });
}

export async function updatePayment(
  db: Db,
  id: string,
  data: Prisma.PaymentUncheckedUpdateInput & { status?: PaymentStatus },
): Promise<void> {
  await db.payment.update({ where: { id }, data });
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
  await db.refund.create({ data: refund });
}
