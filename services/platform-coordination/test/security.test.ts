import { randomUUID } from 'node:crypto';
import { expandDottedKeys } from '@fv/service-runtime';
import type { TestDatabase } from '@fv/testing';
import { uniqueName } from '@fv/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoordinationRuntime } from '../src/runtime.js';
import {
  closeProducer,
  OrderStory,
  publish,
  startObserver,
  status,
  waitForWorkflow,
} from './workflows/saga-support.js';
import { admin, bearer, customer, startCoordination, testDatabase } from './support.js';

// One test (or more) per finding of the security review of the coordination service (issue 13).

let database: TestDatabase;
let runtime: CoordinationRuntime;

beforeAll(async () => {
  database = await testDatabase('security');
  runtime = await startCoordination(database);
});
afterAll(async () => {
  await runtime?.stop();
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

describe('configuration keys cannot reach Object.prototype (finding 2)', () => {
  it('refuses __proto__, constructor and prototype as a key or a key segment, in every write', async () => {
    const service = uniqueName('orders');
    const own = bearer(service, ['service']);
    for (const key of [
      '__proto__.retriable',
      '__proto__',
      'constructor.prototype.retriable',
      'featureFlags.__proto__',
      'a.prototype',
      'constructor',
    ]) {
      const one = await inject('PUT', `/config/${service}/keys/${key}`, own, {
        expectedVersion: 0,
        value: true,
      });
      expect(one.statusCode, key).toBe(400);
      expect(one.json().error.details.fields[0].field, key).toBe('params.key');
      const all = await inject('PUT', `/config/${service}`, admin, {
        expectedVersion: 0,
        entries: { [key]: true },
      });
      expect(all.statusCode, key).toBe(400);
    }
    // A value may not smuggle one in either.
    const nested = await runtime.app.inject({
      method: 'PUT',
      url: `/api/v1/config/${service}/keys/payment`,
      headers: { authorization: own, 'content-type': 'application/json' },
      payload: '{"expectedVersion":0,"value":{"prototype":{"retriable":true}}}',
    });
    expect(nested.statusCode).toBe(400);
    expect(await runtime.context.prisma.configVersion.count({ where: { service } })).toBe(0);
    expect(({} as Record<string, unknown>).retriable).toBeUndefined();
  });

  it('never pollutes Object.prototype when a stored document is expanded by a service', () => {
    const expanded = expandDottedKeys({
      '__proto__.retriable': true,
      'constructor.prototype.polluted': true,
      'retry.maxAttempts': 2,
    });
    expect(({} as Record<string, unknown>).retriable).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(expanded).toEqual({ retry: { maxAttempts: 2 } });
  });
});

describe('registry and configuration are for services and admins (finding 5)', () => {
  it('refuses customers the registry and the configuration store', async () => {
    const service = uniqueName('inventory');
    await inject('PUT', `/config/${service}`, admin, { expectedVersion: 0, entries: { 'db.host': 'x' } });
    for (const url of [
      '/services',
      `/services/${crypto.randomUUID()}`,
      `/services/${crypto.randomUUID()}/health`,
      `/config/${service}`,
      `/config/${service}/versions`,
      `/config/${service}/versions/1`,
    ]) {
      const response = await inject('GET', url, customer);
      expect(response.statusCode, url).toBe(403);
      expect(response.json().error.code, url).toBe('INSUFFICIENT_PERMISSIONS');
    }
    expect((await inject('GET', `/config/${service}`, bearer(service, ['service']))).statusCode).toBe(200);
    expect((await inject('GET', `/config/${service}`, admin)).statusCode).toBe(200);
  });

  it('lets a service read only its own configuration', async () => {
    const service = uniqueName('orders');
    await inject('PUT', `/config/${service}`, admin, { expectedVersion: 0, entries: { 'db.host': 'x' } });
    const other = bearer(uniqueName('notifications'), ['service']);
    for (const url of [
      `/config/${service}`,
      `/config/${service}/versions`,
      `/config/${service}/versions/1`,
    ]) {
      expect((await inject('GET', url, other)).statusCode, url).toBe(403);
    }
  });

  it('masks a key in every version once it has been a secret', async () => {
    const service = uniqueName('payments');
    const own = bearer(service, ['service']);
    await inject('PUT', `/config/${service}/keys/provider.apiKey`, own, {
      expectedVersion: 0,
      value: 'sk_live_plain',
    });
    await inject('PUT', `/config/${service}/keys/provider.apiKey`, own, {
      expectedVersion: 1,
      value: 'sk_live_hidden',
      secret: true,
    });
    const history = await inject('GET', `/config/${service}/versions`, own);
    expect(history.statusCode).toBe(200);
    expect(JSON.stringify(history.json())).not.toContain('sk_live');
    const first = await inject('GET', `/config/${service}/versions/1`, own);
    expect(first.json().entries['provider.apiKey']).toBe('******');
    const asAdmin = await inject('GET', `/config/${service}/versions/1`, admin);
    expect(asAdmin.json().entries['provider.apiKey']).toBe('sk_live_plain');
  });

  it('keeps a secret secret through a full PUT, a single-key PUT and a restore', async () => {
    const service = uniqueName('mailer');
    const own = bearer(service, ['service']);
    await inject('PUT', `/config/${service}`, own, {
      expectedVersion: 0,
      entries: { 'smtp.password': 'hunter1', 'smtp.host': 'mail' },
    });
    await inject('PUT', `/config/${service}/keys/smtp.password`, own, {
      expectedVersion: 1,
      value: 'hunter2',
      secret: true,
    });
    // A full PUT that does not repeat secretKeys keeps the key secret.
    const put = await inject('PUT', `/config/${service}`, own, {
      expectedVersion: 2,
      entries: { 'smtp.password': 'hunter3', 'smtp.host': 'mail' },
    });
    expect(put.statusCode).toBe(200);
    expect(put.json().version.secretKeys).toEqual(['smtp.password']);
    // Only an admin may declassify, and only by saying so.
    const byService = await inject('PUT', `/config/${service}/keys/smtp.password`, own, {
      expectedVersion: 3,
      value: 'hunter4',
      secret: false,
    });
    expect(byService.statusCode).toBe(403);
    const declassifyByService = await inject('PUT', `/config/${service}`, own, {
      expectedVersion: 3,
      entries: { 'smtp.password': 'hunter4', 'smtp.host': 'mail' },
      declassify: ['smtp.password'],
    });
    expect(declassifyByService.statusCode).toBe(403);
    // Restoring the version written before the key was secret keeps it secret.
    const restored = await inject('POST', `/config/${service}/versions/1/restore`, own, {
      expectedVersion: 3,
    });
    expect(restored.statusCode).toBe(200);
    expect(restored.json().version.secretKeys).toEqual(['smtp.password']);
    const effective = (await inject('GET', `/config/${service}`, own)).json();
    expect(effective.secretKeys).toEqual(['smtp.password']);
    expect(JSON.stringify(effective)).not.toContain('hunter');
    expect(JSON.stringify((await inject('GET', `/config/${service}/versions`, own)).json())).not.toContain(
      'hunter',
    );

    const declassified = await inject('PUT', `/config/${service}`, admin, {
      expectedVersion: 4,
      entries: { 'smtp.password': 'public-now', 'smtp.host': 'mail' },
      declassify: ['smtp.password'],
    });
    expect(declassified.statusCode).toBe(200);
    expect(declassified.json().version.secretKeys).toEqual([]);
    expect((await inject('GET', `/config/${service}`, own)).json().properties['smtp.password']).toBe(
      'public-now',
    );
  });
});

describe('workflows are started and cancelled only for the caller’s own orders (finding 4)', () => {
  let observerDatabase: TestDatabase;
  let observer: CoordinationRuntime;

  beforeAll(async () => {
    observerDatabase = await testDatabase('security-workflows');
    observer = await startObserver(observerDatabase);
  });
  afterAll(async () => {
    await observer?.stop();
    await closeProducer();
    await observerDatabase?.dispose();
  });

  const call = (method: 'GET' | 'POST', url: string, auth: string, payload?: unknown) =>
    observer.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: { authorization: auth },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });

  const startBody = (customerId: string, extra: Record<string, unknown> = {}) => ({
    orderId: `ord-${randomUUID()}`,
    customerId: `cust-${customerId}`,
    items: [{ productId: randomUUID(), quantity: 1 }],
    paymentMethod: { type: 'CREDIT_CARD', token: 'tok_visa_4242' },
    shippingAddress: { street: '1 Main St', city: 'New York', zipCode: '10001', country: 'US' },
    ...extra,
  });

  it('refuses a customer starting a workflow for another customer, or passing force or initiatedBy', async () => {
    const caller = randomUUID();
    const token = bearer(`cust-${caller}`, ['customer']);
    const other = await call('POST', '/workflows/order/start', token, startBody(randomUUID()));
    expect(other.statusCode).toBe(403);
    expect(other.json().error).toMatchObject({
      code: 'INSUFFICIENT_PERMISSIONS',
      details: { field: 'body.customerId' },
    });
    for (const extra of [{ force: true }, { initiatedBy: 'ADMIN' }]) {
      const response = await call('POST', '/workflows/order/start', token, startBody(caller, extra));
      expect(response.statusCode, JSON.stringify(extra)).toBe(400);
      expect(response.json().error.code).toBe('INVALID_REQUEST');
    }
    expect(await observer.context.prisma.workflow.count()).toBe(0);
  });

  it("lets a customer cancel only their own order's workflow, as CUSTOMER and without force", async () => {
    const story = new OrderStory();
    await publish('OrderCreated', story.created());
    await publish('InventoryReserved', story.reserved());
    const workflow = await waitForWorkflow(
      observer,
      story.orderId,
      (body) => body.currentStep === 'PAYMENT_PROCESSING',
      'payment in progress',
    );
    const cancel = (auth: string, body: Record<string, unknown>) =>
      call('POST', `/workflows/${workflow.workflowId}/cancel`, auth, {
        reason: 'CUSTOMER_REQUESTED',
        initiatedBy: 'CUSTOMER',
        ...body,
      });

    for (const path of [workflow.workflowId, `ord-${story.orderId}`]) {
      const stranger = await call(
        'POST',
        `/workflows/${path}/cancel`,
        bearer(`cust-${randomUUID()}`, ['customer']),
        {
          reason: 'CUSTOMER_REQUESTED',
          initiatedBy: 'CUSTOMER',
        },
      );
      expect(stranger.statusCode, path).toBe(404);
      expect(stranger.json().error.code).toBe('WORKFLOW_NOT_FOUND');
    }
    const owner = bearer(`cust-${story.customerId}`, ['customer']);
    const forced = await cancel(owner, { force: true });
    expect(forced.statusCode).toBe(403);
    expect(forced.json().error).toMatchObject({
      code: 'INSUFFICIENT_PERMISSIONS',
      details: { field: 'body.force' },
    });
    const posing = await cancel(owner, { initiatedBy: 'ADMIN' });
    expect(posing.statusCode).toBe(403);
    expect(posing.json().error).toMatchObject({
      code: 'INSUFFICIENT_PERMISSIONS',
      details: { field: 'body.initiatedBy' },
    });
    expect((await status(observer, story.orderId)).body.status).toBe('IN_PROGRESS');

    const own = await cancel(owner, {});
    expect(own.statusCode).toBe(202);
    expect(own.json()).toMatchObject({ status: 'CANCELLING', reason: 'CUSTOMER_REQUESTED' });
  });
});
