import { invalidFields } from '@fv/service-kit';
import type { CatalogContext } from '../catalog-context.js';
import { listCategories } from '../db/categories.js';
import { listProducts as queryProducts, toProductView, type ProductView } from '../db/products.js';
import { subtreeIds } from '../domain/category-tree.js';
import {
  buildCursorCondition,
  buildProductOrder,
  buildProductWhere,
  cursorAfter,
  parseProductListQuery,
  type ProductListQuery,
} from '../domain/product-filters.js';
import { pageInfo, type PageInfo } from './page-info.js';

export interface ProductPage {
  items: ProductView[];
  pageInfo: PageInfo;
}

/**
 * Products matching the filters, a page at a time, by page number or by cursor. A category filter
 * takes in the category's subcategories too.
 */
export async function listProducts(ctx: CatalogContext, query: ProductListQuery): Promise<ProductPage> {
  const request = parseProductListQuery(query, ctx.config.CATALOG_CURRENCIES);
  let categoryIds: string[] | null = null;
  if (request.filter.categoryId !== null) {
    const categories = await listCategories(ctx.prisma);
    if (!categories.some((category) => category.id === request.filter.categoryId)) {
      throw invalidFields([
        {
          field: 'query.categoryId',
          rule: 'exists',
          message: `category ${request.filter.categoryId} does not exist`,
        },
      ]);
    }
    categoryIds = subtreeIds(categories, request.filter.categoryId);
  }
  const where = buildProductWhere(request.filter, categoryIds);
  const pageWhere = request.cursor ? { AND: [where, buildCursorCondition(request.cursor)] } : where;
  const { records, total } = await queryProducts(ctx.prisma, {
    where,
    pageWhere,
    orderBy: buildProductOrder(request.sort),
    skip: request.page === null ? 0 : (request.page - 1) * request.pageSize,
    // One more than the page holds tells whether another page follows.
    take: request.pageSize + 1,
  });
  const items = records.slice(0, request.pageSize).map(toProductView);
  const last = items.at(-1);
  const nextCursor =
    records.length > request.pageSize && last
      ? cursorAfter(request.sort, {
          id: last.id,
          createdAt: new Date(last.createdAt),
          price: last.price,
          name: last.name,
        })
      : null;
  return {
    items,
    pageInfo: pageInfo({ page: request.page, pageSize: request.pageSize, totalItems: total, nextCursor }),
  };
}
