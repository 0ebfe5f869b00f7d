import { randomUUID } from 'node:crypto';
import { idempotently, type IdempotentRequest, type IdempotentResult } from '@fv/service-runtime';
import { idempotencyOptions, type CatalogContext, type RequestMeta } from '../catalog-context.js';
import { recordInitialPrice } from '../db/price-history.js';
import { insertProduct, toProductView, type ProductView } from '../db/products.js';
import type { ProductState } from '../domain/product-state.js';
import { productEventState } from './product-events.js';
import { assertCategoryExists, claimSkus } from './product-guards.js';

export interface CreateProductInput {
  sku: string;
  state: ProductState;
  meta: RequestMeta;
  idempotency: IdempotentRequest | null;
}

/** Adds a product with its variants and first price, and publishes ProductCreated, in one transaction. */
export async function createProduct(
  ctx: CatalogContext,
  input: CreateProductInput,
): Promise<IdempotentResult<ProductView>> {
  return ctx.transaction((tx) =>
    idempotently<ProductView>(
      tx,
      input.idempotency,
      async () => {
        const id = randomUUID();
        await claimSkus(tx, id, [
          { sku: input.sku, field: 'body.sku' },
          ...input.state.variants.map((variant, i) => ({
            sku: variant.sku,
            field: `body.variants[${i}].sku`,
          })),
        ]);
        await assertCategoryExists(tx, input.state.categoryId, 'body.categoryId');
        const record = await insertProduct(tx, {
          id,
          sku: input.sku,
          state: input.state,
          newVariantId: randomUUID,
        });
        await recordInitialPrice(tx, {
          id: randomUUID(),
          productId: id,
          price: input.state.price,
          currency: input.state.currency,
          changedBy: input.meta.actor,
          at: record.createdAt,
        });
        const view = toProductView(record);
        await ctx.outbox.publish(tx, 'ProductCreated', productEventState(view), {
          correlationId: id,
          traceparent: input.meta.traceparent,
        });
        return { statusCode: 201, body: view };
      },
      idempotencyOptions(ctx),
    ),
  );
}
