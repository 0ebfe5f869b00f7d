import type { FastifyInstance } from 'fastify';
import { Counter } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { signToken } from './auth.js';
import { buildTestApp, TEST_SECRET } from './test-support/test-app.js';

const apps: FastifyInstance[] = [];

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function appWithRoute(options: { defaultMetrics?: boolean } = {}) {
  const { app } = await buildTestApp(options);
  apps.push(app);
  await app.register(
    async (api) => {
      api.get('/orders/:orderId', async (request) => request.params);
    },
    { prefix: '/api/v1' },
  );
  return app;
}

/** The value of the sample `name` whose labels include `labels`, read from the text format. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-z_:][\w:]*)\{(.*)\} (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((pair) => [pair[1], pair[2]]),
    );
    if (Object.entries(labels).every(([key, value]) => present[key] === value)) return Number(match[3]);
  }
  return undefined;
}

const auth = {
  authorization: `Bearer ${signToken(TEST_SECRET, { sub: 'c', roles: ['customer'], expiresIn: 60 })}`,
};

describe('/metrics', () => {
  it('records request durations by method, route pattern and status', async () => {
    const app = await appWithRoute();
    await app.inject({ method: 'GET', url: '/api/v1/orders/ord-1', headers: auth });
    await app.inject({ method: 'GET', url: '/api/v1/orders/ord-2', headers: auth });
    await app.inject({ method: 'GET', url: '/api/v1/orders/ord-3' });

    const response = await app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/plain');
    const text = response.body;
    expect(text).toContain('# TYPE http_request_duration_seconds histogram');
    const route = { method: 'GET', route: '/api/v1/orders/:orderId', service: 'test-service' };
    expect(sample(text, 'http_request_duration_seconds_count', { ...route, status_code: '200' })).toBe(2);
    expect(sample(text, 'http_request_duration_seconds_count', { ...route, status_code: '401' })).toBe(1);
    expect(
      sample(text, 'http_request_duration_seconds_bucket', { ...route, status_code: '200', le: '+Inf' }),
    ).toBe(2);
    expect(text).not.toContain('ord-1');
  });

  it('labels requests that match no route as unmatched', async () => {
    const app = await appWithRoute();
    await app.inject({ method: 'GET', url: '/no/such/path' });
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(
      sample(text, 'http_request_duration_seconds_count', {
        method: 'GET',
        route: 'unmatched',
        status_code: '404',
      }),
    ).toBe(1);
    expect(text).not.toContain('/no/such/path');
  });

  it('serves process metrics and the metrics a service registers', async () => {
    const app = await appWithRoute({ defaultMetrics: true });
    const placed = new Counter({
      name: 'orders_placed_total',
      help: 'Orders placed',
      registers: [app.metrics],
    });
    placed.inc(3);
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(sample(text, 'orders_placed_total', { service: 'test-service' })).toBe(3);
  });

  it('keeps each app in its own registry', async () => {
    const first = await appWithRoute();
    const second = await appWithRoute();
    await first.inject({ method: 'GET', url: '/api/v1/orders/ord-1', headers: auth });
    const text = (await second.inject({ method: 'GET', url: '/metrics' })).body;
    expect(text).not.toContain('route="/api/v1/orders/:orderId"');
  });
});
