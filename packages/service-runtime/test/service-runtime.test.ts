import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { signToken } from '@fv/service-kit';
import { createTestDatabase, uniqueName, waitFor, type TestDatabase } from '@fv/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createServiceRuntime, type ServiceRuntime } from '../src/index.js';
import type { PrismaClient } from '../src/generated/test-prisma/client.js';
import { demoService } from './demo-service.js';

const secret = 'runtime-test-secret-0123456789';
const admin = `Bearer ${signToken(secret, { sub: 'tester', roles: ['admin'], expiresIn: 600 })}`;
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
  return {
    SERVICE_NAME: uniqueName('runtime-demo'),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'fatal',
    JWT_SECRET: secret,
    DATABASE_URL: database.target.url,
    KAFKA_BROKERS: process.env.KAFKA_BROKERS!,
    SCHEMA_REGISTRY_URL: process.env.SCHEMA_REGISTRY_URL!,
    SERVICE_REGISTRATION: 'false',
    LIVE_CONFIG: 'false',
    ...overrides,
  };
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
