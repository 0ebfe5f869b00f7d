import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { signToken } from './auth.js';
import { HealthRegistry, type HealthCheck } from './health.js';
import { buildTestApp, TEST_SECRET } from './test-support/test-app.js';

let app: FastifyInstance | undefined;

afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** A dependency whose state the test flips. */
function switchableCheck(name: string, options: { critical?: boolean } = {}) {
  const state = { up: true, calls: 0 };
  const check: HealthCheck = {
    name,
    ...options,
    async check() {
      state.calls += 1;
      if (!state.up) throw new Error(`${name} refused the connection`);
      return { details: { pool: '2/10 active' } };
    },
  };
  return { check, state };
}

const never = (): Promise<never> => new Promise(() => {});

describe('probes', () => {
  it('reports ready when every critical check passes, 503 naming the failing ones otherwise', async () => {
    const database = switchableCheck('database');
    const broker = switchableCheck('broker');
    ({ app } = await buildTestApp({ healthChecks: [database.check, broker.check] }));

    const ready = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'UP' });

    database.state.up = false;
    const notReady = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json()).toEqual({
      status: 'DOWN',
      failing: ['database'],
      reason: 'critical checks failing',
      checks: { database: { status: 'DOWN', error: 'database refused the connection' } },
    });

    database.state.up = true;
    expect((await app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
  });

  it('keeps liveness UP whatever the dependencies do, without consulting them', async () => {
    const database = switchableCheck('database');
    database.state.up = false;
    ({ app } = await buildTestApp({ healthChecks: [database.check] }));

    const live = await app.inject({ method: 'GET', url: '/health/live' });
    expect(live.statusCode).toBe(200);
    expect(live.json()).toEqual({ status: 'UP' });
    expect(database.state.calls).toBe(0);
  });

  it('ignores non-critical checks for readiness', async () => {
    const cache = switchableCheck('cache', { critical: false });
    cache.state.up = false;
    ({ app } = await buildTestApp({ healthChecks: [cache.check] }));
    expect((await app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
    expect(cache.state.calls).toBe(0);
  });

  it('counts a check that does not answer in time as DOWN', async () => {
    ({ app } = await buildTestApp({ healthChecks: [{ name: 'registry', timeoutMs: 5, check: never }] }));
    const response = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({
      failing: ['registry'],
      checks: { registry: { status: 'DOWN', error: 'timed out after 5 ms' } },
    });
  });

  it('counts a check that reports DOWN without throwing', async () => {
    ({ app } = await buildTestApp({
      healthChecks: [{ name: 'pool', check: async () => ({ status: 'DOWN', details: { waiting: 40 } }) }],
    }));
    const response = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ checks: { pool: { status: 'DOWN', waiting: 40 } } });
  });

  it('turns readiness red and other routes 503 once shutting down, liveness stays UP', async () => {
    ({ app } = await buildTestApp());
    await app.register(
      async (api) => api.get('/things', { config: { public: true } }, async () => ({ ok: true })),
      {
        prefix: '/api/v1',
      },
    );
    app.health.markShuttingDown();

    const ready = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({ status: 'DOWN', failing: [], reason: 'shutting down' });
    expect((await app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);

    const other = await app.inject({ method: 'GET', url: '/api/v1/things' });
    expect(other.statusCode).toBe(503);
    expect(other.json()).toMatchObject({ error: { code: 'SERVICE_UNAVAILABLE' } });
    expect(other.headers.connection).toBe('close');
  });
});

describe('health document', () => {
  it('lists every check with its status and details, open at /health and /api/v1/health', async () => {
    const database = switchableCheck('database');
    const cache = switchableCheck('cache', { critical: false });
    ({ app } = await buildTestApp({ healthChecks: [database.check, cache.check] }));

    for (const url of ['/health', '/api/v1/health']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(200);
      const body = response.json();
      expect(body).toEqual({
        status: 'UP',
        details: {
          database: { status: 'UP', critical: true, pool: '2/10 active' },
          cache: { status: 'UP', critical: false, pool: '2/10 active' },
        },
        timestamp: expect.any(String),
      });
      expect(Number.isNaN(Date.parse(body.timestamp))).toBe(false);
    }

    cache.state.up = false;
    const degraded = await app.inject({ method: 'GET', url: '/health' });
    expect(degraded.statusCode).toBe(200);
    expect(degraded.json()).toMatchObject({ status: 'DEGRADED', details: { cache: { status: 'DOWN' } } });

    database.state.up = false;
    const down = await app.inject({ method: 'GET', url: '/api/v1/health' });
    expect(down.statusCode).toBe(503);
    expect(down.json()).toMatchObject({ status: 'DOWN', details: { database: { status: 'DOWN' } } });
  });

  it('runs the checks once for concurrent requests, and once per cache period with healthCacheMs', async () => {
    const database = switchableCheck('database');
    let release!: () => void;
    const slow: HealthCheck = {
      name: 'broker',
      check: () => new Promise((resolve) => (release = () => resolve({ details: {} }))),
    };
    const built = await buildTestApp({ healthChecks: [database.check, slow], healthCacheMs: 60_000 });
    app = built.app;
    const burst = Array.from({ length: 20 }, () => built.app.inject({ method: 'GET', url: '/health' }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    release();
    const answers = await Promise.all(burst);
    expect(answers.map((answer) => answer.statusCode)).toEqual(Array(20).fill(200));
    expect(database.state.calls).toBe(1);

    database.state.up = false;
    const cached = await built.app.inject({ method: 'GET', url: '/api/v1/health' });
    expect(cached.json().status).toBe('UP');
    expect(database.state.calls).toBe(1);
  });

  it('runs the checks again for each request after the last run settled when no cache is asked for', async () => {
    const database = switchableCheck('database');
    ({ app } = await buildTestApp({ healthChecks: [database.check] }));
    await app.inject({ method: 'GET', url: '/health' });
    await app.inject({ method: 'GET', url: '/health' });
    expect(database.state.calls).toBe(2);
  });

  it('is served by the builder a service supplies', async () => {
    ({ app } = await buildTestApp({
      healthChecks: [switchableCheck('database').check],
      healthDocument: async (outcomes) => ({
        status: 'UP',
        details: {
          coordination: { status: 'UP', activeWorkflows: 3 },
          infrastructure: Object.fromEntries(
            outcomes.map((outcome) => [outcome.name, { status: outcome.status }]),
          ),
        },
        timestamp: '2024-01-15T10:15:00Z',
      }),
    }));
    const response = await app.inject({
      method: 'GET',
      url: '/api/v1/health',
      headers: {
        authorization: `Bearer ${signToken(TEST_SECRET, { sub: 'ops', roles: ['admin'], expiresIn: 60 })}`,
      },
    });
    expect(response.json()).toEqual({
      status: 'UP',
      details: {
        coordination: { status: 'UP', activeWorkflows: 3 },
        infrastructure: { database: { status: 'UP' } },
      },
      timestamp: '2024-01-15T10:15:00Z',
    });
  });

  it('takes checks registered after the app was built', async () => {
    ({ app } = await buildTestApp());
    const late = switchableCheck('consumer');
    late.state.up = false;
    app.health.register(late.check);
    expect((await app.inject({ method: 'GET', url: '/health/ready' })).json()).toMatchObject({
      failing: ['consumer'],
    });
  });
});

describe('HealthRegistry', () => {
  it('refuses two checks with one name', () => {
    const registry = new HealthRegistry({ checks: [switchableCheck('db').check] });
    expect(() => registry.register(switchableCheck('db').check)).toThrow(/already registered/);
  });

  it('uses the registry-wide timeout when a check sets none', async () => {
    const registry = new HealthRegistry({ timeoutMs: 5, checks: [{ name: 'slow', check: never }] });
    const [outcome] = await registry.run();
    expect(outcome).toMatchObject({
      name: 'slow',
      status: 'DOWN',
      details: { error: 'timed out after 5 ms' },
    });
  });

  it('counts a synchronous throw as DOWN', async () => {
    const registry = new HealthRegistry({
      checks: [
        {
          name: 'sync',
          check: () => {
            throw new Error('boom');
          },
        },
      ],
    });
    expect((await registry.readiness()).failing).toEqual(['sync']);
  });
});
