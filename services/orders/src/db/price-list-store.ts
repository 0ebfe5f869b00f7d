import type { ListedPrice } from '../domain/pricing.js';
import type { Db } from './orders-store.js';

/** The listed prices of `productIds` that the price list knows. */
export async function findPrices(db: Db, productIds: readonly string[]): Promise<Map<string, ListedPrice>> {
  const rows = await db.productPrice.findMany({ where: { productId: { in: [...productIds] } } });
  return new Map(
    rows.map((row) => [
      row.productId,
      {
        productId: row.productId,
        sku: row.sku,
        name: row.name,
        price: row.price.toFixed(2),
        currency: row.currency,
        status: row.status,
        deleted: row.deletedAt !== null,
      },
    ]),
  );
}

export interface ProductState {
  productId: string;
  sku: string;
  name: string;
  price: string;
  currency: string;
  status: string;
  occurredAt: Date;
}

/**
 * Applies the full state of a product (ProductCreated, ProductUpdated). Each part only moves forward:
 * details and price are replaced when the event is newer than what set them, and a deletion is undone
 * only by a newer event.
 */
export async function applyProductState(db: Db, product: ProductState): Promise<void> {
  await db.$executeRaw`
    insert into product_prices (product_id, sku, name, price, currency, status, deleted_at, price_as_of, details_as_of, updated_at)
    values (${product.productId}::uuid, ${product.sku}, ${product.name}, ${product.price}::numeric, ${product.currency},
            ${product.status}, null, ${product.occurredAt}::timestamptz, ${product.occurredAt}::timestamptz, now())
    on conflict (product_id) do update set
      sku = case when excluded.details_as_of >= product_prices.details_as_of then excluded.sku else product_prices.sku end,
      name = case when excluded.details_as_of >= product_prices.details_as_of then excluded.name else product_prices.name end,
      status = case when excluded.details_as_of >= product_prices.details_as_of then excluded.status else product_prices.status end,
      details_as_of = greatest(excluded.details_as_of, product_prices.details_as_of),
      price = case when excluded.price_as_of >= product_prices.price_as_of then excluded.price else product_prices.price end,
      currency = case when excluded.price_as_of >= product_prices.price_as_of then excluded.currency else product_prices.currency end,
      price_as_of = greatest(excluded.price_as_of, product_prices.price_as_of),
      deleted_at = case when product_prices.deleted_at is not null and excluded.details_as_of > product_prices.deleted_at
                        then null else product_prices.deleted_at end,
      updated_at = now()`;
}

/** Applies a price change; a product not seen yet is listed with status UNKNOWN until its details arrive. */
export async function applyPrice(
  db: Db,
  change: { productId: string; sku: string; price: string; currency: string; occurredAt: Date },
): Promise<void> {
  await db.$executeRaw`
    insert into product_prices (product_id, sku, name, price, currency, status, deleted_at, price_as_of, details_as_of, updated_at)
    values (${change.productId}::uuid, ${change.sku}, null, ${change.price}::numeric, ${change.currency},
            'UNKNOWN', null, ${change.occurredAt}::timestamptz, to_timestamp(0), now())
    on conflict (product_id) do update set
      price = case when excluded.price_as_of >= product_prices.price_as_of then excluded.price else product_prices.price end,
      currency = case when excluded.price_as_of >= product_prices.price_as_of then excluded.currency else product_prices.currency end,
      price_as_of = greatest(excluded.price_as_of, product_prices.price_as_of),
      updated_at = now()`;
}

/** Marks a product deleted (kept, so that older events arriving late do not bring it back). */
export async function applyDeletion(
  db: Db,
  deletion: { productId: string; sku: string; occurredAt: Date },
): Promise<void> {
  await db.$executeRaw`
    insert into product_prices (product_id, sku, name, price, currency, status, deleted_at, price_as_of, details_as_of, updated_at)
    values (${deletion.productId}::uuid, ${deletion.sku}, null, 0, 'XXX', 'UNKNOWN', ${deletion.occurredAt}::timestamptz,
            to_timestamp(0), to_timestamp(0), now())
    on conflict (product_id) do update set
      deleted_at = case when ${deletion.occurredAt}::timestamptz >= product_prices.details_as_of
                        then greatest(${deletion.occurredAt}::timestamptz, coalesce(product_prices.deleted_at, ${deletion.occurredAt}::timestamptz))
                        else product_prices.deleted_at end,
      updated_at = now()`;
}
