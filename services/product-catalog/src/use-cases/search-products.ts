import { invalidFields } from '@fv/service-kit';
import type { CatalogContext } from '../catalog-context.js';
import { searchProducts as querySearch } from '../db/product-search.js';
import { findProductsByIds, toProductView, type ProductView } from '../db/products.js';
import { DEFAULT_PAGE_SIZE } from '../domain/product-filters.js';
import { pageInfo, type PageInfo } from './page-info.js';

export interface SearchPage {
  items: Array<ProductView & { rank: number }>;
  pageInfo: PageInfo;
}

/** Full-text search over active products, best match first (a name match ranks above a description match). */
export async function searchProducts(
  ctx: CatalogContext,
  query: { q: string; page?: number; pageSize?: number },
): Promise<SearchPage> {
  const text = query.q.trim();
  if (!text) throw invalidFields([{ field: 'query.q', rule: 'minLength', message: 'must not be blank' }]);
  const page = query.page ?? 1;
  const pageSize = query.pageSize ?? DEFAULT_PAGE_SIZE;
  const { hits, total } = await querySearch(ctx.prisma, {
    text,
    skip: (page - 1) * pageSize,
    take: pageSize,
  });
  const records = new Map(
    (
      await findProductsByIds(
        ctx.prisma,
        hits.map((hit) => hit.id),
      )
    ).map((record) => [record.id, record]),
  );
  const items = hits.flatMap((hit) => {
    const record = records.get(hit.id);
    return record ? [{ ...toProductView(record), rank: hit.rank }] : [];
  });
  return { items, pageInfo: pageInfo({ page, pageSize, totalItems: total }) };
}
