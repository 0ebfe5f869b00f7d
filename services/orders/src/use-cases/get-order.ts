import { notFound, type Principal } from '@fv/service-kit';
import { mayAccess } from '../domain/caller.js';
import { findOrder, type Db, type OrderRow } from '../db/orders-store.js';
import { toOrderView, type OrderView } from './order-view.js';

/** Customers asking about another customer's order learn nothing more than that it does not exist. */
export function orderNotFound(orderId: string) {
  return notFound('NOT_FOUND', `Order ${orderId} does not exist`, { orderId, reason: 'ORDER_NOT_FOUND' });
}

export function assertVisible<T extends { customerId: string }>(
  caller: Principal,
  orderId: string,
  order: T | null,
): T {
  if (!order || !mayAccess(caller, order.customerId)) throw orderNotFound(orderId);
  return order;
}

export async function getOrder(db: Db, caller: Principal, orderId: string): Promise<OrderView> {
  const order: OrderRow | null = await findOrder(db, orderId);
  return toOrderView(assertVisible(caller, orderId, order));
}
