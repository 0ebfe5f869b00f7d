import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signToken } from './auth.js';
import { buildTestApp, TEST_SECRET } from './test-support/test-app.js';

const token = signToken(TEST_SECRET, { sub: 'admin-1', roles: ['admin'], expiresIn: '1h' });
const auth = { authorization: `Bearer ${token}` };
const json = { ...auth, 'content-type': 'application/json' };

let app: FastifyInstance;

beforeEach(async () => {
  ({ app } = await buildTestApp());
  await app.register(
    async (api) => {
      api.delete('/things/:id', async (_request, reply) => reply.code(204).send());
      api.post('/things/:id/touch', async (request) => ({ body: request.body ?? null }));
      api.put(
        '/stock/:location',
        {
          schema: {
            params: {
              type: 'object',
              properties: { location: { type: 'string' } },
            },
            querystring: {
              type: 'object',
              properties: { size: { type: 'integer' }, dryRun: { type: 'boolean' } },
            },
            body: {
              type: 'object',
              required: ['onHand'],
              additionalProperties: false,
              properties: {
                onHand: { type: 'integer', minimum: 0 },
                note: { type: 'string' },
                tags: { type: 'array', items: { type: 'string' } },
              },
            },
          },
        },
        async (request) => ({ body: request.body, query: request.query }),
      );
    },
    { prefix: '/api/v1' },
  );
});

afterEach(async () => {
  await app.close();
});

describe('bodiless requests that say application/json', () => {
  it('deletes with Content-Type: application/json and no body', async () => {
    const response = await app.inject({ method: 'DELETE', url: '/api/v1/things/1', headers: json });
    expect(response.statusCode).toBe(204);
  });

  it('posts with Content-Type: application/json and an empty or blank body', async () => {
    for (const payload of ['', '  \n']) {
      const response = await app.inject({
        method: 'POST',
        url: '/api/v1/things/1/touch',
        headers: json,
        payload,
      });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ body: null });
    }
  });

  it('still refuses a missing body where the route needs one, in the envelope', async () => {
    const response = await app.inject({ method: 'PUT', url: '/api/v1/stock/wh-1', headers: json });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('INVALID_REQUEST');
  });

  it('still refuses malformed JSON and prototype poisoning', async () => {
    const malformed = await app.inject({
      method: 'POST',
      url: '/api/v1/things/1/touch',
      headers: json,
      payload: '{"a":',
    });
    expect(malformed.statusCode).toBe(400);
    const poisoned = await app.inject({
      method: 'POST',
      url: '/api/v1/things/1/touch',
      headers: json,
      payload: '{"__proto__":{"admin":true}}',
    });
    expect(poisoned.statusCode).toBe(400);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });
});

describe('types of a JSON body', () => {
  it('refuses a number sent as a string, naming the field', async () => {
    const response = await app.inject({
      method: 'PUT',
      url: '/api/v1/stock/wh-1',
      headers: json,
      payload: { onHand: '5' },
    });
    expect(response.statusCode).toBe(400);
    const error = response.json().error;
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.details.fields[0].field).toBe('body.onHand');
  });

  it('refuses a string sent as a number, and a scalar where an array is declared', async () => {
    for (const payload of [{ onHand: 5, note: 7 }, { onHand: 5, tags: 'a' }, { onHand: true }]) {
      const response = await app.inject({ method: 'PUT', url: '/api/v1/stock/wh-1', headers: json, payload });
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
    }
  });

  it('accepts the declared types as sent', async () => {
    const response = await app.inject({
      method: 'PUT',
      url: '/api/v1/stock/wh-1',
      headers: json,
      payload: { onHand: 5, note: 'x', tags: ['a'] },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().body).toEqual({ onHand: 5, note: 'x', tags: ['a'] });
  });

  it('still coerces query strings', async () => {
    const response = await app.inject({
      method: 'PUT',
      url: '/api/v1/stock/wh-1?size=20&dryRun=true',
      headers: json,
      payload: { onHand: 1 },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().query).toEqual({ size: 20, dryRun: true });
  });
});
