import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { signToken, type Role } from './auth.js';
import { callerClass } from './rate-limit.js';
import { buildTestApp, TEST_SECRET } from './test-support/test-app.js';

function bearer(roles: Role[], sub: string): Record<string, string> {
  return { authorization: `Bearer ${signToken(TEST_SECRET, { sub, roles, expiresIn: '1h' })}` };
}

let app: FastifyInstance;

async function appWithLimits(max: { service?: number; admin?: number; external?: number }) {
  ({ app } = await buildTestApp({ rateLimit: { max, timeWindowMs: 60_000 } }));
  await app.register(
    async (api) => {
      api.get('/things', async () => ({ ok: true }));
    },
    { prefix: '/api/v1' },
  );
  return app;
}

async function statuses(count: number, url: string, headers: Record<string, string> = {}): Promise<number[]> {
  const codes: number[] = [];
  for (let i = 0; i < count; i += 1)
    codes.push((await app.inject({ method: 'GET', url, headers })).statusCode);
  return codes;
}

afterEach(async () => {
  await app.close();
});

describe('rate limiting', () => {
  it('answers 429 RATE_LIMIT_EXCEEDED with Retry-After once the limit is spent', async () => {
    await appWithLimits({ external: 2 });
    const headers = bearer(['customer'], 'cust-1');
    expect(await statuses(2, '/api/v1/things', headers)).toEqual([200, 200]);

    const limited = await app.inject({ method: 'GET', url: '/api/v1/things', headers });
    expect(limited.statusCode).toBe(429);
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.json()).toEqual({
      error: {
        code: 'RATE_LIMIT_EXCEEDED',
        message: `Rate limit exceeded, retry in ${retryAfter} s`,
        details: { retryAfterSeconds: retryAfter, limit: 2, windowSeconds: 60, callerClass: 'external' },
        traceId: limited.headers['x-trace-id'],
      },
    });
  });

  it('counts each token subject separately', async () => {
    await appWithLimits({ external: 1 });
    expect(await statuses(2, '/api/v1/things', bearer(['customer'], 'cust-1'))).toEqual([200, 429]);
    expect(await statuses(1, '/api/v1/things', bearer(['customer'], 'cust-2'))).toEqual([200]);
  });

  it('gives each caller class its own limit', async () => {
    await appWithLimits({ service: 3, admin: 2, external: 1 });
    expect(await statuses(4, '/api/v1/things', bearer(['service'], 'inventory'))).toEqual([
      200, 200, 200, 429,
    ]);
    expect(await statuses(3, '/api/v1/things', bearer(['admin'], 'operator'))).toEqual([200, 200, 429]);
    expect(await statuses(2, '/api/v1/things', bearer(['customer'], 'cust-1'))).toEqual([200, 429]);
  });

  it('counts anonymous callers by address, before rejecting them', async () => {
    await appWithLimits({ external: 2 });
    expect(await statuses(3, '/api/v1/things')).toEqual([401, 401, 429]);
  });

  it('never limits probes and metrics', async () => {
    await appWithLimits({ external: 1 });
    app.get('/actuator/health/liveness', { config: { probe: true } }, async () => ({ status: 'UP' }));
    for (const url of [
      '/health/live',
      '/health/ready',
      '/health',
      '/api/v1/health',
      '/metrics',
      '/actuator/health/liveness',
    ]) {
      expect(await statuses(3, url), url).toEqual([200, 200, 200]);
    }
  });

  it('can be turned off', async () => {
    ({ app } = await buildTestApp({ rateLimit: false }));
    const response = await app.inject({ method: 'GET', url: '/health/live' });
    expect(response.headers['x-ratelimit-limit']).toBeUndefined();
    expect(await statuses(3, '/nowhere')).toEqual([404, 404, 404]);
  });
});

describe('callerClass', () => {
  it('puts a caller in the most generous class of its roles', () => {
    expect(callerClass(null)).toBe('external');
    expect(callerClass({ sub: 'c', roles: ['customer'], exp: 0 })).toBe('external');
    expect(callerClass({ sub: 'a', roles: ['admin'], exp: 0 })).toBe('admin');
    expect(callerClass({ sub: 's', roles: ['admin', 'service'], exp: 0 })).toBe('service');
  });
});
