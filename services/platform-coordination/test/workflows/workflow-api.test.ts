import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { dlqTopicOf, topicOf } from '@fv/contracts';
import { EventCollector, waitFor, type TestDatabase } from '@fv/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySignature } from '../../src/webhooks/domain/webhook-signature.js';
import type { CoordinationRuntime } from '../../src/runtime.js';
import {
  closeProducer,
  kafka,
  OrderStory,
  publish,
  publishRaw,
  startObserver,
  status,
  waitForWorkflow,
} from './saga-support.js';
import { admin, bearer, callApi, DecodedEvents, outboxDrained, plainId, testDatabase } from '../support.js';

let database: TestDatabase;
let runtime: CoordinationRuntime;
let events: DecodedEvents;
/** How far the service's workflow clock runs ahead of the real one (the metrics test moves it). */
let ahead = 0;

beforeAll(async () => {
  database = await testDatabase('workflow-api');
  events = await new DecodedEvents(['CompensationRequested', 'StepRetryRequested']).start();
  runtime = await startObserver(database, {}, { workflowClock: () => new Date(Date.now() + ahead) });
});
afterAll(async () => {
  await runtime?.stop();
  await events?.stop();
  await closeProducer();
  await database?.dispose();
});

const call = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown, authorization = admin) =>
  callApi(runtime, method, url, payload, authorization);

async function answerAll(story: OrderStory, count: number) {
  const answered = new Set<string>();
  while (answered.size < count) {
    const request = await events.waitFor(
      'CompensationRequested',
      (event) => event.orderId === story.orderId && !answered.has(event.eventId),
      `compensation request ${answered.size + 1} of ${story.orderId}`,
    );
    answered.add(request.eventId);
    const { name, event } = story.answer(request);
    await publish(name, event as never);
  }
}

async function inProgress(story: OrderStory, upTo: 'reserved' | 'paid' | 'scheduled') {
  await publish('OrderCreated', story.created());
  await publish('InventoryReserved', story.reserved());
  if (upTo !== 'reserved') {
    await publish('PaymentProcessed', story.paid());
    await publish('OrderConfirmed', story.confirmed());
  }
  if (upTo === 'scheduled') await publish('DeliveryScheduled', story.scheduled());
  const step = {
    reserved: 'PAYMENT_PROCESSING',
    paid: 'SHIPPING_LABEL_CREATION',
    scheduled: 'FULFILLMENT_PREPARATION',
  }[upTo];
  return waitForWorkflow(runtime, story.orderId, (body) => body.currentStep === step, `${step} in progress`);
}

describe('cancel', () => {
  it('compensates what was done (202 CANCELLING), the order cancelled first, and ends CANCELLED; a finished workflow is 422', async () => {
    const story = new OrderStory();
    const workflow = await inProgress(story, 'paid');
    expect(workflow.workflowId).toMatch(/^wf-[0-9a-f-]{36}$/);
    const response = await call('POST', `/workflows/${workflow.workflowId}/cancel`, {
      reason: 'CUSTOMER_REQUESTED',
      initiatedBy: 'CUSTOMER',
      reasonDetails: 'changed my mind',
    });
    expect(response.statusCode).toBe(202);
    const body = response.json();
    expect(body).toMatchObject({
      workflowId: workflow.workflowId,
      status: 'CANCELLING',
      reason: 'CUSTOMER_REQUESTED',
      saga: { state: 'COMPENSATING' },
    });
    expect(
      body.saga.compensationSteps.map(
        (step: { step: string; status: string }) => `${step.step}:${step.status}`,
      ),
    ).toEqual([
      'CANCEL_ORDER:IN_PROGRESS',
      'CANCEL_SHIPMENT:PENDING',
      'VOID_PAYMENT:PENDING',
      'RELEASE_INVENTORY:PENDING',
      'NOTIFY_CUSTOMER:PENDING',
    ]);
    // Seed 001 writes amounts as JSON numbers.
    expect(body.refund).toMatchObject({ eligible: true, amount: 20, currency: 'USD' });
    // Asking again while it is being cancelled answers the same way and requests nothing more.
    expect(
      (
        await call('POST', `/workflows/${plainId(workflow.workflowId)}/cancel`, {
          reason: 'CUSTOMER_REQUESTED',
          initiatedBy: 'CUSTOMER',
        })
      ).statusCode,
    ).toBe(202);
    await answerAll(story, 5);
    const done = await waitForWorkflow(
      runtime,
      story.orderId,
      (b) => b.status === 'CANCELLED',
      'the cancellation',
    );
    expect(done.saga.state).toBe('COMPENSATED');
    await outboxDrained(runtime);
    expect(
      (await events.all('CompensationRequested', (event) => event.orderId === story.orderId)).map(
        (event) => event.action,
      ),
    ).toEqual(['CANCEL_ORDER', 'CANCEL_SHIPMENT', 'VOID_PAYMENT', 'RELEASE_INVENTORY', 'NOTIFY_CUSTOMER']);
    const again = await call('POST', `/workflows/${workflow.workflowId}/cancel`, {
      reason: 'CUSTOMER_REQUESTED',
      initiatedBy: 'CUSTOMER',
    });
    expect(again.statusCode).toBe(422);
    expect(again.json().error).toMatchObject({
      code: 'INVALID_WORKFLOW_STATE',
      details: { status: 'CANCELLED' },
    });
  });

  it('needs force once the shipping label exists (admin and service only); a customer may cancel only their own order, as CUSTOMER', async () => {
    const story = new OrderStory();
    const workflow = await inProgress(story, 'scheduled');
    const refused = await call('POST', `/workflows/${workflow.workflowId}/cancel`, {
      reason: 'CUSTOMER_REQUESTED',
      initiatedBy: 'ADMIN',
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error).toMatchObject({
      code: 'INVALID_WORKFLOW_STATE',
      details: { reason: 'FULFILLMENT_STARTED', field: 'body.force' },
    });
    expect((await status(runtime, story.orderId)).body.status).toBe('IN_PROGRESS');
    const stranger = await call(
      'POST',
      `/workflows/${workflow.workflowId}/cancel`,
      { reason: 'CUSTOMER_REQUESTED', initiatedBy: 'CUSTOMER', force: true },
      bearer(`cust-${randomUUID()}`, ['customer']),
    );
    expect(stranger.statusCode).toBe(404);
    const customer = bearer(`cust-${story.customerId}`, ['customer']);
    const forcedByCustomer = await call(
      'POST',
      `/workflows/${workflow.workflowId}/cancel`,
      { reason: 'CUSTOMER_REQUESTED', initiatedBy: 'CUSTOMER', force: true },
      customer,
    );
    expect(forcedByCustomer.statusCode).toBe(403);
    expect(forcedByCustomer.json().error).toMatchObject({
      code: 'INSUFFICIENT_PERMISSIONS',
      details: { field: 'body.force' },
    });
    const posingAsAdmin = await call(
      'POST',
      `/workflows/${workflow.workflowId}/cancel`,
      { reason: 'CUSTOMER_REQUESTED', initiatedBy: 'ADMIN' },
      customer,
    );
    expect(posingAsAdmin.statusCode).toBe(403);
    expect(posingAsAdmin.json().error.details).toMatchObject({ field: 'body.initiatedBy' });
    const unforced = await call(
      'POST',
      `/workflows/${workflow.workflowId}/cancel`,
      { reason: 'CUSTOMER_REQUESTED', initiatedBy: 'CUSTOMER' },
      customer,
    );
    expect(unforced.statusCode).toBe(422);
    expect((await status(runtime, story.orderId)).body.status).toBe('IN_PROGRESS');
    const own = await call('POST', `/workflows/${workflow.workflowId}/cancel`, {
      reason: 'CUSTOMER_REQUESTED',
      initiatedBy: 'SUPPORT',
      force: true,
    });
    expect(own.statusCode).toBe(202);
    expect(own.json().saga.compensationSteps.map((step: { step: string }) => step.step)).toContain(
      'CANCEL_SHIPMENT',
    );
    await answerAll(story, 5);
    await waitForWorkflow(runtime, story.orderId, (b) => b.status === 'CANCELLED', 'the forced cancellation');
  });
});

describe('retry and compensate', () => {
  it("asks the step's owner to redo it through StepRetryRequested, up to the retry policy's attempts", async () => {
    const story = new OrderStory();
    const workflow = await inProgress(story, 'reserved');
    const response = await call('POST', `/workflows/${workflow.workflowId}/retry`, {
      metadata: { retryReason: 'provider back', initiatedBy: 'admin-1' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      workflowId: workflow.workflowId,
      status: 'IN_PROGRESS',
      retryAttempt: 2,
      currentStep: 'PAYMENT_PROCESSING',
    });
    const retry = await events.waitFor(
      'StepRetryRequested',
      (event) => event.orderId === story.orderId,
      'StepRetryRequested',
    );
    expect(retry).toMatchObject({
      stepName: 'PAYMENT_PROCESSING',
      attempt: 2,
      requestedBy: 'admin-1',
      workflowId: plainId(workflow.workflowId),
      parameters: { reservationId: story.reservationId },
    });
    expect(
      (
        await call('POST', `/workflows/${workflow.workflowId}/retry`, { fromStep: 'PAYMENT_PROCESSING' })
      ).json(),
    ).toMatchObject({ retryAttempt: 3 });
    const limit = await call('POST', `/workflows/${workflow.workflowId}/retry`, {
      fromStep: 'PAYMENT_PROCESSING',
    });
    expect(limit.statusCode).toBe(422);
    expect(limit.json().error.details).toMatchObject({ reason: 'RETRY_LIMIT_REACHED', attempts: 3 });
    const done = await call('POST', `/workflows/${workflow.workflowId}/retry`, {
      fromStep: 'INVENTORY_RESERVATION',
    });
    expect(done.statusCode).toBe(422);
    expect(done.json().error.details).toMatchObject({
      step: 'INVENTORY_RESERVATION',
      stepStatus: 'COMPLETED',
      field: 'body.fromStep',
    });
    const unknown = await call('POST', `/workflows/${workflow.workflowId}/retry`, {
      fromStep: 'TELEPORTATION',
    });
    expect(unknown.statusCode).toBe(400);
    expect(JSON.stringify(unknown.json().error.details)).toContain('fromStep');
    const after = await waitForWorkflow(runtime, story.orderId, () => true, 'status');
    expect(after.steps[1]).toMatchObject({ status: 'IN_PROGRESS', attempts: 3 });
  });

  it('compensates an active saga by hand from a step backwards; completed sagas need forceCompensation', async () => {
    const story = new OrderStory();
    const workflow = await inProgress(story, 'paid');
    const saga = workflow.saga.sagaId as string;
    expect(saga).toMatch(/^saga-[0-9a-f-]{36}$/);
    const response = await call('POST', `/sagas/${saga}/compensate`, {
      reason: 'MANUAL_INTERVENTION',
      fromStep: 'PAYMENT_PROCESSING',
      metadata: { ticket: 'SUPPORT-1' },
    });
    expect(response.statusCode).toBe(202);
    expect(response.json()).toMatchObject({ sagaId: saga, state: 'COMPENSATING' });
    expect(response.json().compensationSteps.map((step: { step: string }) => step.step)).toEqual([
      'CANCEL_ORDER',
      'VOID_PAYMENT',
      'RELEASE_INVENTORY',
      'NOTIFY_CUSTOMER',
    ]);
    const busy = await call('POST', `/sagas/${plainId(saga)}/compensate`, { reason: 'MANUAL_INTERVENTION' });
    expect(busy.statusCode).toBe(422);
    await answerAll(story, 4);
    await waitForWorkflow(runtime, story.orderId, (b) => b.status === 'COMPENSATED', 'manual compensation');

    const completedStory = new OrderStory();
    await inProgress(completedStory, 'scheduled');
    await publish('OrderCompleted', completedStory.completed());
    await publish('NotificationSent', completedStory.notified());
    const completed = await waitForWorkflow(
      runtime,
      completedStory.orderId,
      (b) => b.status === 'COMPLETED',
      'completion',
    );
    const refused = await call('POST', `/sagas/${completed.saga.sagaId}/compensate`, {
      reason: 'MANUAL_INTERVENTION',
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.details).toMatchObject({
      state: 'COMPLETED',
      field: 'body.forceCompensation',
    });
    const forced = await call('POST', `/sagas/${completed.saga.sagaId}/compensate`, {
      reason: 'MANUAL_INTERVENTION',
      forceCompensation: true,
    });
    expect(forced.statusCode).toBe(202);
    // Shipped: refunded, not voided; the order cannot be cancelled any more.
    expect(forced.json().compensationSteps.map((step: { step: string }) => step.step)).toEqual([
      'CANCEL_SHIPMENT',
      'REFUND_PAYMENT',
      'RELEASE_INVENTORY',
      'NOTIFY_CUSTOMER',
    ]);
    await answerAll(completedStory, 4);
    await waitForWorkflow(
      runtime,
      completedStory.orderId,
      (b) => b.status === 'COMPENSATED',
      'forced compensation',
    );
  });
});

describe('queries', () => {
  it('lists active workflows with filters, paging, sort and a summary', async () => {
    const customerStory = new OrderStory();
    await inProgress(customerStory, 'reserved');
    const page = await call(
      'GET',
      `/workflows/active?customerId=cust-${customerStory.customerId}&priority=HIGH&size=5`,
    );
    expect(page.statusCode).toBe(200);
    expect(page.json()).toMatchObject({
      workflows: [
        {
          orderId: `ord-${customerStory.orderId}`,
          status: 'IN_PROGRESS',
          currentStep: 'PAYMENT_PROCESSING',
          progress: 16.67,
          metadata: { customerId: `cust-${customerStory.customerId}` },
        },
      ],
      summary: { totalActive: 1, byType: { ORDER_FULFILLMENT: 1 }, byStatus: { IN_PROGRESS: 1 } },
      pagination: { page: 0, size: 5, totalElements: 1, totalPages: 1 },
    });
    const all = await call(
      'GET',
      '/workflows/active?type=ORDER_FULFILLMENT&status=IN_PROGRESS&sort=startedAt,asc&size=100',
    );
    const started = all.json().workflows.map((workflow: { startedAt: string }) => workflow.startedAt);
    expect(started).toEqual([...started].sort());
    expect(all.json().summary.totalActive).toBe(all.json().pagination.totalElements);
    for (const [url, field] of [
      ['/workflows/active?size=101', 'size'],
      ['/workflows/active?status=COMPLETED', 'status'],
      ['/workflows/active?sort=priority,up', 'sort'],
      ['/workflows/active?customerId=someone', 'customerId'],
      ['/workflows/metrics?period=YEAR', 'period'],
    ] as const) {
      const response = await call('GET', url);
      expect(response.statusCode, url).toBe(400);
      expect(response.json().error.code).toBe('INVALID_REQUEST');
      expect(JSON.stringify(response.json().error.details), url).toContain(field);
    }
  });

  it('computes the metrics from the stored workflows', async () => {
    // Other suites publish on the same topics, so the figures are compared with the database read just before.
    const metrics = await waitFor(
      async () => {
        const counts = await runtime.context.prisma.workflow.groupBy({
          by: ['status'],
          _count: { _all: true },
        });
        const sagas = await runtime.context.prisma.saga.count({
          where: { compensationStartedAt: { not: null } },
        });
        const response = await call(
          'GET',
          '/workflows/metrics?period=TODAY&type=ORDER_FULFILLMENT&includeHistorical=true',
        );
        expect(response.statusCode).toBe(200);
        const body = response.json();
        const total = counts.reduce((sum, row) => sum + row._count._all, 0);
        const completed = counts.find((row) => row.status === 'COMPLETED')?._count._all ?? 0;
        return body.overview.totalWorkflows === total &&
          body.overview.completed === completed &&
          body.compensation.totalCompensations === sagas
          ? { body, total, completed }
          : undefined;
      },
      { description: 'metrics matching the stored workflows' },
    );
    const { body, total, completed } = metrics;
    expect(body.overview.successRate).toBe(Math.round((completed / total) * 10_000) / 100);
    expect(body.workflowTypes.ORDER_FULFILLMENT.total).toBe(total);
    expect(
      body.trends.daily.reduce((sum: number, day: { workflows: number }) => sum + day.workflows, 0),
    ).toBe(total);
    expect(
      body.trends.hourly.reduce((sum: number, hour: { workflows: number }) => sum + hour.workflows, 0),
    ).toBe(total);
    const inventory = body.stepPerformance.find(
      (step: { step: string }) => step.step === 'INVENTORY_RESERVATION',
    );
    expect(inventory.executions).toBeGreaterThan(0);
    expect(body.compensation.mostCommonReasons.map((reason: { reason: string }) => reason.reason)).toContain(
      'CUSTOMER_REQUESTED',
    );
    expect(body.previousPeriod.overview.totalWorkflows).toBe(0);
  });

  it('serves the templates as data, Prometheus metrics and the health counts', async () => {
    const templates = (await call('GET', '/workflow-templates')).json().templates;
    expect(templates.map((template: { type: string }) => template.type)).toEqual([
      'ORDER_FULFILLMENT',
      'RETURN_PROCESSING',
      'INVENTORY_REPLENISHMENT',
    ]);
    expect(templates[1]).toMatchObject({ version: '1.0', timeout: 'P14D', compensationSteps: [] });
    expect(templates[2].steps.map((step: { name: string }) => step.name)).toEqual([
      'REPLENISHMENT_REQUEST',
      'PURCHASE_ORDER',
      'SUPPLIER_CONFIRMATION',
      'GOODS_RECEIPT',
    ]);
    expect(templates[0]).toMatchObject({
      type: 'ORDER_FULFILLMENT',
      version: '1.0',
      timeout: 'PT10M',
      compensationPolicy: { timeout: 'PT5M', maxRetries: 5 },
    });
    expect(
      templates[0].steps.map((step: { name: string; timeout: string | null; service: string }) => [
        step.name,
        step.service,
        step.timeout,
      ]),
    ).toEqual([
      ['INVENTORY_RESERVATION', 'inventory', 'PT1M'],
      ['PAYMENT_PROCESSING', 'orders', 'PT2M'],
      ['ORDER_CONFIRMATION', 'orders', null],
      ['FULFILLMENT_PREPARATION', 'orders', null],
      ['SHIPPING_LABEL_CREATION', 'delivery', null],
      ['CUSTOMER_NOTIFICATION', 'notifications', null],
    ]);
    expect(templates[0].usage.lastMonth).toBeGreaterThan(0);

    const activeStatuses = ['STARTED', 'IN_PROGRESS', 'COMPENSATING', 'CANCELLING'];
    // A scrape reuses the database snapshot of the second before: each look moves the service's
    // workflow clock (which the metrics read) a second and a bit ahead, so it sees the rows just counted.
    const scrape = await waitFor(
      async () => {
        const active = await runtime.context.prisma.workflow.count({
          where: { status: { in: activeStatuses } },
        });
        const startedTotal = await runtime.context.prisma.workflow.count();
        ahead += 1100;
        const body = (await runtime.app.inject({ method: 'GET', url: '/metrics' })).body;
        const matches =
          new RegExp(
            `workflow_started_total\\{[^}]*workflow_type="ORDER_FULFILLMENT"[^}]*\\} ${startedTotal}\\n`,
          ).test(body) &&
          new RegExp(`workflow_active\\{[^}]*workflow_type="ORDER_FULFILLMENT"[^}]*\\} ${active}\\n`).test(
            body,
          );
        return matches ? body : undefined;
      },
      { description: 'Prometheus figures matching the stored workflows', timeoutMs: 30_000 },
    );
    for (const name of [
      'workflow_completed_total',
      'workflow_failed_total',
      'saga_compensation_total',
      'workflow_stuck_count',
      'workflow_duration_seconds_bucket',
    ]) {
      expect(scrape).toContain(name);
    }
    const health = await waitFor(
      async () => {
        const active = await runtime.context.prisma.workflow.count({
          where: { status: { in: activeStatuses } },
        });
        const document = (await runtime.app.inject({ method: 'GET', url: '/health' })).json();
        return document.details.coordination.activeWorkflows === active ? document : undefined;
      },
      { description: 'health counting the active workflows' },
    );
    expect(health.details.coordination).toMatchObject({
      stuckWorkflows: 0,
      stuckThreshold: 10,
      status: 'UP',
    });
  });
});

describe('bad input', () => {
  it('answers unknown ids with 404 in the error envelope', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    for (const [url, code] of [
      [`/workflows/${unknown}/status`, 'WORKFLOW_NOT_FOUND'],
      [`/sagas/${unknown}`, 'SAGA_NOT_FOUND'],
    ] as const) {
      const response = await call('GET', url);
      expect(response.statusCode).toBe(404);
      expect(response.json().error).toMatchObject({
        code,
        details: expect.any(Object),
        traceId: expect.any(String),
      });
    }
    expect(
      (await call('POST', `/sagas/${unknown}/compensate`, { reason: 'MANUAL_INTERVENTION' })).json().error
        .code,
    ).toBe('SAGA_NOT_FOUND');
    expect(
      (
        await call('POST', `/workflows/${unknown}/cancel`, {
          reason: 'CUSTOMER_REQUESTED',
          initiatedBy: 'CUSTOMER',
        })
      ).json().error.code,
    ).toBe('WORKFLOW_NOT_FOUND');
    const malformed = await call('GET', '/workflows/not-an-id/status');
    expect(malformed.statusCode).toBe(400);
    const noReason = await call('POST', `/workflows/${unknown}/cancel`, {
      initiatedBy: 'CUSTOMER',
      extra: 1,
    });
    expect(noReason.statusCode).toBe(400);
    expect(JSON.stringify(noReason.json().error.details)).toContain('reason');
  });

  it('dead-letters an event naming no valid order and one that cannot be decoded; ignores answers about unknown orders', async () => {
    const collector = await new EventCollector(kafka, [
      dlqTopicOf(topicOf('PaymentProcessed')),
      dlqTopicOf(topicOf('InventoryReserved')),
    ]).start();
    try {
      const story = new OrderStory();
      const bad = { ...story.paid(), orderId: 'order-42' };
      await publish('PaymentProcessed', bad);
      const dead = await collector.waitFor(
        (message) => message.headers['event-id'] === bad.eventId || message.key === bad.correlationId,
        { timeoutMs: 30_000 },
      );
      expect(dead.headers['dlq-error-code']).toBe('INVALID_EVENT');
      expect(dead.headers['dlq-consumer-group']).toBe(runtime.context.config.SERVICE_NAME);
      const garbageKey = `garbage-${story.orderId}`;
      await publishRaw(topicOf('InventoryReserved'), garbageKey, Buffer.from('not avro at all'));
      const undecodable = await collector.waitFor((message) => message.key === garbageKey, {
        timeoutMs: 30_000,
      });
      expect(undecodable.headers['dlq-error-code']).toBe('UNDECODABLE_MESSAGE');

      const stranger = new OrderStory();
      await publish(
        'InventoryReleased',
        stranger.event('InventoryReleased', {
          reservationId: stranger.reservationId,
          items: [],
          reason: 'EXPIRED',
        }),
      );
      await publish('OrderCreated', story.created());
      await waitForWorkflow(runtime, story.orderId, () => true, 'a later event to be handled');
      expect((await status(runtime, stranger.orderId)).code).toBe(404);
    } finally {
      await collector.stop();
    }
  });
});

describe('webhooks', () => {
  it('delivers signed seed 001 payloads for the subscribed events, retrying with backoff, attempts visible', async () => {
    const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];
    let failures = 1;
    const server = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        received.push({ headers: request.headers, body });
        if (failures > 0) {
          failures -= 1;
          response.writeHead(500).end();
        } else response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
      const created = await call('POST', '/webhooks', {
        url,
        eventTypes: ['workflow.started', 'workflow.completed'],
        secret: 'whsec-0123456789abcdef',
      });
      expect(created.statusCode).toBe(201);
      const subscription = created.json();
      expect(subscription).toMatchObject({
        url,
        eventTypes: ['workflow.started', 'workflow.completed'],
        secret: 'whsec-0123456789abcdef',
      });
      expect(
        (await call('POST', '/webhooks', { url: 'ftp://example.com', eventTypes: ['workflow.started'] }))
          .statusCode,
      ).toBe(400);
      expect((await call('POST', '/webhooks', { url, eventTypes: ['order.shipped'] })).statusCode).toBe(400);

      const story = new OrderStory();
      await publish('OrderCreated', story.created());
      await publish('InventoryReserved', story.reserved());
      await publish('PaymentProcessed', story.paid());
      await publish('OrderConfirmed', story.confirmed());
      await publish('NotificationSent', story.notified());
      await publish('DeliveryScheduled', story.scheduled());
      await publish('OrderCompleted', story.completed());
      const done = await waitForWorkflow(
        runtime,
        story.orderId,
        (body) => body.status === 'COMPLETED',
        'completion',
      );
      const mine = () =>
        received.filter(
          (entry) =>
            (JSON.parse(entry.body) as { data: { workflowId: string } }).data.workflowId === done.workflowId,
        );
      // Three requests: the first refused with a 500, then both events.
      await waitFor(
        () => mine().length >= 3 && new Set(mine().map((entry) => JSON.parse(entry.body).event)).size === 2,
        {
          timeoutMs: 30_000,
          description: 'both events delivered',
        },
      );
      for (const entry of mine()) {
        expect(
          verifySignature('whsec-0123456789abcdef', entry.body, String(entry.headers['x-fv-signature'])),
        ).toBe(true);
        const payload = JSON.parse(entry.body);
        expect(payload).toMatchObject({
          id: entry.headers['x-fv-delivery'],
          event: entry.headers['x-fv-event'],
          timestamp: expect.any(String),
        });
        expect(payload.data).toMatchObject({
          workflowId: done.workflowId,
          workflowType: 'ORDER_FULFILLMENT',
        });
      }
      const deliveries = (await call('GET', `/webhooks/${subscription.subscriptionId}/deliveries`)).json()
        .deliveries as {
        event: string;
        status: string;
        attempts: number;
        history: { statusCode: number }[];
        workflowId: string;
      }[];
      const ours = deliveries.filter((delivery) => delivery.workflowId === plainId(done.workflowId));
      expect(ours.map((delivery) => delivery.event).sort()).toEqual([
        'workflow.completed',
        'workflow.started',
      ]);
      expect(ours.every((delivery) => delivery.status === 'DELIVERED')).toBe(true);
      const retried = ours.find((delivery) => delivery.attempts === 2)!;
      expect(retried.history.map((attempt) => attempt.statusCode)).toEqual([500, 204]);
      expect((await call('DELETE', `/webhooks/${subscription.subscriptionId}`)).statusCode).toBe(204);
      expect((await call('GET', `/webhooks/${subscription.subscriptionId}`)).statusCode).toBe(404);
    } finally {
      server.close();
    }
  });
});
