import { invalidFields, isUuid, parseId, type FieldIssue } from '@fv/service-kit';
import type { Prisma } from '../generated/prisma/client.js';
import { CATEGORY_ID_PREFIX } from './ids.js';
import { compareAmounts, parseAmount, parseCurrency } from './money.js';
import type { ProductStatusValue } from './product-state.js';

export const PRODUCT_SORTS = ['newest', 'price_asc', 'price_desc', 'name_asc'] as const;
export type ProductSort = (typeof PRODUCT_SORTS)[number];

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** The query string of `GET /products` once its schema has validated and coerced it. */
export interface ProductListQuery {
  categoryId?: string;
  minPrice?: string;
  maxPrice?: string;
  currency?: string;
  /** `name:value` pairs; a product must have every one. */
  attribute?: string[];
  inStock?: boolean;
  status?: ProductStatusValue;
  sort?: ProductSort;
  page?: number;
  pageSize?: number;
  cursor?: string;
}

export interface ProductFilter {
  /** The category asked for; the use case widens it to the category's whole subtree. */
  categoryId: string | null;
  minPrice: string | null;
  maxPrice: string | null;
  currency: string | null;
  attributes: Array<[name: string, value: string]>;
  inStock: boolean | null;
  status: ProductStatusValue;
}

/** Position after the last product of a page, in the order of `sort`. */
export interface ProductCursor {
  sort: ProductSort;
  /** The sort key of that product: ISO time, canonical price or name. */
  value: string;
  id: string;
}

export interface ProductListRequest {
  filter: ProductFilter;
  sort: ProductSort;
  pageSize: number;
  /** 1-based page when paging by number (the default); null when paging by cursor. */
  page: number | null;
  cursor: ProductCursor | null;
}

export function encodeCursor(cursor: ProductCursor): string {
  return Buffer.from(JSON.stringify([cursor.sort, cursor.value, cursor.id]), 'utf8').toString('base64url');
}

/** The cursor in `raw`, or null when it is not one this service issued. */
export function decodeCursor(raw: string): ProductCursor | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) return null;
  const [sort, value, id] = parsed as unknown[];
  if (typeof sort !== 'string' || !(PRODUCT_SORTS as readonly string[]).includes(sort)) return null;
  if (typeof value !== 'string' || typeof id !== 'string' || !isUuid(id)) return null;
  const cursor: ProductCursor = { sort: sort as ProductSort, value, id };
  if (cursor.sort === 'newest' && Number.isNaN(Date.parse(value))) return null;
  if ((cursor.sort === 'price_asc' || cursor.sort === 'price_desc') && !parseAmount(value).ok) return null;
  return cursor;
}

/** The cursor that continues after `product` in the order of `sort`. */
export function cursorAfter(
  sort: ProductSort,
  product: { id: string; createdAt: Date; price: string; name: string },
): string {
  const value =
    sort === 'newest' ? product.createdAt.toISOString() : sort === 'name_asc' ? product.name : product.price;
  return encodeCursor({ sort, value, id: product.id });
}

/**
 * Checks the rules between query parameters that a JSON schema cannot express (a price range in the
 * right order, a currency the catalog knows, a cursor this service issued, page and cursor not both)
 * and turns the query into a list request. Throws INVALID_REQUEST naming each offending parameter.
 */
export function parseProductListQuery(
  query: ProductListQuery,
  currencies: readonly string[],
): ProductListRequest {
  const issues: FieldIssue[] = [];
  const { minPrice, maxPrice } = priceRangeOf(query, issues);
  const currency = currencyOf(query, currencies, issues);
  const categoryId = categoryIdOf(query, issues);
  const attributes = attributesOf(query, issues);
  const sort = query.sort ?? 'newest';
  const cursor = cursorOf(query, sort, issues);
  const pageSize = query.pageSize ?? DEFAULT_PAGE_SIZE;
  checkPaging(query, pageSize, issues);

  if (issues.length > 0) throw invalidFields(issues);
  return {
    filter: {
      categoryId,
      minPrice,
      maxPrice,
      currency,
      attributes,
      inStock: query.inStock ?? null,
      status: query.status ?? 'ACTIVE',
    },
    sort,
    pageSize,
    page: cursor ? null : (query.page ?? 1),
    cursor,
  };
}

/** The price bounds, canonical (null where absent or bad); an issue for each bad one and a reversed range. */
function priceRangeOf(
  query: ProductListQuery,
  issues: FieldIssue[],
): { minPrice: string | null; maxPrice: string | null } {
  const amount = (name: 'minPrice' | 'maxPrice'): string | null => {
    const raw = query[name];
    if (raw === undefined) return null;
    const parsed = parseAmount(raw);
    if (parsed.ok) return parsed.value;
    issues.push({ field: `query.${name}`, rule: parsed.rule, message: parsed.message });
    return null;
  };
  const minPrice = amount('minPrice');
  const maxPrice = amount('maxPrice');
  if (minPrice !== null && maxPrice !== null && compareAmounts(minPrice, maxPrice) > 0) {
    issues.push({ field: 'query.minPrice', rule: 'range', message: 'must not be greater than maxPrice' });
  }
  return { minPrice, maxPrice };
}

/** The currency asked for, if the catalog knows it; adds an issue when it does not. */
function currencyOf(
  query: ProductListQuery,
  currencies: readonly string[],
  issues: FieldIssue[],
): string | null {
  let currency: string | null = null;
  if (query.currency !== undefined) {
    const parsed = parseCurrency(query.currency, currencies);
    if (parsed.ok) currency = parsed.value;
    else issues.push({ field: 'query.currency', rule: parsed.rule, message: parsed.message });
  }
  return currency;
}

/** The plain UUID of the category asked for; adds an issue when it is not a category id. */
function categoryIdOf(query: ProductListQuery, issues: FieldIssue[]): string | null {
  let categoryId: string | null = null;
  if (query.categoryId !== undefined) {
    categoryId = parseId(query.categoryId, CATEGORY_ID_PREFIX);
    if (categoryId === null)
      issues.push({ field: 'query.categoryId', rule: 'format', message: 'must be a category id (UUID)' });
  }
  return categoryId;
}

/** The `name:value` attribute pairs; adds an issue for each entry that is not one. */
function attributesOf(query: ProductListQuery, issues: FieldIssue[]): Array<[string, string]> {
  const attributes: Array<[string, string]> = [];
  for (const [i, entry] of (query.attribute ?? []).entries()) {
    const separator = entry.indexOf(':');
    const name = separator > 0 ? entry.slice(0, separator).trim() : '';
    const value = separator > 0 ? entry.slice(separator + 1) : '';
    if (!name || !value) {
      issues.push({
        field: `query.attribute[${i}]`,
        rule: 'format',
        message: 'must be name:value, e.g. color:red',
      });
    } else attributes.push([name, value]);
  }
  return attributes;
}

/** The cursor to go on from; an issue when it comes with a page, is not ours or is for another sort. */
function cursorOf(query: ProductListQuery, sort: ProductSort, issues: FieldIssue[]): ProductCursor | null {
  let cursor: ProductCursor | null = null;
  if (query.cursor !== undefined) {
    if (query.page !== undefined) {
      issues.push({ field: 'query.cursor', rule: 'exclusive', message: 'must not be combined with page' });
    }
    cursor = decodeCursor(query.cursor);
    if (cursor === null) {
      issues.push({
        field: 'query.cursor',
        rule: 'format',
        message: 'is not a cursor returned by this service',
      });
    } else if (cursor.sort !== sort) {
      issues.push({
        field: 'query.cursor',
        rule: 'sort',
        message: `was issued for sort=${cursor.sort}, not sort=${sort}`,
      });
    }
  }
  return cursor;
}

/** Adds an issue for a page size out of bounds and for a page number below 1. */
function checkPaging(query: ProductListQuery, pageSize: number, issues: FieldIssue[]): void {
  if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    issues.push({
      field: 'query.pageSize',
      rule: 'maximum',
      message: `must be between 1 and ${MAX_PAGE_SIZE}`,
    });
  }
  if (query.page !== undefined && query.page < 1) {
    issues.push({ field: 'query.page', rule: 'minimum', message: 'must be 1 or more' });
  }
}

/** The Prisma condition of a filter; `categoryIds` is the asked-for category and everything below it. */
export function buildProductWhere(
  filter: ProductFilter,
  categoryIds: readonly string[] | null,
): Prisma.ProductWhereInput {
  const conditions: Prisma.ProductWhereInput[] = [{ deletedAt: null }, { status: filter.status }];
  if (categoryIds !== null) conditions.push({ categoryId: { in: [...categoryIds] } });
  if (filter.minPrice !== null) conditions.push({ price: { gte: filter.minPrice } });
  if (filter.maxPrice !== null) conditions.push({ price: { lte: filter.maxPrice } });
  if (filter.currency !== null) conditions.push({ currency: filter.currency });
  if (filter.inStock !== null) conditions.push({ stockStatus: filter.inStock ? 'IN_STOCK' : 'OUT_OF_STOCK' });
  for (const [name, value] of filter.attributes)
    conditions.push({ attributes: { path: [name], equals: value } });
  return { AND: conditions };
}

/** Order of a sort, with the id as the tie-breaker so every position is unique (and a cursor exact). */
export function buildProductOrder(sort: ProductSort): Prisma.ProductOrderByWithRelationInput[] {
  switch (sort) {
    case 'newest':
      return [{ createdAt: 'desc' }, { id: 'desc' }];
    case 'price_asc':
      return [{ price: 'asc' }, { id: 'asc' }];
    case 'price_desc':
      return [{ price: 'desc' }, { id: 'desc' }];
    case 'name_asc':
      return [{ name: 'asc' }, { id: 'asc' }];
  }
}

/** Products strictly after the cursor in the order of its sort. */
export function buildCursorCondition(cursor: ProductCursor): Prisma.ProductWhereInput {
  const { value, id } = cursor;
  switch (cursor.sort) {
    case 'newest': {
      const at = new Date(value);
      return { OR: [{ createdAt: { lt: at } }, { createdAt: at, id: { lt: id } }] };
    }
    case 'price_asc':
      return { OR: [{ price: { gt: value } }, { price: value, id: { gt: id } }] };
    case 'price_desc':
      return { OR: [{ price: { lt: value } }, { price: value, id: { lt: id } }] };
    case 'name_asc':
      return { OR: [{ name: { gt: value } }, { name: value, id: { gt: id } }] };
  }
}
