import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SHIPPING_ADDRESS, uniqueName, waitFor, type TestDatabase } from '@fv/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The SDK as its users import it, and the real order service run in this process.
import { CoordinationClient, CoordinationError } from '@firstviscount/coordination-sdk';
import type { CoordinationRuntime } from '../../src/runtime.js';
import { startOrders, type OrdersUnderTest } from './orders-support.js';
import { closeProducer, publish, startObserver, waitForWorkflow } from './saga-support.js';
import { admin, bearer, testDatabase } from '../support.js';

/** Where seed 001's example sends its requests: the production gateway. */
const GATEWAY = 'https://api.firstviscount.com/coordination/v1';

let database: TestDatabase;
let ordersUnderTest: OrdersUnderTest;
let orders: OrdersUnderTest['runtime'];
let runtime: CoordinationRuntime;
let coordinationUrl: string;
const realFetch = globalThis.fetch;
let productId: string;

beforeAll(async () => {
  database = await testDatabase('sdk-coordination');
  ordersUnderTest = await startOrders('sdk-coordination');
  orders = ordersUnderTest.runtime;
  runtime = await startObserver(database, { ORDERS_URL: ordersUnderTest.url });
  coordinationUrl = await runtime.app.listen({ port: 0, host: '127.0.0.1' });
  // The gateway of the example, in front of this coordination service: same paths under its own prefix.
  globalThis.fetch = (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    return realFetch(
      url.startsWith(GATEWAY) ? `${coordinationUrl}/api/v1${url.slice(GATEWAY.length)}` : input,
      init,
    );
  };
  productId = await ordersUnderTest.listProduct('599.99');
});
afterAll(async () => {
  globalThis.fetch = realFetch;
  delete process.env.API_KEY;
  await runtime?.stop();
  await ordersUnderTest?.close();
  await closeProducer();
  await database?.dispose();
});

describe('@firstviscount/coordination-sdk against the coordination service', () => {
  it("runs seed 001's TypeScript example: the order is placed under its id, followed, and cancelled when in progress", async () => {
    const customer = randomUUID();
    process.env.API_KEY = bearer(`cust-${customer}`, ['customer']).slice('Bearer '.length);
    // The example's placeholder values ('ord-123', 'cust-456', 'prod-789', 'tok_123', { /* address */ })
    // are not ids or an address the platform knows: these are.
    const ids = { order: `ord-${randomUUID()}`, customer: `cust-${customer}`, product: `prod-${productId}` };
    const token = 'tok_visa_4242';

    // ---- seed 001, "SDK Examples", JavaScript/TypeScript (placeholders given their values) ----
    const client = new CoordinationClient({
      baseUrl: 'https://api.firstviscount.com/coordination/v1',
      apiKey: process.env.API_KEY,
    });

    // Start order workflow
    const workflow = await client.workflows.startOrder({
      orderId: ids.order,
      customerId: ids.customer,
      items: [{ productId: ids.product, quantity: 2, unitPrice: 599.99 }],
      paymentMethod: { type: 'CREDIT_CARD', token },
      shippingAddress: SHIPPING_ADDRESS,
    });

    // Monitor workflow progress
    const status = await client.workflows.getStatus(workflow.workflowId);

    // Cancel workflow if needed
    if (status.status === 'IN_PROGRESS') {
      await client.workflows.cancel(workflow.workflowId, {
        reason: 'CUSTOMER_REQUESTED',
        initiatedBy: 'CUSTOMER',
      });
    }
    // ---- end of the example ----

    expect(workflow).toMatchObject({
      workflowId: expect.stringMatching(/^wf-[0-9a-f-]{36}$/),
      workflowType: 'ORDER_FULFILLMENT',
      orderId: ids.order,
      customerId: ids.customer,
      status: 'STARTED',
    });
    expect(status).toMatchObject({ workflowId: workflow.workflowId, orderId: ids.order });
    const order = await orders.context.prisma.order.findUnique({ where: { id: ids.order.slice(4) } });
    expect(order).toMatchObject({ customerId: customer, currency: 'USD', shippingMethod: 'STANDARD' });
    expect(String(order?.totalAmount)).toBe('1199.98');

    // The example's cancel branch, once the workflow is in progress: the stock reserved (as the inventory
    // service would answer), the payment authorized by the order service.
    const orderId = ids.order.slice('ord-'.length);
    await publish('InventoryReserved', {
      eventId: randomUUID(),
      occurredAt: Date.now(),
      correlationId: orderId,
      causationId: null,
      producer: 'inventory',
      orderId,
      reservationId: randomUUID(),
      items: [{ productId, quantity: 2, warehouseId: 'wh-001' }],
      expiresAt: null,
    });
    await waitForWorkflow(
      runtime,
      ids.order.slice(4),
      (body) => body.status === 'IN_PROGRESS',
      'in progress',
    );
    const inProgress = await client.workflows.getStatus(workflow.workflowId);
    expect(inProgress.status).toBe('IN_PROGRESS');
    const cancelled = await client.workflows.cancel(workflow.workflowId, {
      reason: 'CUSTOMER_REQUESTED',
      initiatedBy: 'CUSTOMER',
    });
    expect(cancelled).toMatchObject({ workflowId: workflow.workflowId, status: 'CANCELLING' });
    await waitFor(
      async () =>
        (await orders.context.prisma.order.findUnique({ where: { id: ids.order.slice(4) } }))?.status ===
        'CANCELLED',
      { timeoutMs: 30_000, description: 'the order service to cancel the order' },
    );
  });

  it('answers saga details, metrics and active workflows to an operator, and refusals as typed errors', async () => {
    const operator = new CoordinationClient({
      baseUrl: `${coordinationUrl}/api/v1`,
      apiKey: admin.slice('Bearer '.length),
    });
    const customer = randomUUID();
    const started = await operator.workflows.startOrder({
      customerId: `cust-${customer}`,
      items: [{ productId, quantity: 1 }],
      paymentMethod: { type: 'CREDIT_CARD', token: 'tok_visa_4242', amount: 599.99, currency: 'USD' },
      shippingAddress: SHIPPING_ADDRESS,
      shippingMethod: 'EXPRESS',
    });
    const saga = await operator.sagas.get(started.saga.sagaId);
    expect(saga).toMatchObject({ sagaId: started.saga.sagaId, workflowId: started.workflowId });
    const metrics = await operator.workflows.getMetrics({ period: 'TODAY', type: 'ORDER_FULFILLMENT' });
    expect(metrics.overview.totalWorkflows).toBeGreaterThanOrEqual(1);
    const active = await operator.workflows.listActive({ status: 'STARTED', page: 0, size: 50 });
    expect(Array.isArray(active.workflows)).toBe(true);

    const missing = await operator.workflows.getStatus(`wf-${randomUUID()}`).catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(CoordinationError);
    expect(missing).toMatchObject({ code: 'WORKFLOW_NOT_FOUND', status: 404 });
    expect((missing as CoordinationError).traceId).toMatch(/^[0-9a-f]{32}$/);
    const duplicate = await operator.workflows
      .startOrder({
        orderId: started.orderId,
        customerId: `cust-${customer}`,
        items: [{ productId, quantity: 1 }],
        paymentMethod: { type: 'CREDIT_CARD', token: 'tok_visa_4242' },
        shippingAddress: SHIPPING_ADDRESS,
      })
      .catch((error: unknown) => error);
    expect(duplicate).toMatchObject({
      code: 'WORKFLOW_ALREADY_EXISTS',
      status: 409,
      details: { workflowId: started.workflowId },
    });
  });

  it('registers, heartbeats, lists and deregisters an instance; reads and writes configuration; reads health', async () => {
    const operator = new CoordinationClient({
      baseUrl: `${coordinationUrl}/api/v1`,
      apiKey: bearer('ops', ['admin', 'service']).slice('Bearer '.length),
    });
    const name = uniqueName('sdk-svc').toLowerCase();
    const registered = await operator.services.register({
      name,
      version: '1.0.0',
      host: '127.0.0.1',
      port: 9,
    });
    expect(registered.instanceId).toEqual(expect.any(String));
    await operator.services.heartbeat(registered.instanceId!);
    const listed = await operator.services.list({ name });
    expect(JSON.stringify(listed)).toContain(registered.instanceId);
    await operator.services.deregister(registered.instanceId!);
    await expect(operator.services.get(registered.instanceId!)).rejects.toMatchObject({ status: 404 });

    const before = await operator.config.get(name);
    const seen: number[] = [];
    const stop = new AbortController();
    const watching = operator.config.watch(name, (config) => void seen.push(config.version), {
      signal: stop.signal,
      waitSeconds: 5,
    });
    await waitFor(() => seen.length === 1, { description: 'the first configuration' });
    await operator.config.put(name, { expectedVersion: 0, entries: { 'feature.x': 'on' } });
    await waitFor(() => seen.length === 2, { description: 'the written configuration' });
    expect(seen[1]).toBeGreaterThan(before.version);
    stop.abort();
    await watching;
    const after = await operator.config.get(name);
    expect(after.properties['feature.x']).toBe('on');

    const health = await operator.health.get();
    expect(health).toHaveProperty('status');
  });

  it('is generated from the document the service serves: packages/coordination-sdk/openapi.json is current', async () => {
    const committed = JSON.parse(
      readFileSync(new URL('../../../../packages/coordination-sdk/openapi.json', import.meta.url), 'utf8'),
    ) as unknown;
    const served = JSON.parse(JSON.stringify(runtime.app.swagger())) as { info: { title: string } };
    // The title is the instance's SERVICE_NAME (a unique one in the tests).
    served.info.title = 'platform-coordination';
    // Out of date: `node scripts/pnpm.mjs --filter @firstviscount/coordination-sdk run openapi`.
    expect(served).toEqual(committed);
  });
});
