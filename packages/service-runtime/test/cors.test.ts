import { randomUUID } from 'node:crypto';
import { signToken } from '@fv/service-kit';
import { createTestDatabase, runtimeTestEnv, uniqueName, type TestDatabase } from '@fv/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  corsOriginPolicy,
  corsOriginsSetting,
  createServiceRuntime,
  type ServiceRuntime,
} from '../src/index.js';
import type { PrismaClient } from '../src/generated/test-prisma/client.js';
import { demoService } from './demo-service.js';

const secret = 'runtime-test-secret-0123456789';
const admin = `Bearer ${signToken(secret, { sub: 'tester', roles: ['admin'], expiresIn: 600 })}`;
const SHOP = 'https://shop.example.com';
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase({ name: 'runtime-cors' });
});
afterAll(async () => {
  await database?.dispose();
});

const running: ServiceRuntime<PrismaClient>[] = [];
afterEach(async () => {
  while (running.length) await running.pop()!.stop();
});

/** A service built on the runtime, as every platform service is, with `env` on top of a test setup. */
async function service(env: Record<string, string>) {
  const runtime = await createServiceRuntime(demoService, {
    env: { ...runtimeTestEnv({ service: 'runtime-cors', database, jwtSecret: secret }), ...env },
  });
  running.push(runtime);
  await runtime.context.database.ready;
  return runtime.app;
}

const preflight = (origin: string, requestHeaders = 'authorization,content-type,x-idempotency-key') => ({
  method: 'OPTIONS' as const,
  url: '/api/v1/products',
  headers: {
    origin,
    'access-control-request-method': 'POST',
    'access-control-request-headers': requestHeaders,
  },
});

/** A comma-separated header as a list of lower-case names. */
const list = (value: unknown) =>
  String(value)
    .toLowerCase()
    .split(',')
    .map((name) => name.trim());

const corsHeaders = (headers: Record<string, unknown>) =>
  Object.keys(headers).filter((name) => name.startsWith('access-control-'));

describe('CORS on a service built on the runtime', () => {
  it('answers a preflight from an allowed origin with the methods and headers the API uses', async () => {
    const app = await service({ NODE_ENV: 'production', CORS_ORIGINS: `${SHOP},https://admin.example.com` });
    const response = await app.inject(
      preflight(SHOP, 'authorization,content-type,x-idempotency-key,traceparent,x-publishable-api-key'),
    );
    expect(response.statusCode).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe(SHOP);
    expect(response.headers['access-control-allow-credentials']).toBeUndefined();
    expect(list(response.headers['access-control-allow-methods'])).toEqual(
      expect.arrayContaining(['get', 'post', 'put', 'delete']),
    );
    expect(list(response.headers['access-control-allow-headers'])).toEqual(
      expect.arrayContaining([
        'authorization',
        'content-type',
        'x-idempotency-key',
        'traceparent',
        'x-publishable-api-key',
        'last-event-id',
      ]),
    );
    expect(response.headers['access-control-max-age']).toBe('600');
    expect(String(response.headers.vary)).toMatch(/origin/i);
  });

  it('gives a preflight from any other origin no CORS header', async () => {
    const app = await service({ NODE_ENV: 'production', CORS_ORIGINS: SHOP });
    for (const origin of [
      'https://evil.example.com',
      'http://shop.example.com',
      'https://shop.example.com:8443',
    ]) {
      const response = await app.inject(preflight(origin));
      expect(response.statusCode, origin).toBe(404);
      expect(corsHeaders(response.headers), origin).toEqual([]);
    }
  });

  it('lets the allowed page read answers, errors included, and the headers it needs', async () => {
    const app = await service({ NODE_ENV: 'production', CORS_ORIGINS: SHOP });
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/products',
      headers: { origin: SHOP, authorization: admin, 'x-idempotency-key': randomUUID() },
      payload: { sku: uniqueName('sku'), name: 'Lamp' },
    });
    expect(created.statusCode).toBe(201);
    expect(created.headers['access-control-allow-origin']).toBe(SHOP);
    expect(list(created.headers['access-control-expose-headers'])).toEqual(
      expect.arrayContaining(['location', 'link', 'x-correlation-id', 'x-ratelimit-limit', 'retry-after']),
    );

    // Refused by the authentication hook, before any route runs: still readable by the page.
    const anonymous = await app.inject({ url: '/api/v1/products/x/seen', headers: { origin: SHOP } });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['access-control-allow-origin']).toBe(SHOP);
    expect(String(anonymous.headers['access-control-expose-headers'])).toMatch(/X-Correlation-Id/);
    expect(anonymous.json()).toMatchObject({ error: { code: 'AUTHENTICATION_REQUIRED' } });

    const foreign = await app.inject({
      url: '/api/v1/products/x/seen',
      headers: { origin: 'https://evil.example.com' },
    });
    expect(foreign.statusCode).toBe(401);
    expect(corsHeaders(foreign.headers)).toEqual([]);
  });

  it('admits pages of this machine in development when CORS_ORIGINS is unset, and none elsewhere', async () => {
    const development = await service({ NODE_ENV: 'development' });
    for (const origin of ['http://localhost:8088', 'http://127.0.0.1:5173', 'http://[::1]:8088']) {
      const response = await development.inject(preflight(origin));
      expect(response.statusCode, origin).toBe(204);
      expect(response.headers['access-control-allow-origin'], origin).toBe(origin);
    }
    expect(corsHeaders((await development.inject(preflight('https://shop.example.com'))).headers)).toEqual(
      [],
    );

    for (const NODE_ENV of ['test', 'production']) {
      const app = await service({ NODE_ENV });
      const response = await app.inject(preflight('http://localhost:8088'));
      expect(response.statusCode, NODE_ENV).toBe(404);
      expect(corsHeaders(response.headers), NODE_ENV).toEqual([]);
    }
  });

  it('refuses a CORS_ORIGINS that is not a list of origins, naming the variable', async () => {
    for (const value of ['shop.example.com', 'https://shop.example.com/path', 'ftp://files.example.com']) {
      await expect(service({ CORS_ORIGINS: value }), value).rejects.toThrow(/CORS_ORIGINS: must be/);
    }
  });
});

describe('the origin policy', () => {
  const origins = (value: string) => corsOriginsSetting().parse(value);

  it('compares origins as browsers send them', () => {
    const allows = corsOriginPolicy({
      NODE_ENV: 'production',
      CORS_ORIGINS: origins('https://Shop.Example.com/'),
    });
    expect(allows('https://shop.example.com')).toBe(true);
    expect(allows('https://shop.example.com:443')).toBe(true);
    expect(allows('https://shop.example.com.evil.com')).toBe(false);
    expect(allows('null')).toBe(false);
  });

  it('uses CORS_ORIGINS instead of the development default when it is set', () => {
    const allows = corsOriginPolicy({
      NODE_ENV: 'development',
      CORS_ORIGINS: origins('https://shop.example.com'),
    });
    expect(allows('http://localhost:8088')).toBe(false);
    expect(allows('https://shop.example.com')).toBe(true);
  });
});
