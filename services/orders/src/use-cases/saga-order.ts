import { NonRetriableError } from '@fv/messaging';
import { parseId } from '@fv/service-kit';
import { lockOrder, type Db, type OrderRow } from '../db/orders-store.js';

/**
 * The order a saga event is about, locked. Every saga event follows an OrderCreated this service
 * committed, so an unknown order means the event cannot be applied: it goes to the dead-letter topic.
 */
export async function lockKnownOrder(tx: Db, rawOrderId: string): Promise<OrderRow> {
  const orderId = parseId(rawOrderId, 'ord');
  if (orderId === null) throw new NonRetriableError(`"${rawOrderId}" is not an order id`, 'INVALID_ORDER_ID');
  const order = await lockOrder(tx, orderId);
  if (!order) throw new NonRetriableError(`order ${orderId} does not exist`, 'ORDER_NOT_FOUND');
  return order;
}

/** An event that contradicts the order's history (e.g. a shipment for an order never confirmed). */
export function invalidOrderState(order: OrderRow, what: string, reason: string): NonRetriableError {
  return new NonRetriableError(
    `${what} cannot be applied to order ${order.id}: ${reason}`,
    'INVALID_ORDER_STATE',
  );
}
