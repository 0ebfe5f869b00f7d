import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { signToken } from '@fv/service-kit';
import { createTestDatabase, runtimeTestEnv, uniqueName, waitFor, type TestDatabase } from '@fv/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createServiceRuntime,
  idempotently,
  purgeIdempotentRequests,
  type IdempotentRequest,
  type ServiceRuntime,
} from '../src/index.js';
import type { PrismaClient } from '../src/generated/test-prisma/client.js';
import { demoService } from './demo-service.js';

const secret = 'runtime-test-secret-0123456789';
const adminToken = (sub: string) => `Bearer ${signToken(secret, { sub, roles: ['admin'], expiresIn: 600 })}`;
const admin = adminToken('tester');
const HOUR_MS = 60 * 60 * 1000;
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase({ name: 'runtime' });
});
afterAll(async () => {
  await database?.dispose();
});

function env(overrides: Record<string, string> = {}) {
  if (database.target.kind !== 'postgres')
    throw new Error('these tests share one database between processes: PostgreSQL is needed');
  return { ...runtimeTestEnv({ service: 'runtime-demo', database, jwtSecret: secret }), ...overrides };
}

const running: ServiceRuntime<PrismaClient>[] = [];
afterEach(async () => {
  while (running.length) await running.pop()!.stop();
});

async function start(overrides?: Record<string, string>) {
  const runtime = await createServiceRuntime(demoService, { env: env(overrides) });
  running.push(runtime);
  await runtime.start();
  return runtime;
}

describe('a service built on the runtime', () => {
  it('migrates, serves, publishes through the outbox and consumes its own event', async () => {
    const { app } = await start();
    await waitFor(async () => (await app.inject({ url: '/health/ready' })).statusCode === 200, {
      description: 'readiness',
    });
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/products',
      headers: { authorization: admin },
      payload: { sku: uniqueName('sku'), name: 'Lamp' },
    });
    expect(created.statusCode).toBe(201);
    const { id } = created.json() as { id: string };
    await waitFor(
      async () =>
        (await app.inject({ url: `/api/v1/products/${id}/seen`, headers: { authorization: admin } })).json()
          .seen,
      {
        description: 'the ProductCreated event to come back through the consumer',
        timeoutMs: 30_000,
      },
    );
    const metrics = (await app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/^messaging_consumed_events_total\{[^}]*result="handled"[^}]*\} [1-9]/m);
    expect(metrics).toMatch(/^outbox_pending_events\{[^}]*\} \d+/m);
    expect(metrics).toMatch(/^messaging_consumer_waiting_on_outage\{[^}]*\} 0/m);
  });

  it('answers bad input with the error envelope and changes nothing', async () => {
    const { app, context } = await start();
    const before = await context.prisma.product.count();
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/products',
      headers: { authorization: admin },
      payload: { sku: '' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('INVALID_REQUEST');
    expect(await context.prisma.product.count()).toBe(before);
  });

  it('refuses a bad variable with a message naming it', async () => {
    await expect(createServiceRuntime(demoService, { env: env({ PORT: '70000' }) })).rejects.toThrow(/PORT/);
    await expect(
      createServiceRuntime(demoService, { env: env({ SERVICE_REGISTRATION: 'maybe' }) }),
    ).rejects.toThrow(/SERVICE_REGISTRATION: must be true or false/);
  });
});

describe('commit listeners', () => {
  it('run after every committed transaction, except those that ask not to wake them', async () => {
    const runtime = await createServiceRuntime(demoService, { env: env() });
    running.push(runtime);
    const { context } = runtime;
    let calls = 0;
    context.afterCommit(() => {
      calls += 1;
    });
    await context.transaction(async (tx) => tx.$queryRawUnsafe('select 1'));
    await context.directTransaction(async (tx) => tx.$queryRawUnsafe('select 1'));
    expect(calls).toBe(2);
    await context.directTransaction(async (tx) => tx.$queryRawUnsafe('select 1'), { listeners: false });
    expect(calls).toBe(2);
    await expect(
      context.directTransaction(async () => {
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(calls).toBe(2);
  });
});

describe('registration with the coordination service', () => {
  it('registers once the coordination service is up, heartbeats, registers again when forgotten, and deregisters', async () => {
    const calls: string[] = [];
    let forget = false;
    const coordination = http.createServer((request, response) => {
      const auth = request.headers.authorization ?? '';
      calls.push(`${request.method} ${request.url} ${auth.startsWith('Bearer ') ? 'token' : 'none'}`);
      if (request.method === 'POST' && request.url === '/api/v1/services/register') {
        response.writeHead(201, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ instanceId: `inst-${calls.length}`, heartbeatIntervalSeconds: 1 }));
      } else if (request.method === 'PUT' && request.url?.endsWith('/heartbeat')) {
        response.writeHead(forget ? 404 : 200).end('{}');
        forget = false;
      } else if (request.method === 'DELETE') {
        response.writeHead(204).end();
      } else response.writeHead(404).end();
    });
    // The coordination service is down when the service starts: pick a free port and leave it closed.
    await new Promise<void>((resolve) => coordination.listen(0, '127.0.0.1', resolve));
    const port = (coordination.address() as AddressInfo).port;
    await new Promise<void>((resolve) => coordination.close(() => resolve()));

    const runtime = await createServiceRuntime(demoService, {
      env: env({ SERVICE_REGISTRATION: 'true', COORDINATION_URL: `http://127.0.0.1:${port}` }),
    });
    running.push(runtime);
    await runtime.start();
    await waitFor(() => runtime.registration!.status().lastError !== null, {
      description: 'a failed first registration',
    });
    expect(runtime.registration!.status().registered).toBe(false);

    await new Promise<void>((resolve) => coordination.listen(port, '127.0.0.1', resolve));
    try {
      await waitFor(() => runtime.registration!.status().registered, {
        timeoutMs: 15_000,
        description: 'registration',
      });
      await waitFor(() => calls.some((c) => c.startsWith('PUT')), { description: 'a heartbeat' });
      forget = true;
      await waitFor(() => calls.filter((c) => c.startsWith('POST')).length === 2, {
        description: 'registering again',
      });
      running.pop();
      await runtime.stop();
      expect(calls.at(-1)).toMatch(/^DELETE \/api\/v1\/services\/inst-\d+ token$/);
      expect(calls.every((c) => c.endsWith(' token'))).toBe(true);
    } finally {
      await new Promise<void>((resolve) => coordination.close(() => resolve()));
    }
  });
});

describe('X-Idempotency-Key', () => {
  let runtime: ServiceRuntime<PrismaClient>;
  beforeEach(async () => {
    runtime = await start();
    await runtime.context.database.ready;
  });

  const createProduct = (body: object, options: { key?: string; caller?: string } = {}) =>
    runtime.app.inject({
      method: 'POST',
      url: '/api/v1/products',
      headers: {
        authorization: adminToken(options.caller ?? 'tester'),
        ...(options.key ? { 'x-idempotency-key': options.key } : {}),
      },
      payload: body,
    });
  const productCount = () => runtime.context.prisma.product.count();

  it('answers the same key and body with the first answer, and the same key with another body with 409', async () => {
    const key = uniqueName('key');
    const body = { sku: uniqueName('sku'), name: 'Lamp' };
    const first = await createProduct(body, { key });
    expect(first.statusCode).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const before = await productCount();

    const again = await createProduct({ name: body.name, sku: body.sku }, { key });
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());

    const other = await createProduct({ ...body, name: 'Desk' }, { key });
    expect(other.statusCode).toBe(409);
    expect(other.json().error).toMatchObject({
      code: 'CONFLICT',
      details: { field: 'headers.x-idempotency-key', reason: 'IDEMPOTENCY_KEY_REUSED', idempotencyKey: key },
    });
    expect(await productCount()).toBe(before);

    const malformed = await createProduct({ sku: uniqueName('sku'), name: 'Lamp' }, { key: 'has spaces' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.details.fields[0].field).toBe('headers.x-idempotency-key');
  });

  it('keeps the keys of different callers apart, and creates once when a request races itself', async () => {
    const key = uniqueName('key');
    const mine = await createProduct({ sku: uniqueName('sku'), name: 'Lamp' }, { key, caller: 'alice' });
    const theirs = await createProduct({ sku: uniqueName('sku'), name: 'Lamp' }, { key, caller: 'bob' });
    expect(theirs.statusCode).toBe(201);
    expect(theirs.headers['idempotent-replayed']).toBeUndefined();
    expect(theirs.json().id).not.toBe(mine.json().id);

    const raced = uniqueName('race');
    const body = { sku: uniqueName('sku'), name: 'Chair' };
    const responses = await Promise.all([1, 2, 3].map(() => createProduct(body, { key: raced })));
    expect(responses.map((response) => response.statusCode)).toEqual([201, 201, 201]);
    expect(new Set(responses.map((response) => response.json().id)).size).toBe(1);
    expect(responses.filter((response) => response.headers['idempotent-replayed'] === 'true')).toHaveLength(
      2,
    );
  });

  const request = (overrides: Partial<IdempotentRequest> = {}): IdempotentRequest => ({
    scope: 'tester',
    operation: 'refund-order:1',
    key: uniqueName('key'),
    body: { amount: '1.00' },
    ...overrides,
  });
  const run = (idempotency: IdempotentRequest | null, answer: unknown, ttlMs?: number) =>
    runtime.context.transaction((tx) =>
      idempotently(
        tx,
        idempotency,
        async () => ({ statusCode: 200, body: answer }),
        ttlMs === undefined ? {} : { ttlMs },
      ),
    );
  /** Makes the answer stored for `key` look `hours` old. */
  const backdate = (key: string, hours: number) =>
    runtime.context.prisma.$executeRawUnsafe(
      `update idempotent_requests set created_at = now() - make_interval(hours => $2) where key = $1`,
      key,
      hours,
    );

  it('counts a key per operation, and runs the work every time without a key', async () => {
    const refund = request();
    expect(await run(refund, 'first')).toEqual({ statusCode: 200, body: 'first', replayed: false });
    const elsewhere = { ...refund, operation: 'refund-order:2' };
    expect(await run(elsewhere, 'second')).toEqual({ statusCode: 200, body: 'second', replayed: false });
    expect(await run(refund, 'third')).toEqual({ statusCode: 200, body: 'first', replayed: true });
    expect(await run(null, 'a')).toEqual({ statusCode: 200, body: 'a', replayed: false });
    expect(await run(null, 'b')).toEqual({ statusCode: 200, body: 'b', replayed: false });
  });

  it('stores nothing when the work fails, so the key may be used again', async () => {
    const idempotency = request();
    await expect(
      runtime.context.transaction((tx) =>
        idempotently(tx, idempotency, async () => {
          throw new Error('refused');
        }),
      ),
    ).rejects.toThrow('refused');
    expect(await run({ ...idempotency, body: { amount: '2.00' } }, 'corrected')).toMatchObject({
      body: 'corrected',
      replayed: false,
    });
  });

  it('no longer replays an answer older than the TTL, and purges expired answers', async () => {
    const idempotency = request();
    await run(idempotency, { n: 1 });
    await backdate(idempotency.key, 2);
    expect(await run(idempotency, { n: 2 }, 3 * HOUR_MS)).toMatchObject({ body: { n: 1 }, replayed: true });
    expect(await run(idempotency, { n: 2 }, 1 * HOUR_MS)).toMatchObject({ body: { n: 2 }, replayed: false });

    await backdate(idempotency.key, 25);
    expect(
      await purgeIdempotentRequests(runtime.context.prisma, new Date(Date.now() - 24 * HOUR_MS)),
    ).toBeGreaterThanOrEqual(1);
    expect(await run(idempotency, { n: 3 })).toMatchObject({ body: { n: 3 }, replayed: false });
  });

  it('purges expired answers in the background', async () => {
    const idempotency = request();
    await run(idempotency, 'old');
    await backdate(idempotency.key, 25);
    const purging = demoService.background!(runtime.context);
    for (const task of purging) task.start();
    try {
      await waitFor(
        async () => {
          const [row] = await runtime.context.prisma.$queryRawUnsafe<{ count: bigint }[]>(
            'select count(*) as count from idempotent_requests where key = $1',
            idempotency.key,
          );
          return Number(row!.count) === 0;
        },
        { description: 'the expired answer to be purged' },
      );
    } finally {
      for (const task of purging) await task.close();
    }
  });
});
