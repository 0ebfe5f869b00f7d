import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { signToken } from './auth.js';
import { defineErrorCodes, serviceUnavailable } from './errors.js';
import { buildTestApp, TEST_SECRET, type LogCapture } from './test-support/test-app.js';

const token = signToken(TEST_SECRET, { sub: 'customer-1', roles: ['customer'], expiresIn: '1h' });
const auth = { authorization: `Bearer ${token}` };

const portBody = {
  type: 'object',
  required: ['name', 'port'],
  properties: {
    name: { type: 'string', minLength: 1 },
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    items: {
      type: 'array',
      items: {
        type: 'object',
        required: ['quantity'],
        properties: { quantity: { type: 'integer', minimum: 1 } },
      },
    },
  },
} as const;

/** Codes of the service under test's own, as the coordination service declares its workflow codes. */
const ownCodes = defineErrorCodes({ WORKFLOW_NOT_FOUND: 404 });

let app: FastifyInstance;
let logs: LogCapture;

beforeEach(async () => {
  ({ app, logs } = await buildTestApp({ bodyLimit: 1024, errorCodes: ownCodes }));
  await app.register(
    async (api) => {
      api.post('/ports', { schema: { body: portBody } }, async (request, reply) =>
        reply.code(201).send(request.body),
      );
      api.get('/workflows/:id', async (request) => {
        const { id } = request.params as { id: string };
        throw ownCodes.error('WORKFLOW_NOT_FOUND', `Workflow ${id} does not exist`, {
          details: { workflowId: id },
        });
      });
      api.get('/broken', async () => {
        throw new Error('connection to postgres://orders:hunter2@db failed');
      });
      api.get('/unavailable', async () => {
        throw serviceUnavailable('Inventory service is unavailable', { dependency: 'inventory' });
      });
      api.post('/zod', async (request) => z.object({ email: z.string().email() }).parse(request.body));
      api.get('/downstream', async () => {
        throw Object.assign(new Error('GET http://inventory:8083/api/v1/stock/p-1 answered 404'), {
          statusCode: 404,
        });
      });
    },
    { prefix: '/api/v1' },
  );
});

afterEach(async () => {
  await app.close();
});

function envelope(body: string) {
  return JSON.parse(body) as {
    error: { code: string; message: string; details: Record<string, unknown>; traceId: string };
  };
}

describe('error envelope', () => {
  it('renders an AppError with its code, status and details', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/workflows/wf-9', headers: auth });
    expect(response.statusCode).toBe(404);
    const { error } = envelope(response.body);
    expect(error).toEqual({
      code: 'WORKFLOW_NOT_FOUND',
      message: 'Workflow wf-9 does not exist',
      details: { workflowId: 'wf-9' },
      traceId: response.headers['x-trace-id'],
    });
  });

  it("lists the service's own codes in its ErrorEnvelope schema, and another app's only the shared ones", async () => {
    const codesOf = (instance: FastifyInstance) =>
      (
        instance.getSchema('ErrorEnvelope') as {
          properties: { error: { properties: { code: { enum: string[] } } } };
        }
      ).properties.error.properties.code.enum;
    expect(codesOf(app)).toContain('WORKFLOW_NOT_FOUND');
    expect(codesOf(app)).toContain('NOT_FOUND');
    const { app: plain } = await buildTestApp();
    try {
      expect(codesOf(plain)).toContain('NOT_FOUND');
      expect(codesOf(plain)).not.toContain('WORKFLOW_NOT_FOUND');
    } finally {
      await plain.close();
    }
  });

  it('names the field and the rule of a schema violation', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/ports',
      headers: auth,
      payload: { name: 'db', port: 70000 },
    });
    expect(response.statusCode).toBe(400);
    const { error } = envelope(response.body);
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.details.fields).toEqual([
      { field: 'body.port', rule: 'maximum', message: 'must be <= 65535' },
    ]);
    expect(error.message).toContain('body.port');
  });

  it('names a missing field and a nested one', async () => {
    const missing = await app.inject({
      method: 'POST',
      url: '/api/v1/ports',
      headers: auth,
      payload: { port: 1 },
    });
    expect(envelope(missing.body).error.details.fields).toEqual([
      { field: 'body.name', rule: 'required', message: "must have required property 'name'" },
    ]);

    const nested = await app.inject({
      method: 'POST',
      url: '/api/v1/ports',
      headers: auth,
      payload: { name: 'db', port: 1, items: [{ quantity: 1 }, { quantity: 0 }] },
    });
    expect(envelope(nested.body).error.details.fields).toEqual([
      { field: 'body.items[1].quantity', rule: 'minimum', message: 'must be >= 1' },
    ]);
  });

  it('names the fields of a zod error thrown by a handler', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/zod',
      headers: auth,
      payload: { email: 'not-an-email' },
    });
    expect(response.statusCode).toBe(400);
    expect(envelope(response.body).error.details.fields).toEqual([
      { field: 'body.email', rule: 'invalid_string', message: 'Invalid email' },
    ]);
  });

  it('answers malformed JSON with 400 INVALID_REQUEST', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/ports',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: '{"name": "db", "port": ',
    });
    expect(response.statusCode).toBe(400);
    expect(envelope(response.body).error).toMatchObject({
      code: 'INVALID_REQUEST',
      message: 'Request body is not valid JSON',
    });
  });

  it('answers an oversized body with 413 PAYLOAD_TOO_LARGE', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/ports',
      headers: auth,
      payload: { name: 'x'.repeat(2048), port: 1 },
    });
    expect(response.statusCode).toBe(413);
    expect(envelope(response.body).error).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      details: { limitBytes: 1024 },
    });
  });

  it('answers an unsupported content type with 415', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/ports',
      headers: { ...auth, 'content-type': 'application/xml' },
      payload: '<port>1</port>',
    });
    expect(response.statusCode).toBe(415);
    expect(envelope(response.body).error).toMatchObject({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      details: { contentType: 'application/xml' },
    });
  });

  it('answers an unknown route with 404 NOT_FOUND', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/nothing-here?x=1', headers: auth });
    expect(response.statusCode).toBe(404);
    expect(envelope(response.body).error).toMatchObject({
      code: 'NOT_FOUND',
      message: 'Route GET /api/v1/nothing-here not found',
    });
  });

  it('answers a malformed URL with 400 in the envelope', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/%zz' });
    expect(response.statusCode).toBe(400);
    const { error } = envelope(response.body);
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.traceId).toBe(response.headers['x-trace-id']);
  });

  it('hides the internals of an unexpected error and logs them in full', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/broken', headers: auth });
    expect(response.statusCode).toBe(500);
    const { error } = envelope(response.body);
    expect(error).toEqual({
      code: 'INTERNAL_ERROR',
      message: 'An unexpected error occurred',
      details: {},
      traceId: response.headers['x-trace-id'],
    });
    expect(response.body).not.toContain('postgres');

    const logged = logs.lines.find((line) => line.code === 'INTERNAL_ERROR');
    expect(logged).toMatchObject({ level: 'error', traceId: error.traceId });
    expect(JSON.stringify(logged)).toContain('connection to postgres');
  });

  it('does not pass on the 4xx status of a failed downstream call', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/downstream', headers: auth });
    expect(response.statusCode).toBe(500);
    expect(envelope(response.body).error.code).toBe('INTERNAL_ERROR');
    expect(response.body).not.toContain('inventory');
  });

  it('shows the message of an intended 5xx error', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/unavailable', headers: auth });
    expect(response.statusCode).toBe(503);
    expect(envelope(response.body).error).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      message: 'Inventory service is unavailable',
      details: { dependency: 'inventory' },
    });
  });
});

describe('trace and correlation ids', () => {
  it('continues the caller trace and echoes the correlation id', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/api/v1/workflows/wf-1',
      headers: {
        ...auth,
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
        'x-correlation-id': 'ord-550e8400-e29b-41d4-a716-446655440000',
      },
    });
    expect(response.headers['x-trace-id']).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(response.headers['x-correlation-id']).toBe('ord-550e8400-e29b-41d4-a716-446655440000');
    expect(response.headers.traceparent).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
    expect(response.headers.traceparent).not.toContain('00f067aa0ba902b7');
    expect(envelope(response.body).error.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');

    const lines = logs.lines.filter(
      (line) => line.correlationId === 'ord-550e8400-e29b-41d4-a716-446655440000',
    );
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });

  it('generates ids when the caller sends none or malformed ones', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/health/live',
      headers: { traceparent: 'garbage', 'x-correlation-id': 'has spaces\nand newline' },
    });
    expect(response.headers['x-trace-id']).toMatch(/^[0-9a-f]{32}$/);
    expect(response.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
