import { AppError } from '@fv/service-kit';
import type { CatalogContext } from '../catalog-context.js';
import { listPriceHistory as queryHistory, type PriceHistoryEntry } from '../db/price-history.js';
import { findLiveProduct } from '../db/products.js';
import { DEFAULT_PAGE_SIZE } from '../domain/product-filters.js';
import { pageInfo, type PageInfo } from './page-info.js';

export interface PriceHistoryPage {
  productId: string;
  sku: string;
  items: PriceHistoryEntry[];
  pageInfo: PageInfo;
}

/** Every price a product has had, newest first. */
export async function listPriceHistory(
  ctx: CatalogContext,
  query: { id: string; page?: number; pageSize?: number },
): Promise<PriceHistoryPage> {
  const product = await findLiveProduct(ctx.prisma, query.id);
  if (!product)
    throw new AppError('NOT_FOUND', `Product ${query.id} does not exist`, {
      details: { productId: query.id },
    });
  const page = query.page ?? 1;
  const pageSize = query.pageSize ?? DEFAULT_PAGE_SIZE;
  const { entries, total } = await queryHistory(ctx.prisma, query.id, {
    skip: (page - 1) * pageSize,
    take: pageSize,
  });
  return {
    productId: product.id,
    sku: product.sku,
    items: entries,
    pageInfo: pageInfo({ page, pageSize, totalItems: total }),
  };
}
