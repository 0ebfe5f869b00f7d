import type { ListedPrice } from '../domain/pricing.js';
import type { Db } from './orders-store.js';

/** The listed prices of `productIds` that the price list knows. */
export async function findPrices(db: Db, productIds: readonly string[]): Promise<Map<string, ListedPrice>> {
  const rows = await db.$queryRawUnsafe<
    {
      product_id: string;
      sku: string;
      name: string | null;
      price: string;
      currency: string;
      status: string;
      deleted: boolean;
    }[]
  >(
    `select product_id::text as product_id, sku, name, to_char(price, 'FM9999999999990.00') as price, currency, status,
            deleted_at is not null as deleted
       from product_prices where product_id = any($1::uuid[])`,
    `{${productIds.join(',')}}`,
  );
  return new Map(
    rows.map((row) => [
      row.product_id,
      {
        productId: row.product_id,
        sku: row.sku,
        name: row.name,
        price: row.price,
        currency: row.currency,
        status: row.status,
        deleted: row.deleted,
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
  await db.$executeRawUnsafe(
    `
    insert into product_prices (product_id, sku, name, price, currency, status, deleted_at, price_as_of, details_as_of, updated_at)
    values ($1::uuid, $2, $3, $4::numeric, $5,
            $6, null, $7::timestamptz, $7::timestamptz, now())
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
      updated_at = now()`,
    product.productId,
    product.sku,
    product.name,
    product.price,
    product.currency,
    product.status,
    product.occurredAt,
  );
}

/** Applies a price change; a product not seen yet is listed with status UNKNOWN until its details arrive. */
export async function applyPrice(
  db: Db,
  change: { productId: string; sku: string; price: string; currency: string; occurredAt: Date },
): Promise<void> {
  await db.$executeRawUnsafe(
    `
    insert into product_prices (product_id, sku, name, price, currency, status, deleted_at, price_as_of, details_as_of, updated_at)
    values ($1::uuid, $2, null, $3::numeric, $4,
            'UNKNOWN', null, $5::timestamptz, to_timestamp(0), now())
    on conflict (product_id) do update set
      price = case when excluded.price_as_of >= product_prices.price_as_of then excluded.price else product_prices.price end,
      currency = case when excluded.price_as_of >= product_prices.price_as_of then excluded.currency else product_prices.currency end,
      price_as_of = greatest(excluded.price_as_of, product_prices.price_as_of),
      updated_at = now()`,
    change.productId,
    change.sku,
    change.price,
    change.currency,
    change.occurredAt,
  );
}

/** Marks a product deleted (kept, so that older events arriving late do not bring it back). */
export async function applyDeletion(
  db: Db,
  deletion: { productId: string; sku: string; occurredAt: Date },
): Promise<void> {
  await db.$executeRawUnsafe(
    `
    insert into product_prices (product_id, sku, name, price, currency, status, deleted_at, price_as_of, details_as_of, updated_at)
    values ($1::uuid, $2, null, 0, 'XXX', 'UNKNOWN', $3::timestamptz,
            to_timestamp(0), to_timestamp(0), now())
    on conflict (product_id) do update set
      deleted_at = case when $3::timestamptz >= product_prices.details_as_of
                        then greatest($3::timestamptz, coalesce(product_prices.deleted_at, $3::timestamptz))
                        else product_prices.deleted_at end,
      updated_at = now()`,
    deletion.productId,
    deletion.sku,
    deletion.occurredAt,
  );
}
