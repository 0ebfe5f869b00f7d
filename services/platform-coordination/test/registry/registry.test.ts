import type { TestDatabase } from '@fv/testing';
import { uniqueName } from '@fv/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeaseSweeper } from '../../src/registry/lease-sweeper.js';
import type { CoordinationRuntime } from '../../src/runtime.js';
import { admin, bearer, customer, DecodedEvents, startCoordination, testDatabase } from '../support.js';

let database: TestDatabase;
let runtime: CoordinationRuntime;
let events: DecodedEvents;
/** The registry's clock: tests move it forward instead of waiting for leases to lapse. */
let offsetMs = 0;
const clock = () => new Date(Date.now() + offsetMs);

beforeAll(async () => {
  database = await testDatabase('registry');
  events = await new DecodedEvents([
    'ServiceRegistered',
    'ServiceDeregistered',
    'ServiceHealthChanged',
  ]).start();
  runtime = await startCoordination(
    database,
    {
      REGISTRY_HEARTBEAT_INTERVAL_SECONDS: '5',
      REGISTRY_HEARTBEAT_TTL_SECONDS: '15',
      REGISTRY_DEREGISTER_CRITICAL_AFTER_SECONDS: '30',
      REGISTRY_SELF_PRESERVATION_THRESHOLD: '0.5',
      REGISTRY_SELF_PRESERVATION_MIN_INSTANCES: '3',
    },
    { clock },
  );
});
afterAll(async () => {
  await runtime?.stop();
  await events?.stop();
  await database?.dispose();
});

function registration(name: string, overrides: Record<string, unknown> = {}) {
  return {
    name,
    version: '1.0.0',
    host: '127.0.0.1',
    port: 9000 + Math.floor(Math.random() * 1000),
    metadata: { tags: ['api', 'eu'], zone: 'eu-west-1a' },
    ...overrides,
  };
}

async function register(body: Record<string, unknown>, auth = admin) {
  return runtime.app.inject({
    method: 'POST',
    url: '/api/v1/services/register',
    headers: { authorization: auth },
    payload: body,
  });
}

async function outboxCount(name: string, instanceId: string): Promise<number> {
  const rows = await runtime.context.prisma.$queryRawUnsafe<{ count: bigint }[]>(
    `select count(*) as count from outbox_events where event_name = $1 and payload->>'serviceId' = $2`,
    name,
    instanceId,
  );
  return Number(rows[0]!.count);
}

async function instanceCount(): Promise<number> {
  return runtime.context.prisma.serviceInstance.count();
}

describe('registration', () => {
  it('registers an instance, returns its id and the heartbeat interval, and publishes ServiceRegistered', async () => {
    const body = registration(uniqueName('orders'));
    const response = await register(body);
    expect(response.statusCode).toBe(201);
    const created = response.json();
    expect(created).toMatchObject({ heartbeatIntervalSeconds: 5, leaseTtlSeconds: 15 });
    expect(created.instanceId).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.instance).toMatchObject({
      name: body.name,
      host: '127.0.0.1',
      port: body.port,
      baseUrl: `http://127.0.0.1:${body.port}/api/v1`,
      healthUrl: `http://127.0.0.1:${body.port}/health`,
      status: 'UP',
      metadata: { tags: ['api', 'eu'], zone: 'eu-west-1a' },
    });
    const event = await events.waitFor(
      'ServiceRegistered',
      (e) => e.serviceId === created.instanceId,
      'ServiceRegistered',
    );
    expect(event).toMatchObject({
      serviceName: body.name,
      version: '1.0.0',
      port: body.port,
      producer: 'platform-coordination',
      correlationId: created.instanceId,
      metadata: { tags: 'api,eu', zone: 'eu-west-1a' },
    });
  });

  it('is idempotent per name, host and port: same id, fields updated, never a duplicate', async () => {
    const body = registration(uniqueName('catalog'));
    const first = (await register(body)).json();
    const before = await instanceCount();

    const again = await register(body);
    expect(again.statusCode).toBe(200);
    expect(again.json().instanceId).toBe(first.instanceId);
    expect(await outboxCount('ServiceRegistered', first.instanceId)).toBe(1);

    const upgraded = await register({
      ...body,
      version: '1.1.0',
      metadata: { tags: ['api'], commit: 'abc123' },
    });
    expect(upgraded.statusCode).toBe(200);
    expect(upgraded.json().instance).toMatchObject({
      instanceId: first.instanceId,
      version: '1.1.0',
      metadata: { tags: ['api'], zone: null, commit: 'abc123' },
    });
    expect(await instanceCount()).toBe(before);
    expect(await outboxCount('ServiceRegistered', first.instanceId)).toBe(2);
    await events.waitFor(
      'ServiceRegistered',
      (e) => e.serviceId === first.instanceId && e.version === '1.1.0',
      'the updated registration',
    );
  });

  it('lets a service register only itself, and needs the service or admin role', async () => {
    const name = uniqueName('inventory');
    expect((await register(registration(name), bearer(name, ['service']))).statusCode).toBe(201);
    const other = await register(registration(uniqueName('inventory')), bearer(name, ['service']));
    expect(other.statusCode).toBe(403);
    expect(other.json().error.code).toBe('INSUFFICIENT_PERMISSIONS');
    const asCustomer = await register(registration(uniqueName('x')), customer);
    expect(asCustomer.statusCode).toBe(403);
    const anonymous = await runtime.app.inject({
      method: 'POST',
      url: '/api/v1/services/register',
      payload: registration('x'),
    });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().error.code).toBe('AUTHENTICATION_REQUIRED');
  });

  it('answers bad input with the error envelope naming the field, and changes nothing', async () => {
    const before = await instanceCount();
    const cases: {
      payload: string | Record<string, unknown>;
      field?: string;
      status?: number;
      code?: string;
    }[] = [
      { payload: '{"name": "orders",', code: 'INVALID_REQUEST' },
      { payload: { version: '1', host: 'h', port: 1 }, field: 'body.name' },
      { payload: registration('orders', { port: '80a' }), field: 'body.port' },
      { payload: registration('orders', { port: 0 }), field: 'body.port' },
      { payload: registration('orders', { port: 70000 }), field: 'body.port' },
      { payload: registration('orders', { host: 'not a host!' }), field: 'body.host' },
      { payload: registration('orders', { host: 'bad_host' }), field: 'body.host' },
      { payload: registration('Orders!'), field: 'body.name' },
      { payload: registration('orders', { healthUrl: 'ftp://x/health' }), field: 'body.healthUrl' },
      {
        payload: registration('orders', { metadata: { tags: [{ name: 'api' }] } }),
        field: 'body.metadata.tags[0]',
      },
      {
        payload: registration('orders', { metadata: { zone: { name: 'eu' } } }),
        field: 'body.metadata.zone',
      },
      { payload: registration('orders', { version: { major: 1 } }), field: 'body.version' },
      { payload: registration('orders', { extra: true }), field: 'body.extra' },
      {
        payload: registration('orders', { metadata: { note: 'x'.repeat(20_000) } }),
        status: 413,
        code: 'PAYLOAD_TOO_LARGE',
      },
    ];
    for (const { payload, field, status = 400, code = 'INVALID_REQUEST' } of cases) {
      const response = await runtime.app.inject({
        method: 'POST',
        url: '/api/v1/services/register',
        headers: { authorization: admin, 'content-type': 'application/json' },
        payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
      });
      expect(response.statusCode, JSON.stringify(payload).slice(0, 200)).toBe(status);
      const { error } = response.json();
      expect(error.code).toBe(code);
      expect(error.traceId).toBeTruthy();
      if (field) expect(error.details.fields.map((f: { field: string }) => f.field)).toContain(field);
    }
    const asText = await runtime.app.inject({
      method: 'POST',
      url: '/api/v1/services/register',
      headers: { authorization: admin, 'content-type': 'application/xml' },
      payload: '<name>orders</name>',
    });
    expect(asText.statusCode).toBe(415);
    expect(asText.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(await instanceCount()).toBe(before);
  });
});

describe('heartbeats, deregistration and queries', () => {
  it('renews the lease, 404s an unknown instance and 400s a malformed id', async () => {
    const name = uniqueName('delivery');
    const token = bearer(name, ['service']);
    const { instanceId } = (await register(registration(name), token)).json();
    const beat = await runtime.app.inject({
      method: 'PUT',
      url: `/api/v1/services/${instanceId}/heartbeat`,
      headers: { authorization: token },
    });
    expect(beat.statusCode).toBe(200);
    expect(beat.json()).toMatchObject({ instanceId, status: 'UP', heartbeatIntervalSeconds: 5 });

    const stranger = await runtime.app.inject({
      method: 'PUT',
      url: `/api/v1/services/${instanceId}/heartbeat`,
      headers: { authorization: bearer(uniqueName('other'), ['service']) },
    });
    expect(stranger.statusCode).toBe(403);
    expect(stranger.json().error.code).toBe('INSUFFICIENT_PERMISSIONS');

    const unknown = await runtime.app.inject({
      method: 'PUT',
      url: '/api/v1/services/00000000-0000-4000-8000-000000000000/heartbeat',
      headers: { authorization: token },
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toMatchObject({
      code: 'NOT_FOUND',
      details: { reason: 'INSTANCE_NOT_FOUND' },
    });

    const malformed = await runtime.app.inject({
      method: 'PUT',
      url: '/api/v1/services/not-a-uuid/heartbeat',
      headers: { authorization: token },
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.details.fields[0].field).toBe('params.id');
  });

  it('deregisters with 204, publishes ServiceDeregistered, and forgets the instance', async () => {
    const name = uniqueName('notifications');
    const token = bearer(name, ['service']);
    const { instanceId } = (await register(registration(name), token)).json();
    const foreign = await runtime.app.inject({
      method: 'DELETE',
      url: `/api/v1/services/${instanceId}`,
      headers: { authorization: bearer('someone-else', ['service']) },
    });
    expect(foreign.statusCode).toBe(403);

    const gone = await runtime.app.inject({
      method: 'DELETE',
      url: `/api/v1/services/${instanceId}`,
      headers: { authorization: token },
    });
    expect(gone.statusCode).toBe(204);
    expect(
      (
        await runtime.app.inject({
          url: `/api/v1/services/${instanceId}`,
          headers: { authorization: admin },
        })
      ).statusCode,
    ).toBe(404);
    expect(
      (
        await runtime.app.inject({
          method: 'DELETE',
          url: `/api/v1/services/${instanceId}`,
          headers: { authorization: token },
        })
      ).statusCode,
    ).toBe(404);
    const event = await events.waitFor(
      'ServiceDeregistered',
      (e) => e.serviceId === instanceId,
      'ServiceDeregistered',
    );
    expect(event).toMatchObject({ serviceName: name, reason: 'SHUTDOWN' });
  });

  it('lists instances filtered by name, status and tag, a page at a time', async () => {
    const name = uniqueName('search');
    for (let i = 0; i < 3; i += 1)
      await register(
        registration(name, { port: 7000 + i, metadata: { tags: i === 0 ? ['canary'] : ['stable'] } }),
      );
    const page = await runtime.app.inject({
      url: `/api/v1/services?name=${name}&size=2&page=0`,
      headers: { authorization: admin },
    });
    expect(page.statusCode).toBe(200);
    expect(page.json().services).toHaveLength(2);
    expect(page.json().pagination).toEqual({ page: 0, size: 2, totalElements: 3, totalPages: 2 });
    const second = await runtime.app.inject({
      url: `/api/v1/services?name=${name}&size=2&page=1`,
      headers: { authorization: admin },
    });
    expect(second.json().services).toHaveLength(1);

    const canary = await runtime.app.inject({
      url: `/api/v1/services?name=${name}&tag=canary`,
      headers: { authorization: admin },
    });
    expect(canary.json().services.map((s: { port: number }) => s.port)).toEqual([7000]);
    const down = await runtime.app.inject({
      url: `/api/v1/services?name=${name}&status=DOWN`,
      headers: { authorization: admin },
    });
    expect(down.json().pagination.totalElements).toBe(0);

    const one = page.json().services[0];
    const got = await runtime.app.inject({
      url: `/api/v1/services/${one.instanceId}`,
      headers: { authorization: admin },
    });
    expect(got.json()).toEqual(one);
    const health = await runtime.app.inject({
      url: `/api/v1/services/${one.instanceId}/health`,
      headers: { authorization: admin },
    });
    expect(health.json()).toMatchObject({
      instanceId: one.instanceId,
      status: 'UP',
      checks: { heartbeat: { status: 'passing' }, http: { status: 'unknown' } },
      history: [],
    });

    for (const query of ['status=SLEEPY', 'size=101', 'page=-1', 'name=Bad!', 'size=ten']) {
      const bad = await runtime.app.inject({
        url: `/api/v1/services?${query}`,
        headers: { authorization: admin },
      });
      expect(bad.statusCode, query).toBe(400);
      expect(bad.json().error.details.fields[0].field).toMatch(/^query\./);
    }
    expect((await runtime.app.inject({ url: '/api/v1/services' })).statusCode).toBe(401);
  });
});

describe('lease expiry', () => {
  it('turns an instance that misses its heartbeats critical, then removes it after the grace period', async () => {
    await runtime.context.prisma.serviceInstance.deleteMany();
    const names = [uniqueName('a'), uniqueName('b'), uniqueName('c'), uniqueName('d')];
    const ids: string[] = [];
    for (const name of names) ids.push((await register(registration(name))).json().instanceId);
    const [silent, ...beating] = ids as [string, ...string[]];
    const { registry } = runtime.components;
    const watchingSince = clock();

    const beatAll = async () => {
      for (const id of beating)
        await runtime.app.inject({
          method: 'PUT',
          url: `/api/v1/services/${id}/heartbeat`,
          headers: { authorization: admin },
        });
    };
    offsetMs += 10_000;
    await beatAll();
    offsetMs += 10_000; // 20 s since the silent one's last heartbeat: past the 15 s TTL
    await beatAll();
    const first = await registry.sweep(watchingSince, clock());
    expect(first).toMatchObject({ selfPreservation: false, expired: [silent], removed: [] });
    const critical = (
      await runtime.app.inject({ url: `/api/v1/services/${silent}`, headers: { authorization: admin } })
    ).json();
    expect(critical.status).toBe('DOWN');
    expect(critical.checks.heartbeat.status).toBe('critical');
    const changed = await events.waitFor(
      'ServiceHealthChanged',
      (e) => e.serviceId === silent,
      'ServiceHealthChanged',
    );
    expect(changed).toMatchObject({ previousStatus: 'UP', status: 'DOWN', reason: 'HEARTBEAT_EXPIRED' });

    // Sweeping again changes nothing and publishes nothing more.
    expect((await registry.sweep(watchingSince, clock())).expired).toEqual([]);
    expect(await outboxCount('ServiceHealthChanged', silent)).toBe(1);

    offsetMs += 30_000; // 50 s: past TTL + the 30 s grace period
    await beatAll();
    const second = await registry.sweep(watchingSince, clock());
    expect(second.removed).toEqual([silent]);
    expect(
      (
        await runtime.app.inject({
          method: 'PUT',
          url: `/api/v1/services/${silent}/heartbeat`,
          headers: { authorization: admin },
        })
      ).statusCode,
    ).toBe(404);
    const left = await events.waitFor(
      'ServiceDeregistered',
      (e) => e.serviceId === silent,
      'ServiceDeregistered',
    );
    expect(left.reason).toBe('HEARTBEAT_EXPIRED');
    expect(await instanceCount()).toBe(3);
  });

  it('brings a critical instance back UP when it heartbeats again', async () => {
    await runtime.context.prisma.serviceInstance.deleteMany();
    const ids: string[] = [];
    for (let i = 0; i < 4; i += 1)
      ids.push((await register(registration(uniqueName('r')))).json().instanceId);
    const [late, ...others] = ids as [string, ...string[]];
    const since = clock();
    offsetMs += 20_000;
    for (const id of others)
      await runtime.app.inject({
        method: 'PUT',
        url: `/api/v1/services/${id}/heartbeat`,
        headers: { authorization: admin },
      });
    expect((await runtime.components.registry.sweep(since, clock())).expired).toEqual([late]);

    const beat = await runtime.app.inject({
      method: 'PUT',
      url: `/api/v1/services/${late}/heartbeat`,
      headers: { authorization: admin },
    });
    expect(beat.json().status).toBe('UP');
    const back = await events.waitFor(
      'ServiceHealthChanged',
      (e) => e.serviceId === late && e.status === 'UP',
      'the instance coming back',
    );
    expect(back).toMatchObject({ previousStatus: 'DOWN', reason: 'HEARTBEAT_RESUMED' });
  });

  it('self-preservation: when most instances lapse at once, nothing is expired or removed', async () => {
    await runtime.context.prisma.serviceInstance.deleteMany();
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1)
      ids.push((await register(registration(uniqueName('p')))).json().instanceId);
    const since = clock();
    offsetMs += 20_000;
    // One of five renews: 20 % < the 50 % threshold.
    await runtime.app.inject({
      method: 'PUT',
      url: `/api/v1/services/${ids[0]}/heartbeat`,
      headers: { authorization: admin },
    });
    const result = await runtime.components.registry.sweep(since, clock());
    expect(result).toMatchObject({ selfPreservation: true, total: 5, renewing: 1, expired: [], removed: [] });
    expect(runtime.components.registry.selfPreservationActive).toBe(true);
    const listed = (
      await runtime.app.inject({ url: '/api/v1/services', headers: { authorization: admin } })
    ).json();
    expect(listed.services.map((s: { status: string }) => s.status)).toEqual(['UP', 'UP', 'UP', 'UP', 'UP']);
    const health = (await runtime.app.inject({ url: '/health' })).json();
    expect(health.details.coordination.selfPreservation).toBe(true);

    // Renewals recover: expiry resumes for the one that is still silent.
    for (const id of ids.slice(1, 4))
      await runtime.app.inject({
        method: 'PUT',
        url: `/api/v1/services/${id}/heartbeat`,
        headers: { authorization: admin },
      });
    const recovered = await runtime.components.registry.sweep(since, clock());
    expect(recovered).toMatchObject({ selfPreservation: false, expired: [ids[4]] });
  });

  it('judges leases afresh after the registry itself stopped sweeping, instead of expiring everyone', async () => {
    await runtime.context.prisma.serviceInstance.deleteMany();
    for (let i = 0; i < 2; i += 1) await register(registration(uniqueName('q')));
    // A sweeper of its own, on a 1 s interval, driven by hand.
    const sweeper = new LeaseSweeper(runtime.components.registry, {
      intervalMs: 1000,
      logger: runtime.context.logger,
      clock,
    });
    await sweeper.sweepOnce();
    offsetMs += 60_000; // the registry was cut off for a minute: no sweep, no heartbeat received
    const result = await sweeper.sweepOnce();
    expect(result.expired).toEqual([]);
    expect(result.removed).toEqual([]);
  });
});

describe('rate limits', () => {
  it('answers 429 RATE_LIMIT_EXCEEDED with Retry-After per caller class, and never limits heartbeats', async () => {
    const limited = await startCoordination(
      database,
      {},
      { rateLimit: { max: { external: 2, admin: 3, service: 3 } } },
    );
    try {
      const name = uniqueName('limited');
      const token = bearer(name, ['service']);
      // A route customers may call; the limit counts every answer, found or not.
      const unknownWorkflow = `/api/v1/workflows/wf-${crypto.randomUUID()}/status`;
      const statuses: number[] = [];
      for (let i = 0; i < 3; i += 1)
        statuses.push(
          (await limited.app.inject({ url: unknownWorkflow, headers: { authorization: customer } }))
            .statusCode,
        );
      expect(statuses).toEqual([404, 404, 429]);
      const refused = await limited.app.inject({
        url: unknownWorkflow,
        headers: { authorization: customer },
      });
      expect(refused.json().error).toMatchObject({
        code: 'RATE_LIMIT_EXCEEDED',
        details: { callerClass: 'external', limit: 2 },
      });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);

      const registered = await limited.app.inject({
        method: 'POST',
        url: '/api/v1/services/register',
        headers: { authorization: token },
        payload: registration(name),
      });
      const { instanceId } = registered.json();
      for (let i = 0; i < 6; i += 1) {
        const beat = await limited.app.inject({
          method: 'PUT',
          url: `/api/v1/services/${instanceId}/heartbeat`,
          headers: { authorization: token },
        });
        expect(beat.statusCode).toBe(200);
      }
      expect((await limited.app.inject({ url: '/actuator/health/liveness' })).statusCode).toBe(200);
    } finally {
      await limited.stop();
    }
  });
});
