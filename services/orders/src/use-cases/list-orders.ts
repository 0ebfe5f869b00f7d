import {
  insufficientPermissions,
  isStaff,
  pagination,
  parseId,
  type Principal,
  type SchemaType,
} from '@fv/service-kit';
import { customerIdOf } from '../domain/caller.js';
import { listOrders, type OrderPage, type PrismaDb } from '../db/orders-store.js';
import type { listOrdersQuery } from '../routes/order-schemas.js';
import { amountOf, chargedAmountOf } from './order-view.js';

/** The filters, page and sort of GET /orders (defaults applied). */
export type ListOrdersInput = SchemaType<typeof listOrdersQuery>;

export interface OrderSummary {
  orderId: string;
  customerId: string;
  status: string;
  totalAmount: string;
  couponCode: string | null;
  chargedAmount: string;
  currency: string;
  itemCount: number;
  paymentStatus: string | null;
  createdAt: string;
  updatedAt: string;
}

/** Orders matching the filters, newest first unless asked otherwise; customers see only their own. */
export async function listOrdersFor(db: PrismaDb, caller: Principal, input: ListOrdersInput) {
  let customerId = input.customerId === undefined ? undefined : parseId(input.customerId, 'cust')!;
  if (!isStaff(caller)) {
    const own = customerIdOf(caller);
    if (own === null)
      throw insufficientPermissions('The token subject is not a customer id, so it has no orders');
    if (customerId !== undefined && customerId !== own) {
      throw insufficientPermissions('Customers can only list their own orders', {
        field: 'query.customerId',
      });
    }
    customerId = own;
  }
  const [sortBy, direction] = input.sort.split(',') as [OrderPage['sortBy'], OrderPage['direction']];
  const { total, rows } = await listOrders(
    db,
    {
      ...(customerId ? { customerId } : {}),
      ...(input.status ? { statuses: input.status } : {}),
      ...(input.createdFrom ? { createdFrom: new Date(input.createdFrom) } : {}),
      ...(input.createdTo ? { createdTo: new Date(input.createdTo) } : {}),
    },
    { page: input.page, size: input.size, sortBy, direction },
  );
  const orders: OrderSummary[] = rows.map((row) => ({
    orderId: row.id,
    customerId: row.customerId,
    status: row.status,
    totalAmount: amountOf(row.totalAmount, row.currency),
    couponCode: row.couponCode,
    chargedAmount: chargedAmountOf(row),
    currency: row.currency,
    itemCount: row._count.items,
    paymentStatus: row.payment?.status ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }));
  return {
    orders,
    pagination: pagination(input.page, input.size, total),
  };
}
