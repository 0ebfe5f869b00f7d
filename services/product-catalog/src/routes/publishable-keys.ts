import { requirePrincipal, withSchemaTypes, type SchemaTypedApp } from '@fv/service-kit';
import type { FastifyInstance } from 'fastify';
import type { KeyAccess } from '../access/catalog-read-access.js';
import type { CatalogContext } from '../catalog-context.js';
import { PUBLISHABLE_KEY_SCOPES } from '../domain/publishable-key.js';
import { createPublishableKey } from '../use-cases/create-publishable-key.js';
import { getPublishableKey, getPublishableKeys } from '../use-cases/get-publishable-keys.js';
import { revokePublishableKey } from '../use-cases/revoke-publishable-key.js';

const keyFields = {
  id: { type: 'string', format: 'uuid' },
  name: { type: 'string' },
  keyPrefix: { type: 'string', description: 'The first characters of the key, to tell keys apart' },
  scopes: { type: 'array', items: { type: 'string', enum: PUBLISHABLE_KEY_SCOPES } },
  rateLimitPerMinute: { type: 'integer' },
  createdBy: { type: 'string' },
  createdAt: { type: 'string', format: 'date-time' },
  revokedAt: { type: ['string', 'null'], format: 'date-time' },
} as const;

const keySchema = { type: 'object', properties: keyFields } as const;

const tags = ['publishable keys'];

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', format: 'uuid' } },
} as const;

/**
 * Publishable keys (admin): a storefront's key to read the catalog without a customer's login. The key
 * is in the creation answer only; lists show its prefix.
 */
export function publishableKeyRoutes(
  instance: FastifyInstance,
  ctx: CatalogContext,
  access: KeyAccess,
): void {
  const app = withSchemaTypes(instance);
  registerCreatePublishableKey(app, ctx);
  registerListPublishableKeys(app, ctx);
  registerGetPublishableKey(app, ctx);
  registerRevokePublishableKey(app, ctx, access);
}

function registerCreatePublishableKey(app: SchemaTypedApp, ctx: CatalogContext): void {
  app.post(
    '/publishable-keys',
    {
      config: { roles: ['admin'] },
      schema: {
        tags,
        summary: 'Create a publishable key for a storefront (admin); the key is shown in this answer only',
        body: {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 120, pattern: '\\S' },
            scopes: {
              type: 'array',
              minItems: 1,
              uniqueItems: true,
              items: { type: 'string', enum: PUBLISHABLE_KEY_SCOPES },
              description:
                'What the key may do; catalog:read (list, search, product and category reads) by default',
            },
            rateLimitPerMinute: {
              type: 'integer',
              minimum: 1,
              maximum: 1_000_000,
              description:
                'Requests a minute across every page that uses the key (PUBLISHABLE_KEY_RATE_LIMIT_PER_MINUTE by default)',
            },
          },
        },
        response: {
          201: {
            type: 'object',
            properties: {
              ...keyFields,
              key: { type: 'string', description: 'The key; not retrievable later' },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const created = await createPublishableKey(ctx, {
        ...request.body,
        createdBy: requirePrincipal(request).sub,
      });
      reply.code(201).header('location', `/api/v1/publishable-keys/${created.id}`);
      // The key must not linger in any shared cache.
      reply.header('cache-control', 'no-store');
      return created;
    },
  );
}

function registerListPublishableKeys(app: SchemaTypedApp, ctx: CatalogContext): void {
  app.get(
    '/publishable-keys',
    {
      config: { roles: ['admin'] },
      schema: {
        tags,
        summary: 'List publishable keys, newest first (admin); revoked ones too unless active=true',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { active: { type: 'boolean', description: 'Only keys not revoked' } },
        },
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: keySchema } } } },
      },
    },
    async (request) => getPublishableKeys(ctx, { activeOnly: request.query.active === true }),
  );
}

function registerGetPublishableKey(app: SchemaTypedApp, ctx: CatalogContext): void {
  app.get(
    '/publishable-keys/:id',
    {
      config: { roles: ['admin'] },
      schema: { tags, summary: 'A publishable key (admin)', params: idParams, response: { 200: keySchema } },
    },
    async (request) => getPublishableKey(ctx, request.params.id),
  );
}

function registerRevokePublishableKey(app: SchemaTypedApp, ctx: CatalogContext, access: KeyAccess): void {
  app.delete(
    '/publishable-keys/:id',
    {
      config: { roles: ['admin'] },
      schema: {
        tags,
        summary: 'Revoke a publishable key for good (admin); it is kept, with revokedAt',
        params: idParams,
        response: { 204: { type: 'null', description: 'Revoked' } },
      },
    },
    async (request, reply) => {
      await revokePublishableKey(ctx, access.verifier, request.params.id);
      return reply.code(204).send();
    },
  );
}
