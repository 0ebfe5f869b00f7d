import { randomUUID } from 'node:crypto';
import { AppError } from '@fv/service-kit';
import type { CatalogContext, RequestMeta } from '../catalog-context.js';
import { recordPriceChange } from '../db/price-history.js';
import {
  findLiveProduct,
  lockLiveProduct,
  toProductState,
  toProductView,
  updateProduct,
  type ProductView,
} from '../db/products.js';
import { parseUpdateProduct, type UpdateProductBody } from '../domain/product-input.js';
import { applyProductPatch } from '../domain/product-changes.js';
import { planPriceChange } from '../domain/price-change.js';
import { productEventState } from './product-events.js';
import { assertCategoryExists, claimSkus } from './product-guards.js';

export interface UpdateProductResult {
  product: ProductView;
  changedFields: string[];
}

function productNotFound(id: string): AppError {
  return new AppError('NOT_FOUND', `Product ${id} does not exist`, { details: { productId: id } });
}

/**
 * Changes a product. A new price is written to the price history and published as PriceChanged; any
 * change is published as ProductUpdated with the fields that changed. A request that changes nothing
 * writes and publishes nothing.
 */
export async function updateProductDetails(
  ctx: CatalogContext,
  input: { id: string; body: UpdateProductBody; meta: RequestMeta },
): Promise<UpdateProductResult> {
  return ctx.transaction(async (tx) => {
    if (!(await lockLiveProduct(tx, input.id))) throw productNotFound(input.id);
    const current = (await findLiveProduct(tx, input.id))!;
    const { patch, expectedVersion } = parseUpdateProduct(input.body, current, ctx.config.CATALOG_CURRENCIES);
    if (expectedVersion !== null && expectedVersion !== current.version) {
      throw new AppError(
        'CONFLICT',
        `Product ${input.id} is at version ${current.version}, not ${expectedVersion}`,
        {
          details: {
            field: 'body.version',
            productId: input.id,
            currentVersion: current.version,
            reason: 'VERSION_MISMATCH',
          },
        },
      );
    }

    const before = toProductState(current);
    const { next, changedFields } = applyProductPatch(before, patch);
    if (changedFields.length === 0) return { product: toProductView(current), changedFields };

    if (changedFields.includes('categoryId'))
      await assertCategoryExists(tx, next.categoryId, 'body.categoryId');
    if (changedFields.includes('variants')) {
      await claimSkus(
        tx,
        input.id,
        next.variants.map((variant, i) => ({ sku: variant.sku, field: `body.variants[${i}].sku` })),
      );
    }

    const record = await updateProduct(tx, input.id, next, {
      variantsChanged: changedFields.includes('variants'),
      newVariantId: randomUUID,
    });
    const view = toProductView(record);
    const meta = { correlationId: input.id, traceparent: input.meta.traceparent };

    const priceChange = planPriceChange(
      { amount: before.price, currency: before.currency },
      { amount: next.price, currency: next.currency },
    );
    if (priceChange) {
      await recordPriceChange(tx, {
        id: randomUUID(),
        productId: input.id,
        change: priceChange,
        changedBy: input.meta.actor,
        at: record.updatedAt,
      });
      await ctx.outbox.publish(
        tx,
        'PriceChanged',
        {
          productId: input.id,
          sku: view.sku,
          previousPrice: priceChange.previous.amount,
          newPrice: priceChange.next.amount,
          currency: priceChange.next.currency,
          previousCurrency:
            priceChange.previous.currency === priceChange.next.currency
              ? null
              : priceChange.previous.currency,
        },
        meta,
      );
    }
    await ctx.outbox.publish(tx, 'ProductUpdated', { ...productEventState(view), changedFields }, meta);
    return { product: view, changedFields };
  });
}
