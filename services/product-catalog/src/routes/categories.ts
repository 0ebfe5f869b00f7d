import { parseId, withSchemaTypes, type SchemaTypedApp } from '@fv/service-kit';
import { idempotencyHeaders, idempotentRequestOf, sendIdempotent } from '@fv/service-runtime';
import type { FastifyInstance } from 'fastify';
import type { KeyAccess } from '../access/catalog-read-access.js';
import type { CatalogContext } from '../catalog-context.js';
import { CATEGORY_ID_PREFIX } from '../domain/ids.js';
import { createCategory } from '../use-cases/create-category.js';
import { deleteCategory } from '../use-cases/delete-category.js';
import { getCategorySubtree, getCategoryTree } from '../use-cases/get-categories.js';
import { updateCategoryDetails } from '../use-cases/update-category.js';
import {
  categoryIdParams,
  categoryNodeSchema,
  categorySchema,
  createCategoryBody,
  updateCategoryBody,
} from './schemas.js';
import { storefrontRead, type StorefrontRead } from './storefront-read.js';

type IdParams = { id: string };

const categoryId = (params: IdParams) => parseId(params.id, CATEGORY_ID_PREFIX)!;
const optionalCategoryId = (value: string | null | undefined) =>
  value === undefined || value === null ? value : parseId(value, CATEGORY_ID_PREFIX)!;

const tags = ['categories'];

export function categoryRoutes(instance: FastifyInstance, ctx: CatalogContext, access: KeyAccess): void {
  const app = withSchemaTypes(instance);
  const read = storefrontRead(access);
  app.addSchema(categoryNodeSchema);
  registerGetCategoryTree(app, ctx, read);
  registerGetCategory(app, ctx, read);
  registerCreateCategory(app, ctx);
  registerUpdateCategory(app, ctx);
  registerDeleteCategory(app, ctx);
}

function registerGetCategoryTree(app: SchemaTypedApp, ctx: CatalogContext, read: StorefrontRead): void {
  app.get(
    '/categories',
    {
      ...read,
      schema: {
        tags,
        summary: 'All categories as a tree: top-level categories with their subcategories nested',
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: { $ref: 'CategoryNode#' } } } },
        },
      },
    },
    async () => ({ items: await getCategoryTree(ctx) }),
  );
}

function registerGetCategory(app: SchemaTypedApp, ctx: CatalogContext, read: StorefrontRead): void {
  app.get(
    '/categories/:id',
    {
      ...read,
      schema: {
        tags,
        summary: 'A category with its subcategories',
        params: categoryIdParams,
        response: { 200: { $ref: 'CategoryNode#' } },
      },
    },
    async (request) => getCategorySubtree(ctx, categoryId(request.params)),
  );
}

function registerCreateCategory(app: SchemaTypedApp, ctx: CatalogContext): void {
  app.post(
    '/categories',
    {
      config: { roles: ['admin'] },
      schema: {
        tags,
        summary: 'Create a category (admin), at the top level or below parentId',
        headers: idempotencyHeaders,
        body: createCategoryBody,
        response: { 201: categorySchema },
      },
    },
    async (request, reply) => {
      const answer = await createCategory(ctx, {
        name: request.body.name,
        description: request.body.description ?? null,
        parentId: optionalCategoryId(request.body.parentId) ?? null,
        idempotency: idempotentRequestOf(request, 'POST /categories'),
      });
      return sendIdempotent(reply, answer);
    },
  );
}

function registerUpdateCategory(app: SchemaTypedApp, ctx: CatalogContext): void {
  app.put(
    '/categories/:id',
    {
      config: { roles: ['admin'] },
      schema: {
        tags,
        summary: 'Rename or move a category (admin); a move below itself is refused',
        params: categoryIdParams,
        body: updateCategoryBody,
        response: { 200: categorySchema },
      },
    },
    async (request) =>
      updateCategoryDetails(ctx, {
        id: categoryId(request.params),
        ...(request.body.name !== undefined ? { name: request.body.name } : {}),
        ...(request.body.description !== undefined ? { description: request.body.description } : {}),
        ...(request.body.parentId !== undefined
          ? { parentId: optionalCategoryId(request.body.parentId) }
          : {}),
      }),
  );
}

function registerDeleteCategory(app: SchemaTypedApp, ctx: CatalogContext): void {
  app.delete(
    '/categories/:id',
    {
      config: { roles: ['admin'] },
      schema: {
        tags,
        summary: 'Delete an empty category (admin)',
        params: categoryIdParams,
        response: { 204: { type: 'null', description: 'Deleted' } },
      },
    },
    async (request, reply) => {
      await deleteCategory(ctx, categoryId(request.params));
      return reply.code(204).send();
    },
  );
}
