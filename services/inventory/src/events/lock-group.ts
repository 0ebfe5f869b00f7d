import type { GroupEvent } from '@fv/messaging';
import type { Tx } from '../db/tx.js';
import { parseId } from '../domain/ids.js';

/**
 * The stock levels a group of events will change, locked up front in the one order every writer of
 * stock uses (product, then location): the products an OrderCreated names, and those of the
 * reservations of the orders the other events name. Handlers lock their own products in that order,
 * but a group runs them one after another, so without this two groups (partitions read at the same
 * time) could each hold a product the other waits for. Ids that are not ids are left to the handlers,
 * which refuse their event.
 */
export async function lockLevelsOfGroup(tx: Tx, events: readonly GroupEvent[]): Promise<void> {
  const products = new Set<string>();
  const orders = new Set<string>();
  for (const { name, event } of events) {
    if (name === 'OrderCreated') {
      for (const item of (event as { items: { productId: string }[] }).items) {
        const id = parseId('product', item.productId);
        if (id) products.add(id);
      }
      continue;
    }
    const fields = event as { orderId?: unknown; productId?: unknown };
    const order = typeof fields.orderId === 'string' ? parseId('order', fields.orderId) : null;
    if (order) orders.add(order);
    const product = typeof fields.productId === 'string' ? parseId('product', fields.productId) : null;
    if (product) products.add(product);
  }
  if (products.size === 0 && orders.size === 0) return;
  await tx.$queryRawUnsafe(
    `select 1 from stock_levels
      where product_id in (select unnest($1::uuid[])
                           union select ri.product_id from reservation_items ri
                                   join reservations r on r.id = ri.reservation_id
                                  where r.order_id = any($2::uuid[]))
      order by product_id, warehouse_id for update`,
    `{${[...products].join(',')}}`,
    `{${[...orders].join(',')}}`,
  );
}
