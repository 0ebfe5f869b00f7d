import { randomUUID } from 'node:crypto';
import { waitFor, type TestDatabase } from '@fv/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoordinationRuntime } from '../../src/runtime.js';
// The real order service, run in this process: the workflow is handed to it over HTTP and followed through its events.
import { startOrders, type OrdersUnderTest } from './orders-support.js';
import { closeProducer, publish, startObserver, waitForWorkflow } from './saga-support.js';
import { admin, bearer, plainId, testDatabase } from '../support.js';

let database: TestDatabase;
let ordersUnderTest: OrdersUnderTest;
let orders: OrdersUnderTest['runtime'];
let runtime: CoordinationRuntime;
let productId: string;

beforeAll(async () => {
  database = await testDatabase('e2e-coordination');
  // The order service calls the payment provider over HTTP: the simulator, on a port of its own.
  ordersUnderTest = await startOrders('e2e-coordination', {
    PAYMENT_TIMEOUT_MS: '1000',
    PAYMENT_RETRY_DELAYS_MS: '50',
  });
  orders = ordersUnderTest.runtime;
  runtime = await startObserver(database, { ORDERS_URL: ordersUnderTest.url });
  productId = await ordersUnderTest.listProduct('599.99');
});
afterAll(async () => {
  await runtime?.stop();
  await ordersUnderTest?.close();
  await closeProducer();
  await database?.dispose();
});

function start(body: Record<string, unknown>, key: string | null, authorization = admin) {
  return runtime.app.inject({
    method: 'POST',
    url: '/api/v1/workflows/order/start',
    headers: { authorization, ...(key ? { 'x-idempotency-key': key } : {}) },
    payload: body,
  });
}

const request = (customerId: string) => ({
  customerId: `cust-${customerId}`,
  customerEmail: 'ada@example.com',
  items: [{ productId, quantity: 2, unitPrice: 599.99, warehouseId: 'wh-001' }],
  paymentMethod: { type: 'CREDIT_CARD', token: 'tok_visa_4242', amount: 1199.98, currency: 'USD' },
  shippingAddress: {
    name: 'Ada Lovelace',
    street: '1 Main St',
    city: 'New York',
    state: 'NY',
    zipCode: '10001',
    country: 'US',
  },
  shippingMethod: 'STANDARD',
  options: { priority: 'NORMAL', requireSignature: true, giftWrap: false, expressProcessing: false },
  metadata: { source: 'web_checkout' },
});

describe('POST /workflows/order/start with the order service', () => {
  it('hands the order over, creates the workflow at once and follows it step by step to COMPLETED', async () => {
    const customerId = randomUUID();
    const key = `checkout-${randomUUID()}`;
    const response = await start(request(customerId), key);
    expect(response.statusCode).toBe(201);
    const started = response.json();
    expect(started).toMatchObject({
      workflowType: 'ORDER_FULFILLMENT',
      status: 'STARTED',
      customerId: `cust-${customerId}`,
      currentStep: 'INVENTORY_RESERVATION',
      saga: {
        state: 'ACTIVE',
        compensationPlan: ['CANCEL_SHIPMENT', 'VOID_PAYMENT', 'RELEASE_INVENTORY', 'NOTIFY_CUSTOMER'],
      },
    });
    expect(
      started.steps.map((step: { name: string; status: string }) => `${step.name}:${step.status}`),
    ).toEqual([
      'INVENTORY_RESERVATION:IN_PROGRESS',
      'PAYMENT_PROCESSING:PENDING',
      'ORDER_CONFIRMATION:PENDING',
      'FULFILLMENT_PREPARATION:PENDING',
      'SHIPPING_LABEL_CREATION:PENDING',
      'CUSTOMER_NOTIFICATION:PENDING',
    ]);
    expect(started.workflowId).toMatch(/^wf-[0-9a-f-]{36}$/);
    expect(started.saga.sagaId).toMatch(/^saga-[0-9a-f-]{36}$/);
    expect(started.orderId).toMatch(/^ord-[0-9a-f-]{36}$/);
    const orderId = plainId(started.orderId as string);
    const order = await orders.context.prisma.order.findUnique({ where: { id: orderId } });
    expect(order).toMatchObject({ status: 'PENDING', customerId });

    const replay = await start(request(customerId), key);
    expect(replay.statusCode).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json().workflowId).toBe(started.workflowId);
    const reused = await start({ ...request(customerId), shippingMethod: 'EXPRESS' }, key);
    expect(reused.statusCode).toBe(409);
    expect(reused.json().error).toMatchObject({
      code: 'WORKFLOW_ALREADY_EXISTS',
      details: { workflowId: started.workflowId },
    });
    expect(await orders.context.prisma.order.count({ where: { customerId } })).toBe(1);

    // Inventory reserves; the order service authorizes the payment and confirms the order.
    const reservationId = randomUUID();
    await publish('InventoryReserved', {
      eventId: randomUUID(),
      occurredAt: Date.now(),
      correlationId: orderId,
      causationId: null,
      producer: 'inventory',
      orderId,
      reservationId,
      items: [{ productId, quantity: 2, warehouseId: 'wh-001' }],
      expiresAt: null,
    });
    const confirmed = await waitForWorkflow(
      runtime,
      orderId,
      // PaymentProcessed and OrderConfirmed travel on different topics: wait until both were applied.
      (body) =>
        body.currentStep === 'SHIPPING_LABEL_CREATION' &&
        (body.steps[1]?.result as { status?: string } | undefined)?.status === 'AUTHORIZED' &&
        (body.steps[2]?.result as { reservationId?: string } | undefined)?.reservationId !== undefined,
      'payment and confirmation by the order service',
    );
    expect(confirmed.steps[1]).toMatchObject({
      status: 'COMPLETED',
      result: { amount: 1199.98, currency: 'USD', status: 'AUTHORIZED', provider: 'payment-provider' },
    });
    expect(confirmed.steps[2]).toMatchObject({
      status: 'COMPLETED',
      result: { reservationId: `res-${reservationId}` },
    });
    // Delivery schedules the shipment; the order service captures the payment and completes the order.
    const shipmentId = randomUUID();
    await publish('DeliveryScheduled', {
      eventId: randomUUID(),
      occurredAt: Date.now(),
      correlationId: orderId,
      causationId: null,
      producer: 'delivery',
      orderId,
      customerId,
      shipmentId,
      labelNumber: 'FV000000000042',
      trackingId: 'SIM00000000000042',
      carrier: 'SIMULATED',
      serviceLevel: 'STANDARD',
      shippingAddress: {
        name: 'Ada Lovelace',
        street: '1 Main St',
        city: 'New York',
        state: 'NY',
        zipCode: '10001',
        country: 'US',
        phone: null,
      },
      estimatedDeliveryAt: null,
      labelUrl: null,
    });
    await waitForWorkflow(
      runtime,
      orderId,
      (body) => body.steps[3]!.status === 'COMPLETED',
      'the order service to complete the order',
    );
    await publish('NotificationSent', {
      eventId: randomUUID(),
      occurredAt: Date.now(),
      correlationId: orderId,
      causationId: null,
      producer: 'notifications',
      notificationId: randomUUID(),
      customerId,
      orderId,
      channel: 'EMAIL',
      templateId: 'order-confirmed',
      recipient: 'ada@example.com',
      provider: 'local',
      attempt: 1,
      reference: null,
    });
    const done = await waitForWorkflow(
      runtime,
      started.workflowId,
      (body) => body.status === 'COMPLETED',
      'completion',
    );
    expect(done.progress.percentage).toBe(100);
    expect(done.steps[3]!.result).toMatchObject({ shipmentId });
    expect((await orders.context.prisma.order.findUnique({ where: { id: orderId } }))?.status).toBe(
      'COMPLETED',
    );
    // What the order service published is in the workflow's history.
    const history = await runtime.context.prisma.workflowEvent.findMany({
      where: { workflowId: plainId(started.workflowId), sourceEventId: { not: null } },
    });
    expect(
      history
        .filter((entry) => (entry.payload as { producer?: string }).producer === 'orders')
        .map((entry) => entry.eventType),
    ).toEqual(expect.arrayContaining(['PaymentProcessed', 'OrderConfirmed', 'OrderCompleted']));
  });

  it("places seed 000's example body under its orderId, and cancels it with seed 000's free-text reason", async () => {
    // Seed 000's request as written: plain UUIDs, `price`, no currency, no shippingMethod.
    const orderId = randomUUID();
    const customerId = randomUUID();
    const seed000 = {
      orderId,
      customerId,
      items: [{ productId, quantity: 2, price: 599.99 }],
      paymentMethod: { type: 'CREDIT_CARD', token: 'tok_1234567890' },
      shippingAddress: {
        street: '123 Main St',
        city: 'New York',
        state: 'NY',
        zipCode: '10001',
        country: 'US',
      },
    };
    const response = await start(seed000, null);
    expect(response.statusCode).toBe(201);
    const started = response.json();
    expect(started).toMatchObject({
      orderId: `ord-${orderId}`,
      status: 'STARTED',
      currentStep: 'INVENTORY_RESERVATION',
    });
    expect(started.estimatedCompletion === null || typeof started.estimatedCompletion === 'string').toBe(
      true,
    );
    const order = await orders.context.prisma.order.findUnique({ where: { id: orderId } });
    expect(order).toMatchObject({ customerId, shippingMethod: 'STANDARD', currency: 'USD' });
    expect(String(order?.totalAmount)).toBe('1199.98');
    // The same start again is a conflict (the workflow exists); the order is not placed twice.
    const again = await start(seed000, null);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('WORKFLOW_ALREADY_EXISTS');
    expect(await orders.context.prisma.order.count({ where: { customerId } })).toBe(1);

    const cancelled = await runtime.app.inject({
      method: 'POST',
      url: `/api/v1/workflows/${started.workflowId}/cancel`,
      headers: { authorization: admin, 'content-type': 'application/json' },
      payload: { reason: 'Customer requested cancellation', initiatedBy: 'CUSTOMER' },
    });
    expect(cancelled.statusCode).toBe(202);
    expect(cancelled.json()).toMatchObject({
      workflowId: started.workflowId,
      status: 'CANCELLING',
      reason: 'CUSTOMER_REQUESTED',
      reasonDetails: 'Customer requested cancellation',
    });
    await waitFor(
      async () =>
        (await orders.context.prisma.order.findUnique({ where: { id: orderId } }))?.status === 'CANCELLED',
      { timeoutMs: 30_000, description: 'the order service to cancel the order' },
    );
  });

  it("follows an order already placed for its own customer only; another customer's order is refused", async () => {
    const owner = randomUUID();
    const placed = await orders.app.inject({
      method: 'POST',
      url: '/api/v1/orders',
      headers: { authorization: bearer(`cust-${owner}`, ['customer']) },
      payload: { ...request(owner), customerId: undefined },
    });
    expect(placed.statusCode).toBe(202);
    const orderId = placed.json().orderId as string;
    const body = { ...request(owner), orderId: `ord-${orderId}` };

    const stranger = randomUUID();
    const intruder = await start(
      { ...body, customerId: `cust-${stranger}` },
      null,
      bearer(`cust-${stranger}`, ['customer']),
    );
    expect(intruder.statusCode).toBe(403);
    expect(intruder.json().error).toMatchObject({
      code: 'INSUFFICIENT_PERMISSIONS',
      details: { field: 'body.orderId' },
    });
    const wrongCustomer = await start({ ...body, customerId: `cust-${stranger}` }, null);
    expect(wrongCustomer.statusCode).toBe(400);
    expect(wrongCustomer.json().error.details.fields[0]).toMatchObject({ field: 'body.customerId' });

    const own = await start(body, null, bearer(`cust-${owner}`, ['customer']));
    expect(own.statusCode).toBe(201);
    expect(own.json()).toMatchObject({ orderId: `ord-${orderId}`, customerId: `cust-${owner}` });
    expect(await orders.context.prisma.order.count({ where: { customerId: owner } })).toBe(1);
    const twice = await start(body, null, bearer(`cust-${owner}`, ['customer']));
    expect(twice.statusCode).toBe(409);
  });

  it("passes the order service's refusal on and stores nothing; answers 503 when it cannot be reached", async () => {
    const customers = [randomUUID(), randomUUID(), randomUUID()];
    const unknownProduct = { ...request(customers[0]!), items: [{ productId: randomUUID(), quantity: 1 }] };
    unknownProduct.paymentMethod = { type: 'CREDIT_CARD', token: 'tok_visa_4242', currency: 'USD' } as never;
    const refused = await start(unknownProduct, `k-${randomUUID()}`);
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error).toMatchObject({
      code: 'UNPROCESSABLE_ENTITY',
      details: { reason: 'UNKNOWN_PRODUCT', service: 'orders' },
    });
    const invalid = await start(
      {
        ...request(customers[1]!),
        shippingAddress: { street: '1 Main St', city: 'NYC', zipCode: '10001', country: 'usa' },
      },
      `k-${randomUUID()}`,
    );
    expect(invalid.statusCode).toBe(400);
    expect(JSON.stringify(invalid.json().error.details)).toContain('country');
    await orders.stop();
    const unreachable = await start(request(customers[2]!), `k-${randomUUID()}`);
    expect(unreachable.statusCode).toBe(503);
    expect(unreachable.json().error).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      details: { service: 'orders' },
    });
    expect(await runtime.context.prisma.workflow.count({ where: { customerId: { in: customers } } })).toBe(0);
    // Only the first test's request was remembered: refused requests leave no idempotency record.
    expect(await runtime.context.prisma.workflowStartRequest.count()).toBe(1);
  });
});
