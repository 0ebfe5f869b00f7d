import { createSigner } from 'fast-jwt';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTokenVerifier, requirePrincipal, signToken, type Role } from './auth.js';
import { AppError } from './errors.js';
import { buildTestApp, TEST_SECRET } from './test-support/test-app.js';

const HOUR_MS = 60 * 60 * 1000;

function bearer(roles: Role[], sub = 'caller-1'): Record<string, string> {
  return { authorization: `Bearer ${signToken(TEST_SECRET, { sub, roles, expiresIn: '1h' })}` };
}

let app: FastifyInstance;

beforeEach(async () => {
  ({ app } = await buildTestApp());
  await app.register(
    async (api) => {
      api.get('/me', async (request) => requirePrincipal(request));
      api.get(
        '/admin/things',
        { config: { roles: ['admin', 'service'], services: ['inventory'] } },
        async () => ({ ok: true }),
      );
      api.get('/ops', { preHandler: api.requireRoles('admin') }, async () => ({ ok: true }));
      api.get('/catalog', { config: { public: true } }, async (request) => ({
        principal: request.principal,
      }));
    },
    { prefix: '/api/v1' },
  );
});

afterEach(async () => {
  await app.close();
});

function errorOf(body: string): { code: string; message: string } {
  return (JSON.parse(body) as { error: { code: string; message: string } }).error;
}

describe('authentication under /api/v1', () => {
  it('rejects a request without a token', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/me' });
    expect(response.statusCode).toBe(401);
    expect(errorOf(response.body).code).toBe('AUTHENTICATION_REQUIRED');
    expect(response.headers['www-authenticate']).toBe('Bearer');
  });

  it('rejects a token signed with another secret', async () => {
    const forged = signToken('another-secret-of-enough-length', {
      sub: 'x',
      roles: ['admin'],
      expiresIn: '1h',
    });
    const response = await app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: { authorization: `Bearer ${forged}` },
    });
    expect(response.statusCode).toBe(401);
    expect(errorOf(response.body)).toMatchObject({
      code: 'AUTHENTICATION_REQUIRED',
      message: 'The bearer token is invalid',
    });
    expect(response.headers['www-authenticate']).toContain('error="invalid_token"');
  });

  it('rejects garbage and other schemes', async () => {
    for (const authorization of ['Bearer not-a-jwt', 'Basic dXNlcjpwYXNz', 'Bearer']) {
      const response = await app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization } });
      expect(response.statusCode, authorization).toBe(401);
      expect(errorOf(response.body).code).toBe('AUTHENTICATION_REQUIRED');
    }
  });

  it('rejects an expired token', async () => {
    const expired = signToken(TEST_SECRET, {
      sub: 'caller-1',
      roles: ['admin'],
      expiresIn: '1h',
      clockTimestamp: Date.now() - 2 * HOUR_MS,
    });
    const response = await app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: { authorization: `Bearer ${expired}` },
    });
    expect(response.statusCode).toBe(401);
    expect(errorOf(response.body)).toMatchObject({
      code: 'AUTHENTICATION_REQUIRED',
      message: 'The bearer token has expired',
    });
  });

  it('rejects an unsigned token and one with unknown roles', async () => {
    const unsigned = createSigner({ algorithm: 'none', expiresIn: HOUR_MS })({ sub: 'x', roles: ['admin'] });
    const unknownRole = createSigner({ key: TEST_SECRET, expiresIn: HOUR_MS })({ sub: 'x', roles: ['root'] });
    const withoutExpiry = createSigner({ key: TEST_SECRET })({ sub: 'x', roles: ['admin'] });
    for (const token of [unsigned, unknownRole, withoutExpiry]) {
      const response = await app.inject({
        method: 'GET',
        url: '/api/v1/me',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(response.statusCode).toBe(401);
    }
  });

  it('admits a valid token and exposes the principal', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: bearer(['customer'], 'cust-1'),
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ sub: 'cust-1', roles: ['customer'] });
  });

  it('leaves probes, metrics, docs and opted-out routes open', async () => {
    for (const url of [
      '/health/live',
      '/health/ready',
      '/health',
      '/api/v1/health',
      '/metrics',
      '/docs/json',
      '/api/v1/catalog',
    ]) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(200);
    }
  });

  it('still identifies the caller on an open route', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/api/v1/catalog',
      headers: bearer(['customer'], 'cust-2'),
    });
    expect(response.json()).toMatchObject({ principal: { sub: 'cust-2' } });
  });
});

describe('roles', () => {
  it('answers 403 when the caller lacks every required role', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/api/v1/admin/things',
      headers: bearer(['customer']),
    });
    expect(response.statusCode).toBe(403);
    expect(errorOf(response.body).code).toBe('INSUFFICIENT_PERMISSIONS');
  });

  it('admits a caller holding one of the roles', async () => {
    for (const roles of [['admin'], ['service'], ['customer', 'service']] as Role[][]) {
      const response = await app.inject({
        method: 'GET',
        url: '/api/v1/admin/things',
        headers: bearer(roles, 'inventory'),
      });
      expect(response.statusCode, roles.join(',')).toBe(200);
    }
  });

  it('answers 401, not 403, when a role-protected route gets no token', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/admin/things' });
    expect(response.statusCode).toBe(401);
  });

  it('enforces app.requireRoles used as a hook', async () => {
    expect(
      (await app.inject({ method: 'GET', url: '/api/v1/ops', headers: bearer(['service']) })).statusCode,
    ).toBe(403);
    expect(
      (await app.inject({ method: 'GET', url: '/api/v1/ops', headers: bearer(['admin']) })).statusCode,
    ).toBe(200);
  });
});

describe('createTokenVerifier', () => {
  it('returns the principal of a token signed with the same secret', () => {
    const verify = createTokenVerifier(TEST_SECRET);
    const token = signToken(TEST_SECRET, { sub: 'inventory', roles: ['service'], expiresIn: 60 });
    const principal = verify(token);
    expect(principal).toMatchObject({ sub: 'inventory', roles: ['service'] });
  });

  it('expresses a numeric lifetime in seconds', () => {
    const issuedAt = Date.UTC(2030, 0, 1);
    const token = signToken(TEST_SECRET, { sub: 's', roles: [], expiresIn: 90, clockTimestamp: issuedAt });
    const principal = createTokenVerifier(TEST_SECRET, { clockTimestamp: issuedAt })(token);
    expect(principal.exp).toBe(issuedAt / 1000 + 90);
  });

  it('throws AUTHENTICATION_REQUIRED for a bad token', () => {
    const verify = createTokenVerifier(TEST_SECRET);
    expect(() => verify('x.y.z')).toThrow(AppError);
  });
});
