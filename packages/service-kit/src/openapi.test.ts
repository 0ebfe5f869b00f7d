import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp } from './test-support/test-app.js';

let app: FastifyInstance;

beforeEach(async () => {
  ({ app } = await buildTestApp());
  await app.register(
    async (api) => {
      api.post(
        '/products',
        {
          config: { roles: ['admin'] },
          schema: {
            summary: 'Create a product',
            tags: ['products'],
            body: {
              type: 'object',
              required: ['name', 'price'],
              properties: { name: { type: 'string' }, price: { type: 'number', minimum: 0 } },
            },
            response: {
              201: { type: 'object', properties: { id: { type: 'string', format: 'uuid' } } },
            },
          },
        },
        async (_request, reply) => reply.code(201).send({ id: '6f1c1f5e-3a55-4f43-9b0f-7a0b1f1f2d11' }),
      );
      api.get(
        '/products',
        { config: { public: true }, schema: { summary: 'List products' } },
        async () => [],
      );
    },
    { prefix: '/api/v1' },
  );
});

afterEach(async () => {
  await app.close();
});

describe('OpenAPI document', () => {
  it('lists a route with its schema and the bearer requirement', async () => {
    const response = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(response.statusCode).toBe(200);
    const document: unknown = response.json();

    expect(document).toMatchObject({
      openapi: '3.0.3',
      info: { title: 'test-service', version: '1.2.3' },
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
        schemas: { ErrorEnvelope: { type: 'object', required: ['error'] } },
      },
      paths: {
        '/api/v1/products': {
          post: {
            summary: 'Create a product',
            tags: ['products'],
            security: [{ bearerAuth: [] }],
            requestBody: {
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    required: ['name', 'price'],
                    properties: { name: { type: 'string' }, price: { type: 'number', minimum: 0 } },
                  },
                },
              },
            },
            responses: {
              '201': {
                content: {
                  'application/json': { schema: { properties: { id: { type: 'string', format: 'uuid' } } } },
                },
              },
              '401': {
                content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorEnvelope' } } },
              },
              '403': {
                content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorEnvelope' } } },
              },
            },
          },
        },
      },
    });
  });

  it('marks open routes as needing no token', async () => {
    const document = (await app.inject({ method: 'GET', url: '/docs/json' })).json<{
      paths: Record<string, { get?: { security?: unknown; responses: Record<string, unknown> } }>;
    }>();
    expect(document.paths['/api/v1/products']?.get?.security).toEqual([]);
    expect(document.paths['/api/v1/products']?.get?.responses['401']).toBeUndefined();
    expect(document.paths['/health/ready']?.get?.security).toEqual([]);
  });

  it('serves the UI at /docs', async () => {
    const response = await app.inject({ method: 'GET', url: '/docs' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/html');
  });
});
