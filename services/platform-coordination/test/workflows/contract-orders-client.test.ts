import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServiceRuntime } from '@fv/service-runtime';
import { SHIPPING_ADDRESS, type TestDatabase } from '@fv/testing';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The provider: the order service's own routes, asked for the OpenAPI document they describe.
import { createOrdersService } from '@fv/orders/testing';
import type { CoordinationRuntime } from '../../src/runtime.js';
import { admin, startCoordination, testDatabase } from '../support.js';

/**
 * Contract between the coordination service (consumer: src/workflows/orders-client.ts) and the order
 * service (provider: its OpenAPI document). What the consumer sends must be valid against the
 * provider's request schema; what the consumer reads must be declared by the provider's response
 * schemas. A change on either side that breaks the other fails here, naming both.
 */
const CONTRACT = 'platform-coordination OrdersClient -> orders';

type Schema = Record<string, unknown>;
interface OpenApi {
  paths: Record<string, Record<string, { requestBody?: Body; responses: Record<string, Body> }>>;
  components?: { schemas?: Record<string, Schema> };
}
type Body = { content?: { 'application/json'?: { schema: Schema } } };

let ordersDocument: OpenApi;
let database: TestDatabase;
let runtime: CoordinationRuntime;
let provider: Server;
const received: { method: string; url: string; body: unknown }[] = [];
const validators = new Map<string, (value: unknown) => Promise<string | null>>();

/** `#/components/schemas/X` references replaced by the schemas they name. */
function inline(schema: unknown, document: OpenApi): unknown {
  if (Array.isArray(schema)) return schema.map((item) => inline(item, document));
  if (schema === null || typeof schema !== 'object') return schema;
  const ref = (schema as { $ref?: string }).$ref;
  if (ref?.startsWith('#/components/schemas/')) {
    return inline(document.components!.schemas![ref.slice('#/components/schemas/'.length)], document);
  }
  return Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, inline(value, document)]));
}

function schemaOf(path: string, method: string, part: 'request' | string): Schema {
  const operation = ordersDocument.paths[path]?.[method];
  if (!operation) throw new Error(`${CONTRACT}: the orders service has no ${method.toUpperCase()} ${path}`);
  const body = part === 'request' ? operation.requestBody : operation.responses[part];
  const schema = body?.content?.['application/json']?.schema;
  if (!schema) throw new Error(`${CONTRACT}: ${method.toUpperCase()} ${path} documents no JSON ${part}`);
  return inline(schema, ordersDocument) as Schema;
}

/** Validates as the provider does: no coercion, nothing removed, every error reported. */
async function validate(path: string, method: string, part: string, value: unknown): Promise<string | null> {
  const key = `${method} ${path} ${part}`;
  let check = validators.get(key);
  if (!check) {
    const app = Fastify({
      ajv: {
        customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: true },
      },
    });
    app.post('/', { schema: { body: schemaOf(path, method, part) } }, async () => ({ ok: true }));
    await app.ready();
    check = async (candidate) => {
      const answer = await app.inject({ method: 'POST', url: '/', payload: candidate as object });
      return answer.statusCode === 200 ? null : (answer.json() as { message: string }).message;
    };
    validators.set(key, check);
  }
  return check(value);
}

/** What the order service answers to a valid order: conformance of this answer is checked below. */
function placedAnswer(body: Record<string, unknown>) {
  const orderId = typeof body.orderId === 'string' ? body.orderId.replace(/^ord-/, '') : randomUUID();
  return {
    orderId,
    customerId: String(body.customerId).replace(/^cust-/, ''),
    customerEmail: null,
    status: 'PENDING',
    items: [],
    totalAmount: '1499.97',
    currency: 'USD',
  };
}

beforeAll(async () => {
  const orders = await createServiceRuntime(createOrdersService(), {
    env: {
      SERVICE_NAME: 'orders',
      LOG_LEVEL: 'fatal',
      NODE_ENV: 'test',
      JWT_SECRET: 'contract-test-secret-0123456789abcdef',
      DATABASE_URL: 'pglite:memory',
      KAFKA_BROKERS: '127.0.0.1:1',
      SCHEMA_REGISTRY_URL: 'http://127.0.0.1:1',
      SERVICE_REGISTRATION: 'false',
      LIVE_CONFIG: 'false',
      PAYMENT_PROVIDER_URL: 'http://127.0.0.1:1',
    },
  });
  await orders.app.ready();
  ordersDocument = JSON.parse(JSON.stringify(orders.app.swagger())) as OpenApi;
  await orders.app.close();

  // The order service as the consumer meets it on the wire: a recording stand-in that answers as the
  // provider documents (its answers are themselves checked against the provider's schemas).
  provider = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      const body = text ? (JSON.parse(text) as Record<string, unknown>) : null;
      received.push({ method: request.method!, url: request.url!, body });
      response.setHeader('content-type', 'application/json');
      if (request.method === 'GET') {
        response.statusCode = 404;
        response.end(
          JSON.stringify({
            error: { code: 'NOT_FOUND', message: 'no such order', details: {}, traceId: randomUUID() },
          }),
        );
        return;
      }
      response.statusCode = 202;
      response.end(JSON.stringify(placedAnswer(body ?? {})));
    });
  });
  await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
  database = await testDatabase('contract-orders');
  runtime = await startCoordination(database, {
    ORDERS_URL: `http://127.0.0.1:${(provider.address() as AddressInfo).port}`,
    LIVE_CONFIG: 'false',
  });
});
afterAll(async () => {
  await runtime?.stop();
  await new Promise((resolve) => provider?.close(resolve));
  await database?.dispose();
});

describe(`contract: ${CONTRACT}`, () => {
  it("sends POST /api/v1/orders bodies the order service accepts, for seed 001's and seed 000's start bodies", async () => {
    const seed001 = {
      orderId: `ord-${randomUUID()}`,
      customerId: `cust-${randomUUID()}`,
      items: [
        { productId: randomUUID(), quantity: 2, unitPrice: 599.99, warehouseId: 'wh-001' },
        { productId: randomUUID(), quantity: 1, unitPrice: 299.99, warehouseId: 'wh-001' },
      ],
      paymentMethod: { type: 'CREDIT_CARD', token: 'tok_visa_4242', amount: 1499.97, currency: 'USD' },
      shippingAddress: SHIPPING_ADDRESS,
      shippingMethod: 'STANDARD',
      options: { priority: 'NORMAL', requireSignature: true, giftWrap: false, expressProcessing: false },
      metadata: { source: 'web_checkout', sessionId: 'session-123', campaignId: 'winter-sale-2024' },
    };
    const seed000 = {
      orderId: randomUUID(),
      customerId: randomUUID(),
      items: [{ productId: randomUUID(), quantity: 2, price: 599.99 }],
      paymentMethod: { type: 'CREDIT_CARD', token: 'tok_1234567890' },
      shippingAddress: {
        street: '123 Main St',
        city: 'New York',
        state: 'NY',
        zipCode: '10001',
        country: 'US',
      },
    };
    for (const [name, body] of [
      ['seed 001', seed001],
      ['seed 000', seed000],
    ] as const) {
      received.length = 0;
      const started = await runtime.app.inject({
        method: 'POST',
        url: '/api/v1/workflows/order/start',
        headers: { authorization: admin },
        payload: body,
      });
      expect(started.statusCode, `${name}: ${started.body}`).toBe(201);
      const placed = received.find((request) => request.method === 'POST');
      expect(placed?.url).toBe('/api/v1/orders');
      const problem = await validate('/api/v1/orders', 'post', 'request', placed!.body);
      expect(
        problem,
        `${CONTRACT}: POST /api/v1/orders body built from ${name}'s start is refused`,
      ).toBeNull();
      expect(started.json().orderId).toBe(`ord-${body.orderId.replace(/^ord-/, '')}`);
    }
  });

  it('reads only fields the order service declares, with the types it declares them', () => {
    // The fields orders-client.ts reads, by operation and status (a replayed placement is a 202 too).
    const reads: [string, string, string, Record<string, string>][] = [
      [
        '/api/v1/orders',
        'post',
        '202',
        { orderId: 'string', customerId: 'string', totalAmount: 'string', currency: 'string' },
      ],
      [
        '/api/v1/orders/{id}',
        'get',
        '200',
        {
          orderId: 'string',
          customerId: 'string',
          status: 'string',
          totalAmount: 'string',
          currency: 'string',
        },
      ],
    ];
    for (const [path, method, status, fields] of reads) {
      const schema = schemaOf(path, method, status) as { properties?: Record<string, { type?: string }> };
      for (const [field, type] of Object.entries(fields)) {
        expect(
          schema.properties?.[field]?.type,
          `${CONTRACT}: ${method.toUpperCase()} ${path} ${status} must declare ${field} as ${type}`,
        ).toBe(type);
      }
    }
    // Refusals the consumer relays arrive in the shared error envelope.
    for (const status of ['400', '409', '422']) {
      const envelope = schemaOf('/api/v1/orders', 'post', status) as { properties?: { error?: unknown } };
      expect(
        envelope.properties?.error,
        `${CONTRACT}: POST /api/v1/orders ${status} is the error envelope`,
      ).toBeDefined();
    }
  });

  it("answers here as the order service documents it (the stand-in's answers conform)", async () => {
    const answer = placedAnswer({ orderId: `ord-${randomUUID()}`, customerId: `cust-${randomUUID()}` });
    expect(await validate('/api/v1/orders', 'post', '202', answer)).toBeNull();
    expect(
      await validate('/api/v1/orders/{id}', 'get', '404', {
        error: { code: 'NOT_FOUND', message: 'no such order', details: {}, traceId: randomUUID() },
      }),
    ).toBeNull();
  });
});
