import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { uniqueName, waitFor, type TestDatabase } from '@fv/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoordinationRuntime } from '../src/runtime.js';
import { admin, bearer, startCoordination, testDatabase } from './support.js';

// Findings 3 (outbound URLs) and 6 (limits) of the security review of the coordination service (issue 13).

/** A local HTTP server that counts the requests it gets. */
interface Receiver {
  port: number;
  url: string;
  requests: string[];
  close(): Promise<void>;
}

async function receiver(
  answer: (request: http.IncomingMessage, response: http.ServerResponse) => void = (_, response) =>
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"UP"}'),
): Promise<Receiver> {
  const requests: string[] = [];
  const server = http.createServer((request, response) => {
    requests.push(`${request.method} ${request.url}`);
    request.resume();
    answer(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function call(
  runtime: CoordinationRuntime,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  auth: string,
  payload?: unknown,
) {
  return runtime.app.inject({
    method,
    url: `/api/v1${url}`,
    headers: { authorization: auth },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
}

// Background work runs only when a test asks for it.
const QUIET = {
  WEBHOOK_DISPATCH_INTERVAL_MS: '600000',
  HEALTH_POLL_INTERVAL_MS: '3600000',
  REGISTRY_SWEEP_INTERVAL_MS: '600000',
};

/** Statically refused: other schemes, loopback in every spelling, link-local, private, a name of loopback. */
const REFUSED_URLS = [
  'http://127.0.0.1:5432/',
  'http://2130706433/',
  'http://0x7f.0.0.1/',
  'http://0177.0.0.1:8081/',
  'http://[::1]/',
  'http://[::ffff:127.0.0.1]/',
  'http://169.254.169.254/latest/meta-data/',
  'http://10.0.0.1/',
  'http://192.168.1.1/',
  'http://[fe80::1]/',
  'http://[fd00::1]/',
  'http://localhost:5432/',
  'ftp://files.example.com/hook',
  'file:///etc/passwd',
];

describe('outbound URL policy (finding 3)', () => {
  let database: TestDatabase;
  /** Deployed: NODE_ENV=production and no allow-list. */
  let production: CoordinationRuntime;
  /** Local development (NODE_ENV unset, so development): loopback allowed. */
  let development: CoordinationRuntime;

  beforeAll(async () => {
    database = await testDatabase('outbound');
    production = await startCoordination(database, { ...QUIET, NODE_ENV: 'production' });
    development = await startCoordination(database, QUIET);
  });
  afterAll(async () => {
    await production?.stop();
    await development?.stop();
    await database?.dispose();
  });

  it('refuses webhook URLs that point at loopback, link-local or private addresses with a 400', async () => {
    for (const url of REFUSED_URLS) {
      const response = await call(production, 'POST', '/webhooks', admin, {
        url,
        eventTypes: ['workflow.started'],
      });
      expect(response.statusCode, url).toBe(400);
      const error = response.json().error;
      expect(error.code, url).toBe('INVALID_REQUEST');
      expect(error.details.fields[0].field, url).toBe('body.url');
    }
    expect((await production.context.prisma.webhookSubscription.count()) === 0).toBe(true);
  });

  it('refuses registrations whose health URL or host the aggregator would not call, with a 400', async () => {
    const name = uniqueName('orders');
    const own = bearer(name, ['service']);
    for (const url of REFUSED_URLS) {
      const response = await call(production, 'POST', '/services/register', own, {
        name,
        version: '1.0.0',
        host: 'orders.example.com',
        port: 8084,
        healthUrl: url,
      });
      expect(response.statusCode, url).toBe(400);
      expect(response.json().error.code, url).toBe('INVALID_REQUEST');
      expect(response.json().error.details.fields[0].field, url).toBe('body.healthUrl');
    }
    for (const host of ['127.0.0.1', '169.254.169.254', '10.1.2.3', '::1', 'localhost']) {
      const response = await call(production, 'POST', '/services/register', own, {
        name,
        version: '1.0.0',
        host,
        port: 8084,
      });
      expect(response.statusCode, host).toBe(400);
      expect(response.json().error.details.fields[0]).toMatchObject({
        field: 'body.host',
        rule: 'outbound-policy',
      });
    }
  });

  it('keeps local development working: loopback is allowed when NODE_ENV says development', async () => {
    const name = uniqueName('orders');
    const registered = await call(development, 'POST', '/services/register', bearer(name, ['service']), {
      name,
      version: '1.0.0',
      host: '127.0.0.1',
      port: 8084,
    });
    expect(registered.statusCode).toBe(201);
    await call(development, 'DELETE', `/services/${registered.json().instanceId}`, admin);
  });

  it('checks a health URL again at probe time: a stored URL now refused is not called', async () => {
    const target = await receiver();
    try {
      const name = uniqueName('orders');
      // Stored while allowed (a name that resolves to loopback), probed by a deployed replica.
      const registered = await call(development, 'POST', '/services/register', bearer(name, ['service']), {
        name,
        version: '1.0.0',
        host: '127.0.0.1',
        port: target.port,
        healthUrl: `http://localhost:${target.port}/health`,
      });
      expect(registered.statusCode).toBe(201);
      const id = registered.json().instanceId;

      await production.components.poller.pollOnce();
      expect(target.requests).toEqual([]);
      const health = (await call(production, 'GET', `/services/${id}/health`, admin)).json();
      expect(health.history[0]).toMatchObject({ httpStatus: null });
      expect(health.history[0].error).toMatch(/not called.*loopback/);

      await development.components.poller.pollOnce();
      expect(target.requests).toEqual(['GET /health']);
      await call(development, 'DELETE', `/services/${id}`, admin);
    } finally {
      await target.close();
    }
  });

  it('checks a webhook URL again at delivery time: a stored URL now refused is not called', async () => {
    const target = await receiver();
    try {
      const created = await call(development, 'POST', '/webhooks', admin, {
        url: `${target.url}/hook`,
        eventTypes: ['workflow.started'],
      });
      expect(created.statusCode).toBe(201);
      const deliveryId = randomUUID();
      await development.context.prisma.webhookDelivery.create({
        data: {
          id: deliveryId,
          subscriptionId: created.json().subscriptionId,
          eventType: 'workflow.started',
          payload: { event: 'workflow.started' },
          status: 'PENDING',
          nextAttemptAt: new Date(0),
        },
      });

      expect(await production.components.dispatcher.dispatchOnce()).toBe(1);
      expect(target.requests).toEqual([]);
      const delivery = await production.context.prisma.webhookDelivery.findUniqueOrThrow({
        where: { id: deliveryId },
      });
      expect(delivery).toMatchObject({ status: 'PENDING', attempts: 1, lastStatusCode: null });
      expect(delivery.lastError).toMatch(/not called.*loopback/);
      await call(development, 'DELETE', `/webhooks/${created.json().subscriptionId}`, admin);
    } finally {
      await target.close();
    }
  });

  it('follows no redirect: an allowed receiver that redirects to loopback gets its 3xx recorded, nothing more', async () => {
    const sink = await receiver();
    const redirector = await receiver((_, response) =>
      response.writeHead(302, { location: `${sink.url}/internal` }).end(),
    );
    const own = await testDatabase('outbound-redirect');
    const allowOne = await startCoordination(own, {
      ...QUIET,
      NODE_ENV: 'production',
      OUTBOUND_ALLOW_HOSTS: `127.0.0.1:${redirector.port}`,
    });
    try {
      const refused = await call(allowOne, 'POST', '/webhooks', admin, {
        url: `${sink.url}/hook`,
        eventTypes: ['workflow.started'],
      });
      expect(refused.statusCode).toBe(400);
      const created = await call(allowOne, 'POST', '/webhooks', admin, {
        url: `${redirector.url}/hook`,
        eventTypes: ['workflow.started'],
      });
      expect(created.statusCode).toBe(201);
      const deliveryId = randomUUID();
      await allowOne.context.prisma.webhookDelivery.create({
        data: {
          id: deliveryId,
          subscriptionId: created.json().subscriptionId,
          eventType: 'workflow.started',
          payload: { event: 'workflow.started' },
          status: 'PENDING',
          nextAttemptAt: new Date(0),
        },
      });
      expect(await allowOne.components.dispatcher.dispatchOnce()).toBe(1);
      expect(redirector.requests).toEqual(['POST /hook']);
      expect(sink.requests).toEqual([]);
      const delivery = await allowOne.context.prisma.webhookDelivery.findUniqueOrThrow({
        where: { id: deliveryId },
      });
      expect(delivery).toMatchObject({ lastStatusCode: 302, lastError: 'HTTP 302' });
    } finally {
      await allowOne.stop();
      await own.dispose();
      await redirector.close();
      await sink.close();
    }
  });
});

describe('limits (finding 6)', () => {
  let database: TestDatabase;
  let runtime: CoordinationRuntime;
  let baseUrl: string;

  beforeAll(async () => {
    database = await testDatabase('limits');
    runtime = await startCoordination(database, {
      ...QUIET,
      REGISTRY_MAX_INSTANCES_PER_SERVICE: '3',
      CONFIG_WATCH_MAX_PER_CALLER: '2',
    });
    baseUrl = await runtime.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await runtime?.stop();
    await database?.dispose();
  });

  const register = (name: string, port: number) =>
    call(runtime, 'POST', '/services/register', bearer(name, ['service']), {
      name,
      version: '1.0.0',
      host: '127.0.0.1',
      port,
    });

  it('refuses more instances of one service than the limit with 409 INSTANCE_LIMIT_REACHED', async () => {
    const name = uniqueName('orders');
    const ids: string[] = [];
    for (const port of [9101, 9102, 9103]) {
      const response = await register(name, port);
      expect(response.statusCode).toBe(201);
      ids.push(response.json().instanceId);
    }

    const fourth = await register(name, 9104);
    expect(fourth.statusCode).toBe(409);
    expect(fourth.json().error).toMatchObject({
      code: 'CONFLICT',
      details: { reason: 'INSTANCE_LIMIT_REACHED', service: name, limit: 3 },
    });
    expect(await runtime.context.prisma.serviceInstance.count({ where: { name } })).toBe(3);

    // Registering an instance again is not a new one; other services have limits of their own.
    expect((await register(name, 9101)).statusCode).toBe(200);
    expect((await register(uniqueName('catalog'), 9104)).statusCode).toBe(201);

    // Concurrent registrations cannot overshoot it either.
    await call(runtime, 'DELETE', `/services/${ids[0]}`, admin);
    const raced = await Promise.all([9105, 9106, 9107, 9108].map((port) => register(name, port)));
    expect(raced.map((response) => response.statusCode).sort()).toEqual([201, 409, 409, 409]);
    expect(await runtime.context.prisma.serviceInstance.count({ where: { name } })).toBe(3);
  });

  it('refuses more concurrent configuration watches per caller than the limit with 429', async () => {
    const service = uniqueName('orders');
    const own = bearer(service, ['service']);
    const watch = (auth: string, timeout: number, signal?: AbortSignal) =>
      fetch(`${baseUrl}/api/v1/config/${service}?waitForVersion=1000&timeout=${timeout}`, {
        headers: { authorization: auth },
        ...(signal ? { signal } : {}),
      });
    const abort = new AbortController();
    const held = [watch(own, 60, abort.signal), watch(own, 60, abort.signal)].map((pending) =>
      pending.catch((error: Error) => error),
    );
    await waitFor(() => runtime.components.watch.watching === 2, { description: 'two open watches' });

    const third = await watch(own, 1);
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toBe('1');
    expect(((await third.json()) as { error: unknown }).error).toMatchObject({
      code: 'RATE_LIMIT_EXCEEDED',
      details: { reason: 'TOO_MANY_WATCHES', limit: 2 },
    });
    // An admin is another caller, with slots of its own.
    expect((await watch(admin, 1)).status).toBe(200);

    // Watches that end give their slots back.
    abort.abort();
    await Promise.all(held);
    await waitFor(() => runtime.components.watch.watching === 0, { description: 'the watches to end' });
    await waitFor(async () => (await watch(own, 1)).status === 200, {
      description: 'a watch to be accepted',
    });
  });
});
