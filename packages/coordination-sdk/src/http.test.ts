import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  backoffDelay,
  CoordinationClient,
  CoordinationError,
  parseRetryAfter,
  type ErrorCode,
} from './index.js';

type Handler = (request: IncomingMessage, body: string, response: ServerResponse) => void;
let server: Server;
let baseUrl: string;
let handler: Handler;
const seen: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      seen.push({ method: request.method!, url: request.url!, headers: request.headers, body });
      handler(request, body, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

const envelope = (code: string, message: string, details: Record<string, unknown> = {}) => ({
  error: { code, message, details, traceId: '4bf92f3577b34da6a3ce929d0e0e4736' },
});

function client(retry = { maxRetries: 3, baseDelayMs: 1, maxDelayMs: 50 }) {
  return new CoordinationClient({ baseUrl, apiKey: 'token-1', retry });
}

describe('CoordinationClient transport', () => {
  it('sends the bearer token and JSON, under the base URL, and answers the parsed body', async () => {
    seen.length = 0;
    handler = (_request, _body, response) =>
      json(response, 202, { workflowId: 'wf-1', status: 'CANCELLING' });
    const answer = await client().workflows.cancel('wf-1', {
      reason: 'CUSTOMER_REQUESTED',
      initiatedBy: 'CUSTOMER',
    });
    expect(answer).toEqual({ workflowId: 'wf-1', status: 'CANCELLING' });
    expect(seen[0]).toMatchObject({
      method: 'POST',
      url: '/api/v1/workflows/wf-1/cancel',
      headers: { authorization: 'Bearer token-1', 'content-type': 'application/json' },
    });
    expect(JSON.parse(seen[0]!.body)).toEqual({ reason: 'CUSTOMER_REQUESTED', initiatedBy: 'CUSTOMER' });
  });

  it('turns the error envelope into a CoordinationError with code, status, details and traceId', async () => {
    handler = (_request, _body, response) =>
      json(
        response,
        404,
        envelope('WORKFLOW_NOT_FOUND', 'Workflow wf-2 does not exist', { workflowId: 'wf-2' }),
      );
    const error = await client()
      .workflows.getStatus('wf-2')
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CoordinationError);
    expect(error).toMatchObject({
      code: 'WORKFLOW_NOT_FOUND',
      status: 404,
      message: 'Workflow wf-2 does not exist',
      details: { workflowId: 'wf-2' },
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    });
  });

  it("knows seed 001's codes, the workflow and saga ones of the coordination service included", () => {
    const document = JSON.parse(readFileSync(new URL('../openapi.json', import.meta.url), 'utf8')) as {
      components: {
        schemas: { ErrorEnvelope: { properties: { error: { properties: { code: { enum: string[] } } } } } };
      };
    };
    const matched: ErrorCode[] = [
      'INVALID_REQUEST',
      'AUTHENTICATION_REQUIRED',
      'INSUFFICIENT_PERMISSIONS',
      'WORKFLOW_NOT_FOUND',
      'SAGA_NOT_FOUND',
      'WORKFLOW_ALREADY_EXISTS',
      'INVALID_WORKFLOW_STATE',
      'WORKFLOW_EXECUTION_FAILED',
      'COMPENSATION_FAILED',
      'SERVICE_UNAVAILABLE',
      'TIMEOUT_EXCEEDED',
      'RATE_LIMIT_EXCEEDED',
      'INTERNAL_ERROR',
    ];
    const documented = document.components.schemas.ErrorEnvelope.properties.error.properties.code.enum;
    expect(documented).toEqual(expect.arrayContaining(matched));
  });

  it('retries 429 no sooner than Retry-After, then answers', async () => {
    seen.length = 0;
    let calls = 0;
    handler = (_request, _body, response) => {
      calls += 1;
      if (calls === 1)
        json(response, 429, envelope('RATE_LIMIT_EXCEEDED', 'slow down'), { 'retry-after': '1' });
      else json(response, 200, { workflows: [] });
    };
    const started = Date.now();
    await expect(
      client({ maxRetries: 2, baseDelayMs: 1, maxDelayMs: 5_000 }).workflows.listActive({ page: 0, size: 5 }),
    ).resolves.toEqual({ workflows: [] });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(seen.map((request) => request.url)).toEqual([
      '/api/v1/workflows/active?page=0&size=5',
      '/api/v1/workflows/active?page=0&size=5',
    ]);
  });

  it('asks a key function for the current token before every attempt', async () => {
    seen.length = 0;
    let calls = 0;
    handler = (_request, _body, response) => {
      calls += 1;
      if (calls === 1) json(response, 503, envelope('SERVICE_UNAVAILABLE', 'later'));
      else json(response, 200, { workflows: [] });
    };
    let issued = 0;
    const renewing = new CoordinationClient({
      baseUrl,
      apiKey: () => `token-${++issued}`,
      retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 5 },
    });
    await renewing.workflows.listActive();
    expect(seen.map((request) => request.headers.authorization)).toEqual([
      'Bearer token-1',
      'Bearer token-2',
    ]);
  });

  it('retries 503 for a start (it carries an idempotency key, the same on every attempt) up to maxRetries', async () => {
    seen.length = 0;
    handler = (_request, _body, response) => json(response, 503, envelope('SERVICE_UNAVAILABLE', 'down'));
    const error = await client({ maxRetries: 2, baseDelayMs: 1, maxDelayMs: 5 })
      .workflows.startOrder({
        customerId: 'cust-1',
        items: [{ productId: 'p', quantity: 1 }],
        paymentMethod: { type: 'CREDIT_CARD', token: 'tok' },
        shippingAddress: { street: 's', city: 'c', zipCode: 'z', country: 'US' },
      })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503 });
    expect(seen).toHaveLength(3);
    const keys = new Set(seen.map((request) => request.headers['x-idempotency-key']));
    expect(keys.size).toBe(1);
    expect([...keys][0]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('does not repeat a 503 of a request that is not idempotent (a step retry)', async () => {
    seen.length = 0;
    handler = (_request, _body, response) => json(response, 503, envelope('SERVICE_UNAVAILABLE', 'down'));
    await expect(client().workflows.retry('wf-3')).rejects.toMatchObject({ status: 503 });
    expect(seen).toHaveLength(1);
  });

  it('answers the health document also when the platform is DOWN (503), without retrying', async () => {
    seen.length = 0;
    handler = (_request, _body, response) => json(response, 503, { status: 'DOWN', checks: {} });
    await expect(client().health.get()).resolves.toEqual({ status: 'DOWN', checks: {} });
    expect(seen).toHaveLength(1);
  });

  it('gives a DELETE without a body no content type, and accepts an empty 204', async () => {
    seen.length = 0;
    handler = (_request, _body, response) => {
      response.writeHead(204);
      response.end();
    };
    await expect(client().services.deregister('inst-1')).resolves.toBeUndefined();
    expect(seen[0]).toMatchObject({ method: 'DELETE', url: '/api/v1/services/inst-1', body: '' });
    expect(seen[0]!.headers['content-type']).toBeUndefined();
  });

  it("stops waiting out a backoff when the caller's signal aborts, also one that aborted before it began", async () => {
    // Only the backoff's own timer is fake, and it never runs out: the watch ends by the abort alone.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      for (const settle of [0, 5]) {
        let calls = 0;
        const patient = new CoordinationClient({
          baseUrl,
          retry: { maxRetries: 3, baseDelayMs: 1, maxDelayMs: 60_000 },
          fetch: async () => {
            calls += 1;
            return new Response(JSON.stringify(envelope('SERVICE_UNAVAILABLE', 'later')), {
              status: 503,
              headers: { 'content-type': 'application/json', 'retry-after': '60' },
            });
          },
        });
        const controller = new AbortController();
        const watching = patient.config.watch('orders', () => undefined, { signal: controller.signal });
        while (calls === 0) await new Promise((resolve) => setImmediate(resolve));
        for (let turn = 0; turn < settle; turn += 1) await new Promise((resolve) => setImmediate(resolve));
        controller.abort();
        await expect(watching).resolves.toBeUndefined();
        expect(calls).toBe(1);
      }
    } finally {
      vi.useRealTimers();
    }
  });

  it('reports an unreachable server as SERVICE_UNAVAILABLE with status 0', async () => {
    const offline = new CoordinationClient({
      baseUrl: 'http://127.0.0.1:1/api/v1',
      retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 2 },
    });
    await expect(offline.sagas.get('saga-1')).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      status: 0,
    });
  });
});

describe('backoff', () => {
  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter(null)).toBeNull();
    expect(parseRetryAfter('soon')).toBeNull();
  });

  it('doubles the ceiling per attempt with full jitter, capped, and never waits less than Retry-After', () => {
    const options = { maxRetries: 5, baseDelayMs: 100, maxDelayMs: 1_000 };
    expect(backoffDelay(0, null, options, () => 0.999)).toBe(100);
    expect(backoffDelay(0, null, options, () => 0.25)).toBe(25);
    expect(backoffDelay(2, null, options, () => 0.5)).toBe(200);
    expect(backoffDelay(8, null, options, () => 0.999)).toBe(999);
    expect(backoffDelay(0, null, options, () => 0)).toBe(0);
    expect(backoffDelay(0, 700, options, () => 0)).toBe(700);
    expect(backoffDelay(0, 60_000, options, () => 0)).toBe(1_000);
  });
});
