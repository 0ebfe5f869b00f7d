import type { SqlClient } from '@fv/messaging';
import type { Db } from '../catalog-context.js';
import { Prisma } from '../generated/prisma/client.js';
import type { Attributes, ProductState, VariantState } from '../domain/product-state.js';

export const productWithVariants = {
  variants: { orderBy: { position: 'asc' } },
} satisfies Prisma.ProductInclude;
export type ProductRecord = Prisma.ProductGetPayload<{ include: typeof productWithVariants }>;

/** A product as the API returns it (and as idempotent replays store it). */
export interface ProductView {
  id: string;
  sku: string;
  name: string;
  description: string | null;
  categoryId: string | null;
  price: string;
  currency: string;
  status: ProductRecord['status'];
  attributes: Attributes;
  variants: Array<{ id: string; sku: string; name: string; attributes: Attributes }>;
  stockStatus: ProductRecord['stockStatus'];
  availableQuantity: number;
  stockUpdatedAt: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

function attributesOf(value: Prisma.JsonValue): Attributes {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
  const attributes: Attributes = {};
  for (const [key, entry] of Object.entries(value)) if (typeof entry === 'string') attributes[key] = entry;
  return attributes;
}

export function toProductView(record: ProductRecord): ProductView {
  return {
    id: record.id,
    sku: record.sku,
    name: record.name,
    description: record.description,
    categoryId: record.categoryId,
    price: record.price.toFixed(2),
    currency: record.currency,
    status: record.status,
    attributes: attributesOf(record.attributes),
    variants: record.variants.map((variant) => ({
      id: variant.id,
      sku: variant.sku,
      name: variant.name,
      attributes: attributesOf(variant.attributes),
    })),
    stockStatus: record.stockStatus,
    availableQuantity: record.availableQuantity,
    stockUpdatedAt: record.stockUpdatedAt?.toISOString() ?? null,
    version: record.version,
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
  };
}

/** The editable state of a stored product, in the domain's terms. */
export function toProductState(record: ProductRecord): ProductState {
  const view = toProductView(record);
  return {
    name: view.name,
    description: view.description,
    categoryId: view.categoryId,
    price: view.price,
    currency: view.currency,
    status: view.status,
    attributes: view.attributes,
    variants: view.variants.map(({ sku, name, attributes }) => ({ sku, name, attributes })),
  };
}

export function findLiveProduct(db: Db, id: string): Promise<ProductRecord | null> {
  return db.product.findFirst({ where: { id, deletedAt: null }, include: productWithVariants });
}

/** Locks the product's row for the rest of the transaction; false when there is no live product with that id. */
export async function lockLiveProduct(db: Db, id: string): Promise<boolean> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    select id from products where id = ${id}::uuid and deleted_at is null for update`;
  return rows.length > 0;
}

/** Locks the product's row whether or not it is deleted; returns the stock figures held for it. */
/** The product's stock figures, its row locked for the rest of the transaction (SQL only: saga path). */
export async function lockProductStock(
  db: SqlClient,
  id: string,
): Promise<{
  sku: string;
  deleted: boolean;
  stockStatus: ProductRecord['stockStatus'];
  availableQuantity: number;
  stockUpdatedAt: Date | null;
} | null> {
  const rows = await db.$queryRawUnsafe<
    {
      sku: string;
      deleted: boolean;
      stock_status: ProductRecord['stockStatus'];
      available_quantity: number;
      stock_updated_at: Date | null;
    }[]
  >(
    `select sku, deleted_at is not null as deleted, stock_status::text as stock_status, available_quantity, stock_updated_at
       from products where id = $1::uuid for update`,
    id,
  );
  const row = rows[0];
  if (!row) return null;
  return {
    sku: row.sku,
    deleted: row.deleted,
    stockStatus: row.stock_status,
    availableQuantity: Number(row.available_quantity),
    stockUpdatedAt: row.stock_updated_at === null ? null : new Date(row.stock_updated_at),
  };
}

/**
 * Serialises writers of the same SKUs until the transaction ends, so the check that a SKU is free
 * (across products and variants, two tables) and the insert that takes it cannot interleave.
 */
export async function lockSkus(db: Db, skus: readonly string[]): Promise<void> {
  for (const sku of [...new Set(skus)].sort()) {
    await db.$executeRaw`select pg_advisory_xact_lock(hashtext(${`catalog-sku:${sku}`}))`;
  }
}

/** Which of `skus` are already taken, and by which product (deleted products keep their SKUs). */
export async function findSkuOwners(
  db: Db,
  skus: readonly string[],
): Promise<Array<{ sku: string; productId: string }>> {
  if (skus.length === 0) return [];
  const [products, variants] = await Promise.all([
    db.product.findMany({ where: { sku: { in: [...skus] } }, select: { sku: true, id: true } }),
    db.productVariant.findMany({ where: { sku: { in: [...skus] } }, select: { sku: true, productId: true } }),
  ]);
  return [...products.map((p) => ({ sku: p.sku, productId: p.id })), ...variants];
}

function variantRows(variants: readonly VariantState[]) {
  return variants.map((variant, position) => ({
    sku: variant.sku,
    name: variant.name,
    attributes: variant.attributes,
    position,
  }));
}

export async function insertProduct(
  db: Db,
  product: { id: string; sku: string; state: ProductState; newVariantId: () => string },
): Promise<ProductRecord> {
  const { state } = product;
  return db.product.create({
    data: {
      id: product.id,
      sku: product.sku,
      name: state.name,
      description: state.description,
      categoryId: state.categoryId,
      price: state.price,
      currency: state.currency,
      status: state.status,
      attributes: state.attributes,
      variants: {
        create: variantRows(state.variants).map((row) => ({ id: product.newVariantId(), ...row })),
      },
    },
    include: productWithVariants,
  });
}

/** Writes the new state; variants are matched by SKU, so a variant that stays keeps its id. */
export async function updateProduct(
  db: Db,
  id: string,
  state: ProductState,
  options: { variantsChanged: boolean; newVariantId: () => string },
): Promise<ProductRecord> {
  if (options.variantsChanged) {
    const rows = variantRows(state.variants);
    await db.productVariant.deleteMany({
      where: { productId: id, sku: { notIn: rows.map((row) => row.sku) } },
    });
    for (const row of rows) {
      await db.productVariant.upsert({
        where: { sku: row.sku },
        create: { id: options.newVariantId(), productId: id, ...row },
        update: { name: row.name, attributes: row.attributes, position: row.position },
      });
    }
  }
  return db.product.update({
    where: { id },
    data: {
      name: state.name,
      description: state.description,
      categoryId: state.categoryId,
      price: state.price,
      currency: state.currency,
      status: state.status,
      attributes: state.attributes,
      version: { increment: 1 },
    },
    include: productWithVariants,
  });
}

export function softDeleteProduct(db: Db, id: string, at: Date): Promise<ProductRecord> {
  return db.product.update({
    where: { id },
    data: { deletedAt: at, version: { increment: 1 } },
    include: productWithVariants,
  });
}

/** Writes the product's stock figures (SQL only: saga path). */
export async function updateStock(
  db: SqlClient,
  id: string,
  stock: {
    stockStatus: ProductRecord['stockStatus'];
    availableQuantity: number;
    stockUpdatedAt: Date | null;
  },
): Promise<void> {
  await db.$executeRawUnsafe(
    `update products set stock_status = $2::"StockStatus", available_quantity = $3::int, stock_updated_at = $4::timestamptz,
       updated_at = clock_timestamp()
     where id = $1::uuid`,
    id,
    stock.stockStatus,
    stock.availableQuantity,
    stock.stockUpdatedAt?.toISOString() ?? null,
  );
}

export async function listProducts(
  db: Db,
  query: {
    where: Prisma.ProductWhereInput;
    pageWhere: Prisma.ProductWhereInput;
    orderBy: Prisma.ProductOrderByWithRelationInput[];
    skip: number;
    take: number;
  },
): Promise<{ records: ProductRecord[]; total: number }> {
  const [records, total] = await Promise.all([
    db.product.findMany({
      where: query.pageWhere,
      orderBy: query.orderBy,
      skip: query.skip,
      take: query.take,
      include: productWithVariants,
    }),
    db.product.count({ where: query.where }),
  ]);
  return { records, total };
}

export function findProductsByIds(db: Db, ids: readonly string[]): Promise<ProductRecord[]> {
  return db.product.findMany({ where: { id: { in: [...ids] } }, include: productWithVariants });
}

export function categoryExists(db: Db, id: string): Promise<boolean> {
  return db.category.count({ where: { id } }).then((count) => count > 0);
}
