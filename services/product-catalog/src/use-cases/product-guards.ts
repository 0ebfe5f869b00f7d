import { AppError, invalidFields } from '@fv/service-kit';
import type { Db } from '../catalog-context.js';
import { categoryExists, findSkuOwners, lockSkus } from '../db/products.js';

/**
 * Takes the SKUs for `productId` (locked until the transaction ends) or refuses with 409 naming the
 * first one another product — live or deleted — already holds.
 */
export async function claimSkus(
  tx: Db,
  productId: string,
  skus: ReadonlyArray<{ sku: string; field: string }>,
): Promise<void> {
  await lockSkus(
    tx,
    skus.map((entry) => entry.sku),
  );
  const owners = await findSkuOwners(
    tx,
    skus.map((entry) => entry.sku),
  );
  const taken = owners.find((owner) => owner.productId !== productId);
  if (!taken) return;
  const field = skus.find((entry) => entry.sku === taken.sku)?.field ?? 'body.sku';
  throw new AppError('CONFLICT', `SKU ${taken.sku} is already used by another product`, {
    details: { field, sku: taken.sku, reason: 'DUPLICATE_SKU' },
  });
}

/** Refuses a category id that names no category, naming the field. */
export async function assertCategoryExists(tx: Db, categoryId: string | null, field: string): Promise<void> {
  if (categoryId === null) return;
  if (!(await categoryExists(tx, categoryId))) {
    throw invalidFields([{ field, rule: 'exists', message: `category ${categoryId} does not exist` }]);
  }
}
