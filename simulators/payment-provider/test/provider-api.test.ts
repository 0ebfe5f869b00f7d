import { randomUUID } from 'node:crypto';
import { openDatabase, type Database } from '@fv/database';
import { createTestDatabase, type TestDatabase } from '@fv/testing';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProviderApp, MIGRATIONS_DIR, providerConfigSchema } from '../src/index.js';

const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const config = providerConfigSchema.parse({ TIMEOUT_TOKEN_HOLD_MS: '50', LOG_LEVEL: 'fatal' });

let database: TestDatabase;
let app: FastifyInstance;

beforeAll(async () => {
  database = await createTestDatabase({ name: 'payment-provider', migrationsDir: MIGRATIONS_DIR });
  if (database.target.kind !== 'postgres') throw new Error('these tests need the PostgreSQL server');
  app = await buildProviderApp({ config, db: database.db, logger });
});
afterAll(async () => {
  await app?.close();
  await database?.dispose();
});

/** A second provider process on the same database: nothing but the database is shared. */
async function restartedProvider(): Promise<{ app: FastifyInstance; db: Database }> {
  const db = await openDatabase(database.target, { poolSize: 3 });
  return { app: await buildProviderApp({ config, db, logger }), db };
}

function post(path: string, body: unknown, key?: string, on: FastifyInstance = app) {
  return on.inject({
    method: 'POST',
    url: path,
    headers: key === undefined ? {} : { 'idempotency-key': key },
    payload: body as Record<string, unknown>,
  });
}

const authorization = (token = 'tok_visa_4242', merchantReference = randomUUID()) => ({
  amount: '100.00',
  currency: 'USD',
  paymentMethod: { type: 'CREDIT_CARD', token },
  merchantReference,
});

async function authorized(token = 'tok_visa_4242'): Promise<string> {
  const response = await post('/v1/authorizations', authorization(token), randomUUID());
  expect(response.statusCode).toBe(201);
  return response.json().id;
}

describe('authorizations, captures, voids and refunds', () => {
  it('authorizes, captures, refunds in parts and shows everything on the authorization', async () => {
    const id = await authorized();
    const captured = await post(
      `/v1/authorizations/${id}/capture`,
      { amount: '100.00', currency: 'USD' },
      'c1-' + id,
    );
    expect(captured.statusCode).toBe(201);
    expect(captured.json()).toMatchObject({ object: 'capture', authorizationId: id, amount: '100.00' });
    const first = await post(
      `/v1/authorizations/${id}/refunds`,
      { amount: '30.00', currency: 'USD' },
      'r1-' + id,
    );
    expect(first.json()).toMatchObject({ object: 'refund', amount: '30.00' });
    const tooMuch = await post(
      `/v1/authorizations/${id}/refunds`,
      { amount: '70.01', currency: 'USD' },
      'r2-' + id,
    );
    expect(tooMuch.statusCode).toBe(422);
    expect(tooMuch.json().error).toMatchObject({
      code: 'UNPROCESSABLE_ENTITY',
      details: { reason: 'REFUND_EXCEEDS_CAPTURE', refundable: '70.00' },
    });
    await post(`/v1/authorizations/${id}/refunds`, { amount: '70.00', currency: 'USD' }, 'r3-' + id);
    const read = await app.inject({ url: `/v1/authorizations/${id}` });
    expect(read.json()).toMatchObject({
      status: 'REFUNDED',
      amount: '100.00',
      capturedAmount: '100.00',
      refundedAmount: '100.00',
    });
    expect(read.json().operations.map((operation: { object: string }) => operation.object)).toEqual([
      'capture',
      'refund',
      'refund',
    ]);
  });

  it('refuses to capture an unknown or voided authorization, and to void a captured one, with a clear 4xx', async () => {
    const unknown = await post(
      '/v1/authorizations/auth_missing/capture',
      { amount: '1.00', currency: 'USD' },
      randomUUID(),
    );
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toMatchObject({
      code: 'NOT_FOUND',
      details: { reason: 'AUTHORIZATION_NOT_FOUND' },
    });

    const voided = await authorized();
    expect((await post(`/v1/authorizations/${voided}/void`, {}, 'v-' + voided)).statusCode).toBe(201);
    const late = await post(
      `/v1/authorizations/${voided}/capture`,
      { amount: '100.00', currency: 'USD' },
      randomUUID(),
    );
    expect(late.statusCode).toBe(409);
    expect(late.json().error.details.reason).toBe('AUTHORIZATION_VOIDED');

    const captured = await authorized();
    await post(
      `/v1/authorizations/${captured}/capture`,
      { amount: '100.00', currency: 'USD' },
      'c-' + captured,
    );
    const voidCaptured = await post(`/v1/authorizations/${captured}/void`, {}, randomUUID());
    expect(voidCaptured.statusCode).toBe(409);
    expect(voidCaptured.json().error.details.reason).toBe('AUTHORIZATION_CAPTURED');
    const over = await post(
      `/v1/authorizations/${captured}/capture`,
      { amount: '0.01', currency: 'USD' },
      randomUUID(),
    );
    expect(over.json().error.details.reason).toBe('CAPTURE_EXCEEDS_AUTHORIZATION');
  });

  it('declines the decline tokens with their reason', async () => {
    for (const [token, reason] of [
      ['tok_decline', 'PAYMENT_DECLINED'],
      ['tok_insufficient_funds', 'INSUFFICIENT_FUNDS'],
      ['tok_expired_card', 'CARD_EXPIRED'],
      ['tok_nobody_knows', 'PAYMENT_DECLINED'],
    ] as const) {
      const response = await post('/v1/authorizations', authorization(token), randomUUID());
      expect(response.statusCode).toBe(422);
      expect(response.json().error.details).toMatchObject({ reason, declineCode: reason });
    }
  });
});

describe('Idempotency-Key', () => {
  it('replays the first answer for the same key and body, and refuses the key with another body', async () => {
    const key = randomUUID();
    const body = authorization();
    const first = await post('/v1/authorizations', body, key);
    const again = await post('/v1/authorizations', { ...body }, key);
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().id).toBe(first.json().id);
    expect(
      (await app.inject({ url: `/v1/authorizations?merchantReference=${body.merchantReference}` })).json()
        .authorizations,
    ).toHaveLength(1);

    const other = await post('/v1/authorizations', { ...body, amount: '100.01' }, key);
    expect(other.statusCode).toBe(409);
    expect(other.json().error).toMatchObject({
      code: 'CONFLICT',
      details: { reason: 'IDEMPOTENCY_KEY_REUSED', field: 'headers.idempotency-key' },
    });

    const declineKey = randomUUID();
    await post('/v1/authorizations', authorization('tok_decline'), declineKey);
    const declinedAgain = await post('/v1/authorizations', authorization('tok_decline'), declineKey);
    expect(declinedAgain.statusCode).toBe(409); // another merchant reference: another body
  });

  it('performs a request raced by its own repeat once', async () => {
    const key = randomUUID();
    const body = authorization();
    const answers = await Promise.all([1, 2, 3, 4].map(() => post('/v1/authorizations', body, key)));
    expect(new Set(answers.map((answer) => answer.json().id)).size).toBe(1);
    const listed = await app.inject({
      url: `/v1/authorizations?merchantReference=${body.merchantReference}`,
    });
    expect(listed.json().authorizations).toHaveLength(1);
  });

  it('requires the header and well-formed bodies, storing nothing for them', async () => {
    const missing = await post('/v1/authorizations', authorization());
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.details.fields[0]).toMatchObject({
      field: 'headers.idempotency-key',
      rule: 'required',
    });
    const key = randomUUID();
    const badAmount = await post('/v1/authorizations', { ...authorization(), amount: '1.999' }, key);
    expect(badAmount.statusCode).toBe(400);
    expect(badAmount.json().error.details.fields[0].field).toBe('body.amount');
    const unknownField = await post('/v1/authorizations', { ...authorization(), tip: '1' }, key);
    expect(unknownField.statusCode).toBe(400);
    // The key is still free: nothing was stored for the refused requests.
    expect((await post('/v1/authorizations', authorization(), key)).statusCode).toBe(201);
  });
});

describe('simulated failures and restarts', () => {
  it('fails tok_transient_once once per key, remembered across a restart of the provider', async () => {
    const key = randomUUID();
    const body = authorization('tok_transient_once');
    const first = await post('/v1/authorizations', body, key);
    expect(first.statusCode).toBe(503);
    expect(first.json().error.code).toBe('SERVICE_UNAVAILABLE');
    const restarted = await restartedProvider();
    try {
      const retried = await post('/v1/authorizations', body, key, restarted.app);
      expect(retried.statusCode).toBe(201);
    } finally {
      await restarted.app.close();
      await restarted.db.close();
    }
    expect((await post('/v1/authorizations', body, key)).statusCode).toBe(201);
  });

  it('keeps tok_unavailable unavailable and answers a held tok_timeout call with 504', async () => {
    const key = randomUUID();
    for (let i = 0; i < 2; i += 1)
      expect((await post('/v1/authorizations', authorization('tok_unavailable'), key)).statusCode).toBe(503);
    const held = await post('/v1/authorizations', authorization('tok_timeout'), randomUUID());
    expect(held.statusCode).toBe(504);
    expect(held.json().error.details.reason).toBe('PROVIDER_TIMEOUT');
  });

  it('captures after a restart an authorization made before it', async () => {
    const id = await authorized();
    const restarted = await restartedProvider();
    try {
      const captured = await post(
        `/v1/authorizations/${id}/capture`,
        { amount: '100.00', currency: 'USD' },
        'after-restart-' + id,
        restarted.app,
      );
      expect(captured.statusCode).toBe(201);
    } finally {
      await restarted.app.close();
      await restarted.db.close();
    }
  });

  it('answers its health probes', async () => {
    expect((await app.inject({ url: '/health/ready' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/health/live' })).statusCode).toBe(200);
  });
});
