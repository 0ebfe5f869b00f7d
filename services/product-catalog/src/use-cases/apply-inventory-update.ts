import type { InventoryUpdated } from '@fv/contracts';
import type { HandlerContext } from '@fv/messaging';
import { NonRetriableError } from '@fv/messaging';
import { parseId } from '@fv/service-kit';
import type { CatalogContext } from '../catalog-context.js';
import { lockProductStock, updateStock } from '../db/products.js';
import { PRODUCT_ID_PREFIX } from '../domain/ids.js';
import { applyInventoryLevel } from '../domain/stock.js';

/**
 * Keeps a product's stock status in step with inventory. When a product that was in stock has nothing
 * available any more, ProductOutOfStock is published (once per transition). An event that can never
 * be applied (a malformed id, negative stock, a product the catalog never had) is refused for the DLQ.
 */
export async function applyInventoryUpdate(
  ctx: CatalogContext,
  event: InventoryUpdated,
  handler: Pick<HandlerContext, 'tx' | 'causedBy' | 'logger'>,
): Promise<void> {
  const productId = parseId(event.productId, PRODUCT_ID_PREFIX);
  if (productId === null) {
    throw new NonRetriableError(
      `InventoryUpdated ${event.eventId}: productId ${event.productId} is not a product id`,
      'INVALID_EVENT',
    );
  }
  if (!Number.isInteger(event.totalAvailable) || event.totalAvailable < 0) {
    throw new NonRetriableError(
      `InventoryUpdated ${event.eventId}: totalAvailable must be a non-negative integer, got ${event.totalAvailable}`,
      'INVALID_EVENT',
    );
  }
  const { tx } = handler;
  const current = await lockProductStock(tx, productId);
  if (!current) {
    throw new NonRetriableError(
      `InventoryUpdated ${event.eventId}: product ${productId} is not in the catalog`,
      'PRODUCT_NOT_FOUND',
    );
  }
  const update = applyInventoryLevel(current, {
    totalAvailable: event.totalAvailable,
    occurredAt: new Date(event.occurredAt),
  });
  if (update.kind === 'stale') {
    handler.logger.info({ productId }, 'inventory report older than the stock figures held; ignored');
    return;
  }
  await updateStock(tx, productId, update.next);
  if (update.becameInStock)
    handler.logger.info({ productId, available: event.totalAvailable }, 'product back in stock');
  if (update.becameOutOfStock && !current.deleted) {
    await ctx.outbox.publish(
      tx,
      'ProductOutOfStock',
      { productId, sku: current.sku },
      { ...handler.causedBy(), key: productId },
    );
  }
}
