import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createServiceRuntime,
  type LiveConfigSubscriber,
  type ServiceDefinition,
  type ServiceRuntime,
} from '@fv/service-runtime';
import type { TestDatabase } from '@fv/testing';
import { uniqueName, waitFor } from '@fv/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaClient } from '../../src/generated/prisma/client.js';
import type { CoordinationRuntime } from '../../src/runtime.js';
import { admin, DecodedEvents, env, startCoordination, testDatabase } from '../support.js';

let database: TestDatabase;
let runtime: CoordinationRuntime;
let baseUrl: string;
let events: DecodedEvents;
const servers: http.Server[] = [];

async function serve(status: number): Promise<number> {
  const server = http.createServer((_request, response) => {
    response
      .writeHead(status, { 'content-type': 'application/json' })
      .end(JSON.stringify({ status: status < 300 ? 'UP' : 'DOWN' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return (server.address() as AddressInfo).port;
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  database = await testDatabase('health');
  events = await new DecodedEvents(['ServiceHealthChanged']).start();
  runtime = await startCoordination(database, {
    HEALTH_POLL_TIMEOUT_MS: '1000',
    REGISTRY_HEARTBEAT_INTERVAL_SECONDS: '1',
  });
  baseUrl = await runtime.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await runtime?.stop();
  for (const server of servers) server.close();
  await events?.stop();
  await database?.dispose();
});

async function register(name: string, port: number): Promise<string> {
  const response = await runtime.app.inject({
    method: 'POST',
    url: '/api/v1/services/register',
    headers: { authorization: admin },
    payload: { name, version: '1.0.0', host: '127.0.0.1', port },
  });
  expect(response.statusCode).toBe(201);
  return response.json().instanceId;
}

describe('health aggregation', () => {
  it('polls real instances: 2xx UP, 429 DEGRADED, no answer DOWN, with history and one event per real change', async () => {
    const healthy = uniqueName('healthy');
    const busy = uniqueName('busy');
    const down = uniqueName('down');
    const ids = {
      healthy: await register(healthy, await serve(200)),
      busy: await register(busy, await serve(429)),
      down: await register(down, await closedPort()),
    };
    const { poller } = runtime.components;
    await poller.pollOnce();
    await poller.pollOnce();

    const status = async (id: string) =>
      (
        await runtime.app.inject({
          url: `/api/v1/services/${id}/health`,
          headers: { authorization: admin },
        })
      ).json();
    const [up, degraded, gone] = [await status(ids.healthy), await status(ids.busy), await status(ids.down)];
    expect(up).toMatchObject({ status: 'UP', checks: { http: { status: 'passing', httpStatus: 200 } } });
    expect(up.history).toHaveLength(2);
    expect(up.history[0]).toMatchObject({ status: 'passing', httpStatus: 200, error: null });
    expect(degraded).toMatchObject({
      status: 'DEGRADED',
      checks: { http: { status: 'warning', httpStatus: 429 } },
    });
    expect(gone).toMatchObject({
      status: 'DOWN',
      checks: { http: { status: 'critical', httpStatus: null } },
    });
    expect(gone.history[0].error).toBeTruthy();

    const document = await runtime.app.inject({ url: '/health' });
    expect(document.statusCode).toBe(200);
    const body = document.json();
    expect(body.status).toBe('DEGRADED');
    expect(body.details.dependencies[healthy]).toMatchObject({ status: 'UP', instances: 1, instancesUp: 1 });
    expect(body.details.dependencies[healthy].responseTime).toMatch(/^PT\d+(\.\d+)?S$/);
    expect(body.details.dependencies[busy].status).toBe('DEGRADED');
    expect(body.details.dependencies[down]).toMatchObject({ status: 'DOWN', responseTime: null });
    expect(body.details.coordination).toMatchObject({
      status: 'UP',
      activeWorkflows: 0,
      stuckWorkflows: 0,
      database: 'Connected',
    });
    expect(body.details.infrastructure.database).toMatchObject({
      status: 'UP',
      connectionPool: expect.stringMatching(/^\d+\/\d+ active$/),
    });
    expect(body.details.infrastructure.messageQueue).toMatchObject({
      status: 'UP',
      queueDepth: expect.any(Number),
    });
    expect(
      (await runtime.app.inject({ url: '/api/v1/health' })).json().details.dependencies[down].status,
    ).toBe('DOWN');

    const busyChange = await events.waitFor(
      'ServiceHealthChanged',
      (e) => e.serviceId === ids.busy,
      'the 429 instance turning DEGRADED',
    );
    expect(busyChange).toMatchObject({
      previousStatus: 'UP',
      status: 'DEGRADED',
      details: { http: 'warning', httpStatus: '429' },
    });
    await events.waitFor(
      'ServiceHealthChanged',
      (e) => e.serviceId === ids.down && e.status === 'DOWN',
      'the silent instance turning DOWN',
    );
    // Two polls, one change each: the second poll observed no change and published nothing.
    const published = await runtime.context.prisma.$queryRawUnsafe<{ id: string; count: bigint }[]>(
      `select payload->>'serviceId' as id, count(*) as count from outbox_events where event_name = 'ServiceHealthChanged' group by 1`,
    );
    const counts = Object.fromEntries(published.map((row) => [row.id, Number(row.count)]));
    expect(counts).toEqual({ [ids.busy]: 1, [ids.down]: 1 });
  });

  it('is DOWN when its own broker is unreachable, while liveness stays UP', async () => {
    const cutOff = await startCoordination(database, { KAFKA_BROKERS: `127.0.0.1:${await closedPort()}` });
    try {
      const document = await cutOff.app.inject({ url: '/health' });
      expect(document.statusCode).toBe(503);
      expect(document.json()).toMatchObject({
        status: 'DOWN',
        details: { infrastructure: { messageQueue: { status: 'DOWN' }, database: { status: 'UP' } } },
      });
      expect((await cutOff.app.inject({ url: '/actuator/health/readiness' })).statusCode).toBe(503);
      expect((await cutOff.app.inject({ url: '/actuator/health/liveness' })).statusCode).toBe(200);
    } finally {
      await cutOff.stop();
    }
  });

  it('answers the Kubernetes probes of the seed manifest without a token', async () => {
    expect((await runtime.app.inject({ url: '/actuator/health/liveness' })).json()).toEqual({ status: 'UP' });
    const ready = await runtime.app.inject({ url: '/actuator/health/readiness' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'UP' });
  });
});

describe('a service started with the coordination service', () => {
  const running: ServiceRuntime<PrismaClient>[] = [];
  let otherDatabase: TestDatabase;

  beforeAll(async () => {
    otherDatabase = await testDatabase('health-peer');
  });
  afterAll(async () => {
    while (running.length) await running.pop()!.stop();
    await otherDatabase?.dispose();
  });

  /** A second service, built the way every platform service is, with the live configuration subscriber. */
  async function startPeer(
    name: string,
    registration: boolean,
    extraEnv: Record<string, string> = {},
  ): Promise<{ runtime: ServiceRuntime<PrismaClient>; live: () => LiveConfigSubscriber }> {
    const definition: ServiceDefinition<PrismaClient> = {
      name,
      port: 18_999,
      migrationsDir: new URL('../../prisma/migrations', import.meta.url).pathname,
      createPrisma: (adapter) => new PrismaClient({ adapter }),
    };
    const peer = await createServiceRuntime(definition, {
      env: {
        ...env(otherDatabase),
        SERVICE_NAME: name,
        COORDINATION_URL: baseUrl,
        SERVICE_REGISTRATION: String(registration),
        ...extraEnv,
      },
    });
    running.push(peer);
    await peer.start();
    return { runtime: peer, live: () => peer.liveConfigSubscriber! };
  }

  it('applies live configuration written to the coordination service without a restart', async () => {
    const name = uniqueName('peer');
    const peer = await startPeer(name, false);
    await waitFor(() => peer.live().status.receiving && peer.live().version >= 0, {
      timeoutMs: 30_000,
      description: 'the subscriber to be ready',
    });
    expect(peer.runtime.context.liveConfig.get().logLevel).toBe('fatal');

    const write = await runtime.app.inject({
      method: 'PUT',
      url: `/api/v1/config/${name}`,
      headers: { authorization: admin },
      payload: {
        expectedVersion: 0,
        entries: {
          logLevel: 'debug',
          'featureFlags.expressCheckout': true,
          'retry.maxAttempts': 7,
          'unrelated.key': 'x',
        },
      },
    });
    expect(write.statusCode).toBe(200);
    await waitFor(() => peer.runtime.context.liveConfig.get().logLevel === 'debug', {
      timeoutMs: 30_000,
      description: 'the new log level',
    });
    const live = peer.runtime.context.liveConfig.get();
    expect(live.featureFlags).toEqual({ expressCheckout: true });
    expect(live.retry.maxAttempts).toBe(7);
    expect(peer.runtime.context.logger.level).toBe('debug');

    const removal = await runtime.app.inject({
      method: 'DELETE',
      url: `/api/v1/config/${name}/keys/featureFlags.expressCheckout?expectedVersion=1`,
      headers: { authorization: admin },
    });
    expect(removal.statusCode).toBe(200);
    await waitFor(() => peer.runtime.context.liveConfig.get().featureFlags.expressCheckout === false, {
      timeoutMs: 30_000,
      description: 'the flag switched off',
    });
  });

  it('reads the configuration again when an update arrives while it cannot reach the schema registry', async () => {
    const name = uniqueName('peer-no-registry');
    // The peer's registry is away, so it cannot decode the update; the coordination service's is not.
    const peer = await startPeer(name, false, {
      SCHEMA_REGISTRY_URL: `http://127.0.0.1:${await closedPort()}/apis/ccompat/v7`,
    });
    await waitFor(() => peer.live().status.receiving && peer.live().version >= 0, {
      timeoutMs: 30_000,
      description: 'the subscriber to be ready',
    });
    const write = await runtime.app.inject({
      method: 'PUT',
      url: `/api/v1/config/${name}`,
      headers: { authorization: admin },
      payload: { expectedVersion: 0, entries: { logLevel: 'warn' } },
    });
    expect(write.statusCode).toBe(200);
    await waitFor(() => peer.runtime.context.liveConfig.get().logLevel === 'warn', {
      timeoutMs: 30_000,
      description: 'the new log level, read although the event could not be decoded',
    });
  });

  it('applies the coordination service its own live keys', async () => {
    const service = 'platform-coordination';
    const current = (
      await runtime.app.inject({ url: `/api/v1/config/${service}`, headers: { authorization: admin } })
    ).json();
    const own = current.sources.find((source: { service: string }) => source.service === service);
    await runtime.app.inject({
      method: 'PUT',
      url: `/api/v1/config/${service}/keys/featureFlags.auditTrail`,
      headers: { authorization: admin },
      payload: { expectedVersion: own.version, value: true },
    });
    await waitFor(() => runtime.context.liveConfig.get().featureFlags.auditTrail === true, {
      timeoutMs: 30_000,
      description: 'the coordination service applying its flag',
    });
  });

  it('registers over HTTP at start, heartbeats, and deregisters on shutdown', async () => {
    const name = uniqueName('registered');
    const peer = await startPeer(name, true);
    await waitFor(() => peer.runtime.registration!.status().registered, {
      timeoutMs: 30_000,
      description: 'registration',
    });
    const { instanceId } = peer.runtime.registration!.status();
    const listed = (
      await runtime.app.inject({ url: `/api/v1/services?name=${name}`, headers: { authorization: admin } })
    ).json();
    expect(listed.services).toHaveLength(1);
    expect(listed.services[0]).toMatchObject({
      instanceId,
      name,
      status: 'UP',
      healthUrl: expect.stringMatching(/\/health$/),
    });
    const registeredAt = listed.services[0].checks.heartbeat.lastHeartbeatAt;
    await waitFor(
      async () =>
        (
          await runtime.app.inject({
            url: `/api/v1/services/${instanceId}`,
            headers: { authorization: admin },
          })
        ).json().checks.heartbeat.lastHeartbeatAt > registeredAt,
      { timeoutMs: 15_000, description: 'a heartbeat at the interval the registry asked for' },
    );

    running.splice(running.indexOf(peer.runtime), 1);
    await peer.runtime.stop();
    expect(
      (
        await runtime.app.inject({
          url: `/api/v1/services/${instanceId}`,
          headers: { authorization: admin },
        })
      ).statusCode,
    ).toBe(404);
  });
});
