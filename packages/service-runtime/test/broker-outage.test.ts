import fs from 'node:fs/promises';
import { signToken } from '@fv/service-kit';
import {
  createTestDatabase,
  loadStackModule,
  ownStackOptions,
  uniqueName,
  waitFor,
  type StackModule,
  type StackOptions,
  type TestDatabase,
} from '@fv/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServiceRuntime, type ServiceRuntime } from '../src/index.js';
import type { PrismaClient } from '../src/generated/test-prisma/client.js';
import { demoService } from './demo-service.js';

const secret = 'runtime-test-secret-0123456789';
const admin = `Bearer ${signToken(secret, { sub: 'tester', roles: ['admin'], expiresIn: 600 })}`;
/**
 * A broker of its own for this suite (the shared test broker must stay up for everyone else), so it
 * can be stopped and started again while a service runs.
 */
let stack: StackModule;
let options: StackOptions;
let database: TestDatabase;
let runtime: ServiceRuntime<PrismaClient> | undefined;

beforeAll(async () => {
  stack = await loadStackModule();
  options = await ownStackOptions('outage');
  await stack.up(options);
  database = await createTestDatabase({ name: 'outage' });
}, 180_000);

afterAll(async () => {
  await runtime?.stop();
  await database?.dispose();
  if (options) {
    await stack.down(options);
    await fs.rm(options.stateDir, { recursive: true, force: true });
  }
}, 120_000);

async function readiness() {
  const response = await runtime!.app.inject({ url: '/health/ready' });
  return { status: response.statusCode, body: response.json() as { failing?: string[] } };
}

describe('a service whose broker goes away', () => {
  it('reports not-ready while the broker is down, keeps accepting work, and publishes it when the broker returns', async () => {
    if (database.target.kind !== 'postgres') throw new Error('this test needs the local PostgreSQL server');
    runtime = await createServiceRuntime(demoService, {
      env: {
        SERVICE_NAME: uniqueName('outage-demo'),
        LOG_LEVEL: 'fatal',
        NODE_ENV: 'test',
        JWT_SECRET: secret,
        DATABASE_URL: database.target.url,
        KAFKA_BROKERS: `127.0.0.1:${options.kafkaPort}`,
        // The registry of the shared test stack: only the broker goes away here.
        SCHEMA_REGISTRY_URL: process.env.SCHEMA_REGISTRY_URL!,
        SERVICE_REGISTRATION: 'false',
        LIVE_CONFIG: 'false',
      },
    });
    await runtime.start();
    await waitFor(async () => (await readiness()).status === 200, {
      timeoutMs: 60_000,
      description: 'ready',
    });

    await stack.down(options);
    const down = await waitFor(
      async () => {
        const state = await readiness();
        return state.status === 503 && state;
      },
      { timeoutMs: 30_000, description: 'not ready without a broker' },
    );
    expect(down.body.failing).toContain('broker');
    expect((await runtime.app.inject({ url: '/health/live' })).statusCode).toBe(200);

    // Work accepted while the broker is away is kept in the outbox.
    const created = await runtime.app.inject({
      method: 'POST',
      url: '/api/v1/products',
      headers: { authorization: admin },
      payload: { sku: uniqueName('sku'), name: 'Accepted during the outage' },
    });
    expect(created.statusCode).toBe(201);
    const { id } = created.json() as { id: string };
    expect(await runtime.context.relay.pending()).toBeGreaterThan(0);

    await stack.up(options);
    await waitFor(async () => (await readiness()).status === 200, {
      timeoutMs: 90_000,
      description: 'ready again',
    });
    await waitFor(
      async () =>
        (
          await runtime!.app.inject({ url: `/api/v1/products/${id}/seen`, headers: { authorization: admin } })
        ).json().seen,
      { timeoutMs: 90_000, description: 'the event accepted during the outage to be published and consumed' },
    );
    expect(await runtime.context.relay.pending()).toBe(0);
  }, 300_000);
});
