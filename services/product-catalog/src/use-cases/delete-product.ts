import { AppError } from '@fv/service-kit';
import type { CatalogContext, RequestMeta } from '../catalog-context.js';
import { lockLiveProduct, softDeleteProduct } from '../db/products.js';

/**
 * Removes a product from the catalog (a soft delete: its history, SKU and price history stay) and
 * publishes ProductDeleted.
 */
export async function deleteProduct(
  ctx: CatalogContext,
  input: { id: string; meta: RequestMeta },
): Promise<void> {
  await ctx.transaction(async (tx) => {
    if (!(await lockLiveProduct(tx, input.id))) {
      throw new AppError('NOT_FOUND', `Product ${input.id} does not exist`, {
        details: { productId: input.id },
      });
    }
    const record = await softDeleteProduct(tx, input.id, new Date());
    await ctx.outbox.publish(
      tx,
      'ProductDeleted',
      { productId: record.id, sku: record.sku },
      { correlationId: record.id, traceparent: input.meta.traceparent },
    );
  });
}
