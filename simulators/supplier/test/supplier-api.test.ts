import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@fv/testing';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSupplierApp, MIGRATIONS_DIR, supplierConfigSchema } from '../src/index.js';

const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const config = supplierConfigSchema.parse({
  CONFIRM_DELAY_MS: '1000',
  DELIVERY_DELAY_MS: '2000',
  MAX_QUANTITY: '500',
});

let database: TestDatabase;
let app: FastifyInstance;
let clock = new Date('2026-12-04T10:00:00Z');

beforeAll(async () => {
  database = await createTestDatabase({ name: 'supplier', migrationsDir: MIGRATIONS_DIR });
  if (database.target.kind !== 'postgres') throw new Error('these tests need the PostgreSQL server');
  app = await buildSupplierApp({ config, db: database.db, logger, now: () => clock });
});
afterAll(async () => {
  await app?.close();
  await database?.dispose();
});

const order = (overrides: Record<string, unknown> = {}) => ({
  productId: randomUUID(),
  warehouseId: 'WH-1',
  quantity: 50,
  reference: randomUUID(),
  ...overrides,
});

function post(body: unknown, key?: string) {
  return app.inject({
    method: 'POST',
    url: '/v1/purchase-orders',
    headers: key === undefined ? {} : { 'idempotency-key': key },
    payload: body as Record<string, unknown>,
  });
}

describe('purchase orders', () => {
  it('places an order once per idempotency key and replays it for a repeat', async () => {
    const body = order();
    const key = randomUUID();
    const first = await post(body, key);
    expect(first.statusCode).toBe(201);
    const again = await post(body, key);
    expect(again.statusCode).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().id).toBe(first.json().id);
    const listed = await app.inject({ url: `/v1/purchase-orders?reference=${body.reference}` });
    expect(listed.json().purchaseOrders).toHaveLength(1);
  });

  it('refuses the same key for another order, a missing key and a bad body with 4xx envelopes', async () => {
    const key = randomUUID();
    expect((await post(order(), key)).statusCode).toBe(201);
    const reused = await post(order(), key);
    expect(reused.statusCode).toBe(409);
    expect(reused.json().error.details.reason).toBe('IDEMPOTENCY_KEY_REUSED');
    const missing = await post(order());
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.code).toBe('INVALID_REQUEST');
    const bad = await post(order({ quantity: 0 }), randomUUID());
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('INVALID_REQUEST');
  });

  it('is confirmed, then delivered, as time passes', async () => {
    clock = new Date();
    const placed = (await post(order(), randomUUID())).json();
    expect(placed.status).toBe('PLACED');
    const at = async (ms: number) => {
      clock = new Date(Date.parse(placed.createdAt) + ms);
      return (await app.inject({ url: `/v1/purchase-orders/${placed.id}` })).json();
    };
    expect((await at(1500)).status).toBe('CONFIRMED');
    const delivered = await at(2500);
    expect(delivered.status).toBe('DELIVERED');
    expect(delivered.deliveredAt).toBe(placed.expectedAt);
    expect((await app.inject({ url: '/v1/purchase-orders/po_missing' })).statusCode).toBe(404);
  });

  it('rejects a product set to REJECT, too large an order, and is unavailable for UNAVAILABLE', async () => {
    const rejectedBody = order();
    await app.inject({
      method: 'PUT',
      url: `/v1/test-behaviours/${rejectedBody.productId}`,
      payload: { behaviour: 'REJECT' },
    });
    const key = randomUUID();
    const rejected = await post(rejectedBody, key);
    expect(rejected.statusCode).toBe(422);
    expect(rejected.json().error.details.reason).toBe('SUPPLIER_REJECTED');
    expect((await post(rejectedBody, key)).headers['idempotent-replayed']).toBe('true');
    const tooMany = await post(order({ quantity: 501 }), randomUUID());
    expect(tooMany.json().error.details.rejectionReason).toBe('QUANTITY_TOO_LARGE');

    const down = order();
    await app.inject({
      method: 'PUT',
      url: `/v1/test-behaviours/${down.productId}`,
      payload: { behaviour: 'UNAVAILABLE' },
    });
    const unavailableKey = randomUUID();
    expect((await post(down, unavailableKey)).statusCode).toBe(503);
    await app.inject({
      method: 'PUT',
      url: `/v1/test-behaviours/${down.productId}`,
      payload: { behaviour: 'NORMAL' },
    });
    expect((await post(down, unavailableKey)).statusCode).toBe(201);
  });
});
