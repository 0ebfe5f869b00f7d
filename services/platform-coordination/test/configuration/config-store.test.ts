import type { TestDatabase } from '@fv/testing';
import { uniqueName, waitFor } from '@fv/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoordinationRuntime } from '../../src/runtime.js';
import { admin, bearer, customer, DecodedEvents, startCoordination, testDatabase } from '../support.js';

let database: TestDatabase;
let runtime: CoordinationRuntime;
let events: DecodedEvents;

beforeAll(async () => {
  database = await testDatabase('config');
  events = await new DecodedEvents(['ConfigurationUpdated']).start();
  // A long recheck interval: a watcher that answers early was woken by the write itself.
  runtime = await startCoordination(database, {
    CONFIG_WATCH_RECHECK_MS: '60000',
    CONFIG_WATCH_MAX_TIMEOUT_SECONDS: '60',
  });
});
afterAll(async () => {
  await runtime?.stop();
  await events?.stop();
  await database?.dispose();
});

function inject(method: 'GET' | 'PUT' | 'DELETE' | 'POST', url: string, auth: string, payload?: unknown) {
  return runtime.app.inject({
    method,
    url: `/api/v1${url}`,
    headers: { authorization: auth },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
}

async function versionCount(service: string): Promise<number> {
  return runtime.context.prisma.configVersion.count({ where: { service } });
}

describe('effective configuration', () => {
  it('merges the platform defaults, the service and its profile, with the version of each source and of the result', async () => {
    const service = uniqueName('orders');
    const empty = await inject('GET', `/config/${service}`, bearer(service, ['service']));
    expect(empty.statusCode).toBe(200);
    const base = empty.json();
    expect(base.properties).not.toHaveProperty('orders.currency');

    const defaults = base.sources[0];
    expect(defaults.service).toBe('application');
    const writeDefaults = await inject('PUT', `/config/application/keys/${service}.region`, admin, {
      expectedVersion: defaults.version,
      value: 'eu',
    });
    expect(writeDefaults.statusCode).toBe(200);
    expect(
      (
        await inject('PUT', `/config/${service}`, bearer(service, ['service']), {
          expectedVersion: 0,
          entries: { 'payment.timeoutMs': 5000, [`${service}.region`]: 'us' },
        })
      ).statusCode,
    ).toBe(200);
    expect(
      (
        await inject('PUT', `/config/${service}?profile=staging`, admin, {
          expectedVersion: 0,
          entries: { 'payment.timeoutMs': 100 },
        })
      ).statusCode,
    ).toBe(200);

    const merged = (
      await inject('GET', `/config/${service}?profile=staging`, bearer(service, ['service']))
    ).json();
    expect(merged.properties).toMatchObject({ 'payment.timeoutMs': 100, [`${service}.region`]: 'us' });
    expect(
      merged.sources.map((s: { service: string; profile: string | null; version: number }) => [
        s.service,
        s.profile,
        s.version,
      ]),
    ).toEqual([
      ['application', null, defaults.version + 1],
      [service, null, 1],
      [service, 'staging', 1],
    ]);
    expect(merged.version).toBe(defaults.version + 3);
    const withoutProfile = (await inject('GET', `/config/${service}`, bearer(service, ['service']))).json();
    expect(withoutProfile.properties['payment.timeoutMs']).toBe(5000);
    expect(withoutProfile.profile).toBeNull();
  });
});

describe('versioned writes', () => {
  it('refuses a stale version with 409 and changes nothing', async () => {
    const service = uniqueName('inventory');
    const first = await inject('PUT', `/config/${service}`, admin, {
      expectedVersion: 0,
      entries: { logLevel: 'info' },
    });
    expect(first.json()).toMatchObject({
      changed: true,
      version: {
        version: 1,
        operation: 'PUT',
        entries: { logLevel: 'info' },
        changes: [{ key: 'logLevel', change: 'ADDED' }],
      },
    });
    expect(
      (
        await inject('PUT', `/config/${service}/keys/logLevel`, admin, { expectedVersion: 1, value: 'warn' })
      ).json().version.version,
    ).toBe(2);

    for (const stale of [
      () =>
        inject('PUT', `/config/${service}`, admin, { expectedVersion: 1, entries: { logLevel: 'debug' } }),
      () => inject('PUT', `/config/${service}/keys/logLevel`, admin, { expectedVersion: 0, value: 'debug' }),
      () => inject('DELETE', `/config/${service}/keys/logLevel?expectedVersion=1`, admin),
      () => inject('POST', `/config/${service}/versions/1/restore`, admin, { expectedVersion: 1 }),
    ]) {
      const response = await stale();
      expect(response.statusCode).toBe(409);
      expect(response.json().error).toMatchObject({
        code: 'CONFLICT',
        details: { currentVersion: 2, reason: 'STALE_VERSION' },
      });
    }
    expect(await versionCount(service)).toBe(2);
    expect((await inject('GET', `/config/${service}`, admin)).json().properties.logLevel).toBe('warn');
  });

  it('keeps the history, restores an earlier version as a new one, and deletes keys', async () => {
    const service = uniqueName('delivery');
    await inject('PUT', `/config/${service}`, admin, {
      expectedVersion: 0,
      entries: { 'carrier.name': 'ups', 'carrier.retries': 2 },
    });
    await inject('PUT', `/config/${service}/keys/carrier.name`, admin, { expectedVersion: 1, value: 'dhl' });
    const removed = await inject(
      'DELETE',
      `/config/${service}/keys/carrier.retries?expectedVersion=2`,
      admin,
    );
    expect(removed.json().version).toMatchObject({
      version: 3,
      operation: 'DELETE_KEY',
      changes: [{ key: 'carrier.retries', change: 'REMOVED' }],
    });
    expect(
      (await inject('DELETE', `/config/${service}/keys/carrier.retries?expectedVersion=3`, admin)).statusCode,
    ).toBe(404);

    const history = (
      await inject('GET', `/config/${service}/versions?size=2`, bearer(service, ['service']))
    ).json();
    expect(history.currentVersion).toBe(3);
    expect(history.versions.map((v: { version: number }) => v.version)).toEqual([3, 2]);
    expect(history.pagination).toEqual({ page: 0, size: 2, totalElements: 3, totalPages: 2 });
    expect(
      (await inject('GET', `/config/${service}/versions/1`, bearer(service, ['service']))).json().entries,
    ).toEqual({
      'carrier.name': 'ups',
      'carrier.retries': 2,
    });

    const restored = await inject('POST', `/config/${service}/versions/1/restore`, admin, {
      expectedVersion: 3,
    });
    expect(restored.json().version).toMatchObject({ version: 4, operation: 'RESTORE', restoredFrom: 1 });
    expect(
      (await inject('GET', `/config/${service}`, bearer(service, ['service']))).json().properties,
    ).toMatchObject({
      'carrier.name': 'ups',
      'carrier.retries': 2,
    });
    expect(
      (await inject('GET', `/config/${service}/versions/9`, bearer(service, ['service']))).statusCode,
    ).toBe(404);

    const unchanged = await inject('PUT', `/config/${service}/keys/carrier.name`, admin, {
      expectedVersion: 4,
      value: 'ups',
    });
    expect(unchanged.json()).toMatchObject({ changed: false, version: { version: 4 } });
  });

  it('publishes ConfigurationUpdated with the changed keys, never a secret value', async () => {
    const service = uniqueName('payments');
    await inject('PUT', `/config/${service}`, admin, {
      expectedVersion: 0,
      entries: { 'provider.url': 'https://pay.example', 'provider.apiKey': 'sk_live_123' },
      secretKeys: ['provider.apiKey'],
    });
    const event = await events.waitFor(
      'ConfigurationUpdated',
      (e) => e.service === service,
      'ConfigurationUpdated',
    );
    expect(event).toMatchObject({
      profile: null,
      version: 1,
      updatedBy: 'operator',
      producer: 'platform-coordination',
    });
    expect(event.changes).toEqual([
      { key: 'provider.apiKey', value: null, secret: true },
      { key: 'provider.url', value: '"https://pay.example"', secret: false },
    ]);
  });
});

describe('secrets', () => {
  it('are shown in clear only to an admin', async () => {
    const service = uniqueName('notifications');
    await inject('PUT', `/config/${service}`, admin, {
      expectedVersion: 0,
      entries: { 'smtp.password': 'hunter2', 'smtp.host': 'mail' },
      secretKeys: ['smtp.password'],
    });
    const asAdmin = (await inject('GET', `/config/${service}`, admin)).json();
    expect(asAdmin.properties['smtp.password']).toBe('hunter2');
    expect(asAdmin.secretKeys).toEqual(['smtp.password']);
    for (const auth of [bearer(service, ['service'])]) {
      const masked = (await inject('GET', `/config/${service}`, auth)).json();
      expect(masked.properties).toMatchObject({ 'smtp.password': '******', 'smtp.host': 'mail' });
      expect(JSON.stringify((await inject('GET', `/config/${service}/versions`, auth)).json())).not.toContain(
        'hunter2',
      );
      expect(
        JSON.stringify((await inject('GET', `/config/${service}/versions/1`, auth)).json()),
      ).not.toContain('hunter2');
    }
    const write = await inject('PUT', `/config/${service}/keys/smtp.host`, bearer(service, ['service']), {
      expectedVersion: 1,
      value: 'mail2',
    });
    expect(JSON.stringify(write.json())).not.toContain('hunter2');
  });
});

describe('watching', () => {
  it('wakes a long poll when a write passes the version it knows', async () => {
    const service = uniqueName('catalog');
    const { version } = (await inject('GET', `/config/${service}`, bearer(service, ['service']))).json();
    const watching = inject(
      'GET',
      `/config/${service}?waitForVersion=${version}&timeout=50`,
      bearer(service, ['service']),
    );
    await waitFor(() => runtime.components.watch.watching > 0, { description: 'the watch to start' });
    await inject('PUT', `/config/${service}/keys/featureFlags.search`, admin, {
      expectedVersion: 0,
      value: true,
    });
    const woken = await watching;
    expect(woken.statusCode).toBe(200);
    expect(woken.json().version).toBe(version + 1);
    expect(woken.json().properties['featureFlags.search']).toBe(true);
    expect(woken.headers['x-config-version']).toBe(String(version + 1));
  });

  it('holds a long poll over a real connection until the write', async () => {
    const base = await runtime.app.listen({ port: 0, host: '127.0.0.1' });
    const service = uniqueName('watched');
    const { version } = (await inject('GET', `/config/${service}`, bearer(service, ['service']))).json();
    const watching = fetch(`${base}/api/v1/config/${service}?waitForVersion=${version}&timeout=50`, {
      headers: { authorization: bearer(service, ['service']) },
    });
    await waitFor(() => runtime.components.watch.watching > 0, { description: 'the watch to start' });
    // Still waiting after a round trip of another request: the poll did not answer early.
    expect((await inject('GET', `/config/${service}`, bearer(service, ['service']))).json().version).toBe(
      version,
    );
    expect(runtime.components.watch.watching).toBe(1);
    await inject('PUT', `/config/${service}/keys/x`, admin, { expectedVersion: 0, value: 'y' });
    const answer = await watching;
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { version: number }).version).toBe(version + 1);
  });

  it('answers at once when the version is already past, and with the same version when the timeout ends', async () => {
    const service = uniqueName('search');
    await inject('PUT', `/config/${service}/keys/a`, admin, { expectedVersion: 0, value: 1 });
    const { version } = (await inject('GET', `/config/${service}`, bearer(service, ['service']))).json();
    expect(
      (
        await inject('GET', `/config/${service}?waitForVersion=${version - 1}`, bearer(service, ['service']))
      ).json().version,
    ).toBe(version);
    const timedOut = await inject(
      'GET',
      `/config/${service}?waitForVersion=${version}&timeout=1`,
      bearer(service, ['service']),
    );
    expect(timedOut.statusCode).toBe(200);
    expect(timedOut.json().version).toBe(version);
  });
});

describe('bad input and permissions', () => {
  it('names the field, answers with the envelope, and changes nothing', async () => {
    const service = uniqueName('orders');
    await inject('PUT', `/config/${service}`, admin, { expectedVersion: 0, entries: { a: 1 } });
    const cases: {
      method: 'PUT' | 'GET' | 'DELETE' | 'POST';
      url: string;
      payload?: unknown;
      raw?: string;
      field?: string;
      status?: number;
    }[] = [
      { method: 'PUT', url: `/config/${service}`, raw: '{"expectedVersion": 1, "entries": {"a": nope}}' },
      {
        method: 'PUT',
        url: `/config/${service}`,
        payload: { entries: { a: 2 } },
        field: 'body.expectedVersion',
      },
      {
        method: 'PUT',
        url: `/config/${service}`,
        payload: { expectedVersion: 1, entries: 'a=2' },
        field: 'body.entries',
      },
      {
        method: 'PUT',
        url: `/config/${service}`,
        payload: { expectedVersion: 1, entries: { 'bad key!': 1 } },
        field: 'body.entries.bad key!',
      },
      {
        method: 'PUT',
        url: `/config/${service}`,
        payload: { expectedVersion: 1, entries: { logLevel: 'loud' } },
        field: 'body.entries.logLevel',
      },
      {
        method: 'PUT',
        url: `/config/${service}`,
        payload: { expectedVersion: 1, entries: { 'featureFlags.x': 'yes' } },
        field: 'body.entries.featureFlags.x',
      },
      {
        method: 'PUT',
        url: `/config/${service}`,
        payload: { expectedVersion: 1, entries: { a: 2 }, secretKeys: ['b'] },
        field: 'body.secretKeys[0]',
      },
      {
        method: 'PUT',
        url: `/config/${service}`,
        payload: { expectedVersion: 1, entries: { a: 2 }, version: 3 },
        field: 'body.version',
      },
      {
        method: 'PUT',
        url: `/config/${service}/keys/a`,
        payload: { expectedVersion: 1 },
        field: 'body.value',
      },
      {
        method: 'PUT',
        url: `/config/${service}/keys/bad..key`,
        payload: { expectedVersion: 1, value: 1 },
        field: 'params.key',
      },
      {
        method: 'PUT',
        url: `/config/${service}/keys/retry.maxAttempts`,
        payload: { expectedVersion: 1, value: 0 },
        field: 'body.value',
      },
      {
        method: 'PUT',
        url: `/config/Bad_Service`,
        payload: { expectedVersion: 0, entries: {} },
        field: 'params.service',
      },
      {
        method: 'PUT',
        url: `/config/${service}?profile=NOPE`,
        payload: { expectedVersion: 0, entries: {} },
        field: 'query.profile',
      },
      { method: 'DELETE', url: `/config/${service}/keys/a`, field: 'query.expectedVersion' },
      { method: 'GET', url: `/config/${service}?timeout=999&waitForVersion=1`, field: 'query.timeout' },
      { method: 'GET', url: `/config/${service}?waitForVersion=soon`, field: 'query.waitForVersion' },
      {
        method: 'POST',
        url: `/config/${service}/versions/zero/restore`,
        payload: { expectedVersion: 1 },
        field: 'params.version',
      },
      {
        method: 'PUT',
        url: `/config/${service}`,
        payload: { expectedVersion: 1, entries: { big: 'x'.repeat(1_100_000) } },
        status: 413,
      },
    ];
    for (const { method, url, payload, raw, field, status = 400 } of cases) {
      const response = await runtime.app.inject({
        method,
        url: `/api/v1${url}`,
        headers: { authorization: admin, ...(raw || payload ? { 'content-type': 'application/json' } : {}) },
        ...(raw ? { payload: raw } : payload ? { payload: JSON.stringify(payload) } : {}),
      });
      expect(response.statusCode, `${method} ${url}`).toBe(status);
      expect(response.json().error.traceId).toBeTruthy();
      if (field)
        expect(
          response.json().error.details.fields.map((f: { field: string }) => f.field),
          `${method} ${url}`,
        ).toContain(field);
    }
    expect(await versionCount(service)).toBe(1);
  });

  it('lets a service write only its own configuration, an admin any, and the defaults only an admin', async () => {
    const service = uniqueName('orders');
    const own = bearer(service, ['service']);
    expect(
      (await inject('PUT', `/config/${service}/keys/a`, customer, { expectedVersion: 0, value: 1 }))
        .statusCode,
    ).toBe(403);
    expect(
      (
        await inject('PUT', `/config/${service}/keys/a`, bearer('other', ['service']), {
          expectedVersion: 0,
          value: 1,
        })
      ).statusCode,
    ).toBe(403);
    expect(
      (await inject('PUT', `/config/application/keys/${service}`, own, { expectedVersion: 0, value: 1 }))
        .statusCode,
    ).toBe(403);
    expect((await runtime.app.inject({ url: `/api/v1/config/${service}` })).statusCode).toBe(401);
    expect(
      (await inject('PUT', `/config/${service}/keys/a`, own, { expectedVersion: 0, value: 1 })).statusCode,
    ).toBe(200);
    expect(await versionCount(service)).toBe(1);
  });
});
