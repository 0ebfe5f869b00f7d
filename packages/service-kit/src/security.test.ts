import { createHmac, generateKeyPairSync } from 'node:crypto';
import { createSigner } from 'fast-jwt';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthenticator, signToken } from './auth.js';
import { serviceCredentials, signServiceToken } from './auth-credentials.js';
import { baseConfigSchema, ConfigError, loadConfig } from './config.js';
import { buildTestApp, TEST_SECRET } from './test-support/test-app.js';

// Finding 1 of the security review (identities) and the hostile-token part of the corpus.

const PLATFORM = { iss: 'first-viscount', aud: 'first-viscount' };

function raw(payload: Record<string, unknown>, options: Record<string, unknown> = {}): string {
  return createSigner({ key: TEST_SECRET, algorithm: 'HS256', expiresIn: 600_000, ...options })(payload);
}

function encode(part: object): string {
  return Buffer.from(JSON.stringify(part)).toString('base64url');
}

let app: FastifyInstance;

beforeAll(async () => {
  ({ app } = await buildTestApp());
  await app.register(
    async (api) => {
      api.post(
        '/orders/:id/refund',
        { config: { roles: ['admin', 'service'], services: ['platform-coordination'] } },
        async () => ({ refunded: true }),
      );
      api.post(
        '/inventory/reserve',
        { config: { roles: ['admin', 'service'], services: ['orders'] } },
        async () => ({ reserved: true }),
      );
      api.get('/me', async (request) => request.principal);
    },
    { prefix: '/api/v1' },
  );
});

afterAll(async () => {
  await app.close();
});

async function call(method: 'GET' | 'POST', url: string, token: string) {
  const response = await app.inject({
    method,
    url: `/api/v1${url}`,
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: response.statusCode, code: (response.json() as { error?: { code: string } }).error?.code };
}

describe('finding 1: each service speaks only for itself, on the routes that name it', () => {
  const as = (service: string) => signToken(TEST_SECRET, { sub: service, roles: ['service'], expiresIn: 60 });

  it('lets orders ask inventory to reserve, and no other service', async () => {
    expect((await call('POST', '/inventory/reserve', as('orders'))).status).toBe(200);
    expect(await call('POST', '/inventory/reserve', as('notifications'))).toEqual({
      status: 403,
      code: 'INSUFFICIENT_PERMISSIONS',
    });
  });

  it('does not let notifications refund an order', async () => {
    expect(await call('POST', '/orders/o-1/refund', as('notifications'))).toEqual({
      status: 403,
      code: 'INSUFFICIENT_PERMISSIONS',
    });
    expect((await call('POST', '/orders/o-1/refund', as('platform-coordination'))).status).toBe(200);
    const admin = signToken(TEST_SECRET, { sub: 'ops', roles: ['admin'], expiresIn: 60 });
    expect((await call('POST', '/orders/o-1/refund', admin)).status).toBe(200);
  });

  it('refuses to build an app whose route admits services without naming them', async () => {
    const { app: other } = await buildTestApp();
    await expect(
      other.register(async (api) => {
        api.post('/things', { config: { roles: ['service'] } }, async () => ({}));
      }),
    ).rejects.toThrow(/name the services that may call it/);
    await other.close();
  });

  it('signs a service token with sub = the service name, issuer and audience', async () => {
    const credentials = serviceCredentials({ SERVICE_NAME: 'orders', JWT_SECRET: TEST_SECRET });
    const principal = await createAuthenticator({ secret: TEST_SECRET })(signServiceToken(credentials, 60));
    expect(principal).toMatchObject({ sub: 'orders', roles: ['service'] });
  });

  it('binds a service key to its service: it cannot mint an admin or speak for another service', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const verify = createAuthenticator({
      jwks: async (kid) => (kid === 'service:notifications' ? publicPem : ''),
    });
    const key = { privateKey: pem, keyId: 'service:notifications' };
    await expect(
      verify(signToken(key, { sub: 'notifications', roles: ['service'], expiresIn: 60 })),
    ).resolves.toMatchObject({ sub: 'notifications' });
    for (const forged of [
      signToken(key, { sub: 'notifications', roles: ['admin'], expiresIn: 60 }),
      signToken(key, { sub: 'platform-coordination', roles: ['service'], expiresIn: 60 }),
    ]) {
      await expect(verify(forged)).rejects.toMatchObject({ code: 'AUTHENTICATION_REQUIRED' });
    }
  });

  it('verifies RS256 tokens of an identity provider through its JWKS, and refuses HS256 without a secret', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'idp-1', use: 'sig' };
    const fetchJwks = (async () => new Response(JSON.stringify({ keys: [jwk] }))) as typeof fetch;
    const { createJwksKeyResolver } = await import('./auth.js');
    const verify = createAuthenticator({
      jwks: createJwksKeyResolver('https://id.example.com/jwks', { fetch: fetchJwks }),
    });
    const key = {
      privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      keyId: 'idp-1',
    };
    await expect(
      verify(signToken(key, { sub: 'c-1', roles: ['customer'], expiresIn: 60 })),
    ).resolves.toMatchObject({ sub: 'c-1' });
    await expect(
      verify(signToken(TEST_SECRET, { sub: 'c-1', roles: ['admin'], expiresIn: 60 })),
    ).rejects.toMatchObject({ code: 'AUTHENTICATION_REQUIRED' });
  });

  it('refuses to start outside local development without a key, naming JWT_SECRET', () => {
    let error: unknown;
    try {
      loadConfig(baseConfigSchema, { SERVICE_NAME: 'orders', PORT: '8084' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(/JWT_SECRET: is required \(NODE_ENV is not set\)/);
  });
});

describe('hostile tokens', () => {
  const hostile: Record<string, () => string> = {
    'forged (another key)': () =>
      createSigner({ key: 'an-attacker-secret-0123456789', ...PLATFORM, expiresIn: 60_000 })({
        sub: 'x',
        roles: ['admin'],
      }),
    expired: () =>
      raw({ sub: 'x', roles: ['admin'], ...PLATFORM }, { clockTimestamp: Date.now() - 3_600_000 }),
    'alg none': () =>
      `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ sub: 'x', roles: ['admin'], ...PLATFORM, iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 60 })}.`,
    'wrong audience': () => raw({ sub: 'x', roles: ['admin'], iss: PLATFORM.iss, aud: 'another-platform' }),
    'wrong issuer': () => raw({ sub: 'x', roles: ['admin'], iss: 'someone-else', aud: PLATFORM.aud }),
    'no issuer nor audience': () => raw({ sub: 'x', roles: ['admin'] }),
    'lifetime beyond the maximum': () =>
      raw({ sub: 'x', roles: ['admin'], ...PLATFORM }, { expiresIn: 400 * 24 * 3_600_000 }),
    'no issue time': () => raw({ sub: 'x', roles: ['admin'], ...PLATFORM }, { noTimestamp: true }),
    'unknown role': () => raw({ sub: 'x', roles: ['root'], ...PLATFORM }),
    garbage: () => 'not.a.token',
  };

  for (const [name, make] of Object.entries(hostile)) {
    it(`answers 401 to a token that is ${name}`, async () => {
      expect(await call('GET', '/me', make())).toEqual({ status: 401, code: 'AUTHENTICATION_REQUIRED' });
    });
  }

  it('reads a payload with prototype keys as plain claims: the caller stays a customer', async () => {
    const now = Math.floor(Date.now() / 1000);
    const header = encode({ alg: 'HS256', typ: 'JWT' });
    const payload = Buffer.from(
      `{"sub":"x","roles":["customer"],"iss":"first-viscount","aud":"first-viscount","iat":${now},"exp":${now + 60},` +
        '"__proto__":{"roles":["admin"],"polluted":true},"constructor":{"prototype":{"polluted":true}}}',
    ).toString('base64url');
    const signature = createHmac('sha256', TEST_SECRET).update(`${header}.${payload}`).digest('base64url');
    const response = await app.inject({
      url: '/api/v1/me',
      headers: { authorization: `Bearer ${header}.${payload}.${signature}` },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ sub: 'x', roles: ['customer'] });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('accepts the same token when it is well formed (the corpus is not refused for another reason)', async () => {
    expect((await call('GET', '/me', raw({ sub: 'x', roles: ['admin'], ...PLATFORM }))).status).toBe(200);
  });
});

describe('finding 6: the health document is rate-limited; the probes are not', () => {
  it('answers 429 once an anonymous caller exceeds its health requests per minute', async () => {
    const { app: limited } = await buildTestApp({ healthRatePerMinute: 3 });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await limited.inject({ url: '/health' })).statusCode);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const refused = await limited.inject({ url: '/api/v1/health' });
    expect(refused.json().error.code).toBe('RATE_LIMIT_EXCEEDED');
    expect(refused.headers['retry-after']).toBeDefined();
    for (let i = 0; i < 5; i++) {
      expect((await limited.inject({ url: '/health/live' })).statusCode).toBe(200);
      expect((await limited.inject({ url: '/health/ready' })).statusCode).toBe(200);
    }
    await limited.close();
  });

  it('limits the health document by default in every service configuration', () => {
    const config = loadConfig(baseConfigSchema, { NODE_ENV: 'test', SERVICE_NAME: 's', PORT: '1' });
    expect(config.HEALTH_RATE_LIMIT_PER_MINUTE).toBeGreaterThan(0);
  });
});

describe('hostile bodies', () => {
  let api: FastifyInstance;
  const admin = `Bearer ${signToken(TEST_SECRET, { sub: 'ops', roles: ['admin'], expiresIn: 60 })}`;

  beforeAll(async () => {
    ({ app: api } = await buildTestApp({ bodyLimit: 64 * 1024 }));
    await api.register(
      async (scope) => {
        scope.post(
          '/things',
          {
            schema: {
              body: {
                type: 'object',
                additionalProperties: false,
                properties: { name: { type: 'string', maxLength: 100 }, tags: { type: 'object' } },
              },
            },
          },
          async () => ({ ok: true }),
        );
      },
      { prefix: '/api/v1' },
    );
  });

  afterAll(async () => {
    await api.close();
  });

  const post = (payload: string) =>
    api.inject({
      method: 'POST',
      url: '/api/v1/things',
      headers: { authorization: admin, 'content-type': 'application/json' },
      payload,
    });

  it('refuses an oversized body with 413 in the error envelope', async () => {
    const response = await post(JSON.stringify({ name: 'x'.repeat(200 * 1024) }));
    expect(response.statusCode).toBe(413);
    expect(response.json().error.code).toBeDefined();
  });

  it('answers a deeply nested body without falling over, and refuses nesting the schema forbids', async () => {
    const depth = 10_000;
    const deep = await post(`{"tags":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`);
    expect(deep.statusCode).toBeLessThan(500);
    const nested = await post(`{"name":"n","extra":${'['.repeat(5000)}${']'.repeat(5000)}}`);
    expect(nested.statusCode).toBe(400);
    expect(nested.json().error.code).toBe('INVALID_REQUEST');
    expect((await post('{"name":"still answering"}')).statusCode).toBe(200);
  });

  it('refuses prototype keys in a body and leaves Object.prototype alone', async () => {
    for (const payload of [
      '{"name":"x","__proto__":{"polluted":true}}',
      '{"tags":{"__proto__":{"polluted":true}}}',
      '{"tags":{"constructor":{"prototype":{"polluted":true}}}}',
    ]) {
      const response = await post(payload);
      expect(response.statusCode, payload).toBe(400);
      expect(response.json().error.code).toBe('INVALID_REQUEST');
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
