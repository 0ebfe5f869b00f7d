import { parseId, withSchemaTypes, type SchemaTypedApp } from '@fv/service-kit';
import { idempotencyHeaders, idempotentRequestOf, sendIdempotent } from '@fv/service-runtime';
import type { FastifyInstance } from 'fastify';
import type { KeyAccess } from '../access/catalog-read-access.js';
import type { CatalogContext } from '../catalog-context.js';
import { PRODUCT_ID_PREFIX } from '../domain/ids.js';
import { parseCreateProduct } from '../domain/product-input.js';
import { createProduct } from '../use-cases/create-product.js';
import { deleteProduct } from '../use-cases/delete-product.js';
import { getProduct } from '../use-cases/get-product.js';
import { listPriceHistory } from '../use-cases/list-price-history.js';
import { listProducts } from '../use-cases/list-products.js';
import { searchProducts } from '../use-cases/search-products.js';
import { updateProductDetails } from '../use-cases/update-product.js';
import { requestMeta } from './request-meta.js';
import { storefrontRead, type StorefrontRead } from './storefront-read.js';
import {
  createProductBody,
  pagingOnlyQuery,
  priceHistorySchema,
  productIdParams,
  productPageSchema,
  productSchema,
  listProductsQuery,
  searchPageSchema,
  searchQuery,
  updateProductBody,
} from './schemas.js';

type IdParams = { id: string };

/** The id in a path that its schema has already checked: the plain UUID. */
const productId = (params: IdParams) => parseId(params.id, PRODUCT_ID_PREFIX)!;

const tags = ['products'];

export function productRoutes(instance: FastifyInstance, ctx: CatalogContext, access: KeyAccess): void {
  const app = withSchemaTypes(instance);
  const read = storefrontRead(access);
  registerListProducts(app, ctx, read);
  registerSearchProducts(app, ctx, read);
  registerGetProduct(app, ctx, read);
  registerListPriceHistory(app, ctx);
  registerCreateProduct(app, ctx);
  registerUpdateProduct(app, ctx);
  registerDeleteProduct(app, ctx);
}

function registerListProducts(app: SchemaTypedApp, ctx: CatalogContext, read: StorefrontRead): void {
  app.get(
    '/products',
    {
      ...read,
      schema: {
        tags,
        summary:
          'List products with filters (category and below, price range, attributes, stock, status), by page or cursor',
        querystring: listProductsQuery,
        response: { 200: productPageSchema },
      },
    },
    async (request) => listProducts(ctx, request.query),
  );
}

function registerSearchProducts(app: SchemaTypedApp, ctx: CatalogContext, read: StorefrontRead): void {
  app.get(
    '/products/search',
    {
      ...read,
      schema: {
        tags,
        summary: 'Full-text search over active products, best match first',
        querystring: searchQuery,
        response: { 200: searchPageSchema },
      },
    },
    async (request) => searchProducts(ctx, request.query),
  );
}

function registerGetProduct(app: SchemaTypedApp, ctx: CatalogContext, read: StorefrontRead): void {
  app.get(
    '/products/:id',
    {
      ...read,
      schema: { tags, summary: 'Get a product', params: productIdParams, response: { 200: productSchema } },
    },
    async (request) => getProduct(ctx, productId(request.params)),
  );
}

function registerListPriceHistory(app: SchemaTypedApp, ctx: CatalogContext): void {
  app.get(
    '/products/:id/prices',
    {
      schema: {
        tags,
        summary: 'Price history of a product, newest first',
        params: productIdParams,
        querystring: pagingOnlyQuery,
        response: { 200: priceHistorySchema },
      },
    },
    async (request) => listPriceHistory(ctx, { id: productId(request.params), ...request.query }),
  );
}

function registerCreateProduct(app: SchemaTypedApp, ctx: CatalogContext): void {
  app.post(
    '/products',
    {
      config: { roles: ['admin'] },
      schema: {
        tags,
        summary: 'Create a product (admin); publishes ProductCreated',
        headers: idempotencyHeaders,
        body: createProductBody,
        response: { 201: productSchema },
      },
    },
    async (request, reply) => {
      const { sku, state } = parseCreateProduct(request.body, ctx.config.CATALOG_CURRENCIES);
      const answer = await createProduct(ctx, {
        sku,
        state,
        meta: requestMeta(request),
        idempotency: idempotentRequestOf(request, 'POST /products'),
      });
      return sendIdempotent(reply, answer);
    },
  );
}

function registerUpdateProduct(app: SchemaTypedApp, ctx: CatalogContext): void {
  app.put(
    '/products/:id',
    {
      config: { roles: ['admin'] },
      schema: {
        tags,
        summary:
          'Change a product (admin): the fields sent change, the others stay; publishes ProductUpdated and PriceChanged',
        params: productIdParams,
        body: updateProductBody,
        response: { 200: productSchema },
      },
    },
    async (request) => {
      const result = await updateProductDetails(ctx, {
        id: productId(request.params),
        body: request.body,
        meta: requestMeta(request),
      });
      return result.product;
    },
  );
}

function registerDeleteProduct(app: SchemaTypedApp, ctx: CatalogContext): void {
  app.delete(
    '/products/:id',
    {
      config: { roles: ['admin'] },
      schema: {
        tags,
        summary: 'Remove a product (admin; kept as deleted with its history); publishes ProductDeleted',
        params: productIdParams,
        response: { 204: { type: 'null', description: 'Deleted' } },
      },
    },
    async (request, reply) => {
      await deleteProduct(ctx, { id: productId(request.params), meta: requestMeta(request) });
      return reply.code(204).send();
    },
  );
}
