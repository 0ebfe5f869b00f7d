import { idPattern } from '@fv/service-kit';
import { CATEGORY_ID_PREFIX, PRODUCT_ID_PREFIX } from '../domain/ids.js';
import { MAX_PAGE_SIZE, PRODUCT_SORTS } from '../domain/product-filters.js';
import { PRODUCT_STATUSES, STOCK_STATUSES } from '../domain/product-state.js';

const SKU = {
  type: 'string',
  pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$',
  description: 'Letters, digits, ".", "_" and "-"; up to 64',
} as const;

export const attributesSchema = {
  type: 'object',
  description: 'Attribute name to value, e.g. {"color": "red"}',
  maxProperties: 50,
  propertyNames: { pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' },
  additionalProperties: { type: 'string', minLength: 1, maxLength: 500 },
} as const;

const variantBody = {
  type: 'object',
  required: ['sku', 'name'],
  additionalProperties: false,
  properties: {
    sku: SKU,
    name: { type: 'string', minLength: 1, maxLength: 200 },
    attributes: attributesSchema,
  },
} as const;

const productFields = {
  sku: SKU,
  name: { type: 'string', minLength: 1, maxLength: 200 },
  description: { type: ['string', 'null'], maxLength: 10_000 },
  categoryId: { type: ['string', 'null'], pattern: idPattern(CATEGORY_ID_PREFIX) },
  // A string first: a JSON number is read as the decimal it is written as, never through a float.
  price: {
    anyOf: [{ type: 'string' }, { type: 'number' }],
    description: 'Decimal with at most two places, e.g. "19.99"; never negative',
  },
  currency: {
    type: 'string',
    minLength: 3,
    maxLength: 3,
    description: 'ISO 4217 code the catalog prices in',
  },
  status: { type: 'string', enum: PRODUCT_STATUSES },
  attributes: attributesSchema,
  variants: { type: 'array', maxItems: 100, items: variantBody },
} as const;

export const createProductBody = {
  type: 'object',
  required: ['sku', 'name', 'price', 'currency'],
  additionalProperties: false,
  properties: productFields,
} as const;

export const updateProductBody = {
  type: 'object',
  minProperties: 1,
  additionalProperties: false,
  properties: {
    ...productFields,
    version: {
      type: 'integer',
      minimum: 1,
      description: 'The version last read; the update is refused with 409 if the product changed since',
    },
  },
} as const;

export const productIdParams = {
  type: 'object',
  required: ['id'],
  properties: {
    id: {
      type: 'string',
      pattern: idPattern(PRODUCT_ID_PREFIX),
      description: 'UUID, optionally prefixed "prod-"',
    },
  },
} as const;

export const categoryIdParams = {
  type: 'object',
  required: ['id'],
  properties: {
    id: {
      type: 'string',
      pattern: idPattern(CATEGORY_ID_PREFIX),
      description: 'UUID, optionally prefixed "cat-"',
    },
  },
} as const;

const pagingQuery = {
  page: { type: 'integer', minimum: 1, maximum: 1_000_000 },
  pageSize: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE },
} as const;

export const listProductsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    categoryId: {
      type: 'string',
      pattern: idPattern(CATEGORY_ID_PREFIX),
      description: 'The category and its subcategories',
    },
    minPrice: { type: 'string', maxLength: 20 },
    maxPrice: { type: 'string', maxLength: 20 },
    currency: { type: 'string', maxLength: 3 },
    attribute: {
      type: 'array',
      maxItems: 20,
      items: { type: 'string', maxLength: 600 },
      description: 'name:value; repeat for several (all must match)',
    },
    inStock: { type: 'boolean' },
    status: { type: 'string', enum: PRODUCT_STATUSES, default: 'ACTIVE' },
    sort: { type: 'string', enum: PRODUCT_SORTS, default: 'newest' },
    ...pagingQuery,
    cursor: { type: 'string', maxLength: 1000, description: 'pageInfo.nextCursor of the previous page' },
  },
} as const;

export const searchQuery = {
  type: 'object',
  required: ['q'],
  additionalProperties: false,
  properties: {
    q: {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      description: 'Words, "quoted phrases", -excluded words',
    },
    ...pagingQuery,
  },
} as const;

export const pagingOnlyQuery = {
  type: 'object',
  additionalProperties: false,
  properties: pagingQuery,
} as const;

const nullableString = { type: ['string', 'null'] } as const;

export const pageInfoSchema = {
  type: 'object',
  required: ['page', 'pageSize', 'totalItems', 'totalPages', 'nextCursor'],
  properties: {
    page: { type: ['integer', 'null'] },
    pageSize: { type: 'integer' },
    totalItems: { type: 'integer' },
    totalPages: { type: 'integer' },
    nextCursor: nullableString,
  },
} as const;

const productProperties = {
  id: { type: 'string', format: 'uuid' },
  sku: { type: 'string' },
  name: { type: 'string' },
  description: nullableString,
  categoryId: nullableString,
  price: { type: 'string', description: 'Decimal string' },
  currency: { type: 'string' },
  status: { type: 'string', enum: PRODUCT_STATUSES },
  attributes: { type: 'object', additionalProperties: { type: 'string' } },
  variants: {
    type: 'array',
    items: {
      type: 'object',
      properties: {
        id: { type: 'string' },
        sku: { type: 'string' },
        name: { type: 'string' },
        attributes: { type: 'object', additionalProperties: { type: 'string' } },
      },
    },
  },
  stockStatus: { type: 'string', enum: STOCK_STATUSES },
  availableQuantity: { type: 'integer' },
  stockUpdatedAt: nullableString,
  version: { type: 'integer' },
  createdAt: { type: 'string' },
  updatedAt: { type: 'string' },
} as const;

export const productSchema = { type: 'object', properties: productProperties } as const;

export const productPageSchema = {
  type: 'object',
  properties: { items: { type: 'array', items: productSchema }, pageInfo: pageInfoSchema },
} as const;

export const searchPageSchema = {
  type: 'object',
  properties: {
    items: {
      type: 'array',
      items: { type: 'object', properties: { ...productProperties, rank: { type: 'number' } } },
    },
    pageInfo: pageInfoSchema,
  },
} as const;

export const priceHistorySchema = {
  type: 'object',
  properties: {
    productId: { type: 'string' },
    sku: { type: 'string' },
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          price: { type: 'string' },
          currency: { type: 'string' },
          previousPrice: nullableString,
          previousCurrency: nullableString,
          changedBy: { type: 'string' },
          changedAt: { type: 'string' },
        },
      },
    },
    pageInfo: pageInfoSchema,
  },
} as const;

const categoryProperties = {
  id: { type: 'string', format: 'uuid' },
  name: { type: 'string' },
  description: nullableString,
  parentId: nullableString,
  createdAt: { type: 'string' },
  updatedAt: { type: 'string' },
} as const;

export const categorySchema = { type: 'object', properties: categoryProperties } as const;

/** A category with its subcategories, recursively (registered once, referenced as `CategoryNode#`). */
export const categoryNodeSchema = {
  $id: 'CategoryNode',
  type: 'object',
  properties: { ...categoryProperties, children: { type: 'array', items: { $ref: 'CategoryNode#' } } },
} as const;

const categoryName = { type: 'string', minLength: 1, maxLength: 120 } as const;
const categoryDescription = { type: ['string', 'null'], maxLength: 2000 } as const;
const parentId = {
  type: ['string', 'null'],
  pattern: idPattern(CATEGORY_ID_PREFIX),
  description: 'null for a top-level category',
} as const;

export const createCategoryBody = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: { name: categoryName, description: categoryDescription, parentId },
} as const;

export const updateCategoryBody = {
  type: 'object',
  minProperties: 1,
  additionalProperties: false,
  properties: { name: categoryName, description: categoryDescription, parentId },
} as const;
