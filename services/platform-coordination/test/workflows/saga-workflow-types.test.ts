import type { TestDatabase } from '@fv/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoordinationRuntime } from '../../src/runtime.js';
import {
  closeProducer,
  OrderStory,
  publish,
  ReplenishmentStory,
  ReturnStory,
  startObserver,
  waitForWorkflow,
  type StatusBody,
} from './saga-support.js';
import { callApi, DecodedEvents, plainId, testDatabase } from '../support.js';

/**
 * The observer's other workflow types on the broker: a return (RETURN_PROCESSING, named by its
 * returnId) and a replenishment (INVENTORY_REPLENISHMENT, named by its replenishmentId), with the
 * participants' events published as they would publish them; and an order ended by OrderFailed.
 */
let database: TestDatabase;
let runtime: CoordinationRuntime;
let events: DecodedEvents;

beforeAll(async () => {
  database = await testDatabase('saga-workflow-types');
  events = await new DecodedEvents([
    'WorkflowStarted',
    'WorkflowFailed',
    'WorkflowCompleted',
    'StepRetryRequested',
    'CompensationRequested',
  ]).start();
  runtime = await startObserver(database);
});
afterAll(async () => {
  await runtime?.stop();
  await events?.stop();
  await closeProducer();
  await database?.dispose();
});

const call = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
  callApi(runtime, method, url, payload);

/** The id of the workflow WorkflowStarted announced with this reference in its metadata. */
async function startedWorkflow(field: 'returnId' | 'replenishmentId', value: string): Promise<string> {
  const started = await events.waitFor(
    'WorkflowStarted',
    (event) => event.metadata[field] === value,
    `WorkflowStarted of ${field} ${value}`,
  );
  return started.workflowId;
}

const stepsOf = (body: StatusBody) =>
  Object.fromEntries(body.steps.map((step: { name: string; status: string }) => [step.name, step.status]));

describe('RETURN_PROCESSING', () => {
  it('follows a return through request, receipt, refund, restock and notification to COMPLETED', async () => {
    const story = new ReturnStory();
    await publish('ReturnRequested', story.requested());
    const workflowId = await startedWorkflow('returnId', story.returnId);
    await publish('ReturnReceived', story.received());
    await publish('PaymentRefunded', story.refunded());
    await publish('OrderRefunded', story.orderRefunded());
    await publish('InventoryAdjusted', story.restocked());
    await publish('NotificationSent', story.notified());
    const done = await waitForWorkflow(
      runtime,
      workflowId,
      (body) => body.status === 'COMPLETED',
      'return COMPLETED',
    );
    expect(done.workflowType).toBe('RETURN_PROCESSING');
    expect(plainId(done.orderId)).toBe(story.orderId);
    expect(done.correlationId).toBe(story.returnId);
    expect(stepsOf(done)).toEqual({
      RETURN_REQUEST: 'COMPLETED',
      RETURN_RECEIPT: 'COMPLETED',
      REFUND_PROCESSING: 'COMPLETED',
      RESTOCK: 'COMPLETED',
      CUSTOMER_NOTIFICATION: 'COMPLETED',
    });
    expect(plainId(done.metadata.returnId as string)).toBe(story.returnId);
    expect(plainId(done.metadata.orderId as string)).toBe(story.orderId);
    const completed = await events.waitFor(
      'WorkflowCompleted',
      (event) => event.workflowId === workflowId,
      'WorkflowCompleted of the return',
    );
    expect(completed).toMatchObject({ workflowType: 'RETURN_PROCESSING', status: 'COMPLETED' });
    // The order's own workflow is no business of the return's: no order workflow was opened for it.
    expect((await call('GET', `/workflows/${story.orderId}/status`)).statusCode).toBe(404);
    // The return's id finds its workflow, as an order's id finds the order's.
    for (const id of [story.returnId, `ret-${story.returnId}`]) {
      const byReturn = await call('GET', `/workflows/${id}/status`);
      expect(byReturn.statusCode).toBe(200);
      expect(plainId(byReturn.json().workflowId)).toBe(workflowId);
    }
  });

  it('counts a refund that failed twice and then succeeded as one step of three attempts; lists the return by its type meanwhile', async () => {
    const story = new ReturnStory();
    await publish('ReturnRequested', story.requested());
    const workflowId = await startedWorkflow('returnId', story.returnId);
    await publish('ReturnReceived', story.received());
    await publish('PaymentRefundFailed', story.refundFailed(1, true));
    await publish('PaymentRefundFailed', story.refundFailed(2, true));
    const retrying = await waitForWorkflow(
      runtime,
      workflowId,
      (body) => body.steps.some((step: { attempts?: number }) => step.attempts === 3),
      'refund at its third attempt',
    );
    expect(retrying.status).toBe('IN_PROGRESS');
    expect(stepsOf(retrying).REFUND_PROCESSING).toBe('IN_PROGRESS');
    expect(retrying.needsAttention).toBe(false);

    const returns = (await call('GET', '/workflows/active?type=RETURN_PROCESSING&size=100')).json();
    expect(returns.workflows.map((row: { workflowId: string }) => plainId(row.workflowId))).toContain(
      workflowId,
    );
    expect(
      returns.workflows.every((row: { workflowType: string }) => row.workflowType === 'RETURN_PROCESSING'),
    ).toBe(true);
    expect(returns.summary.byType.RETURN_PROCESSING).toBeGreaterThanOrEqual(1);
    const orders = (await call('GET', '/workflows/active?type=ORDER_FULFILLMENT&size=100')).json();
    expect(orders.workflows.map((row: { workflowId: string }) => plainId(row.workflowId))).not.toContain(
      workflowId,
    );

    await publish('PaymentRefunded', story.refunded());
    await publish('InventoryAdjusted', story.restocked());
    await publish('NotificationSent', story.notified());
    const done = await waitForWorkflow(
      runtime,
      workflowId,
      (body) => body.status === 'COMPLETED',
      'return COMPLETED',
    );
    const refund = done.steps.find(
      (step: { stepName?: string; name?: string }) => (step.stepName ?? step.name) === 'REFUND_PROCESSING',
    )!;
    expect(refund).toMatchObject({ status: 'COMPLETED', attempts: 3 });
  });

  it('flags a refund the order service gave up on; an operator’s retry publishes StepRetryRequested and the return completes', async () => {
    const story = new ReturnStory();
    await publish('ReturnRequested', story.requested());
    const workflowId = await startedWorkflow('returnId', story.returnId);
    await publish('ReturnReceived', story.received());
    await publish('InventoryAdjusted', story.restocked());
    await publish('PaymentRefundFailed', story.refundFailed(1, true));
    await publish('PaymentRefundFailed', story.refundFailed(2, false));
    const held = await waitForWorkflow(runtime, workflowId, (body) => body.needsAttention, 'refund flagged');
    expect(held.status).toBe('IN_PROGRESS');
    expect(stepsOf(held)).toMatchObject({ REFUND_PROCESSING: 'FAILED', RESTOCK: 'COMPLETED' });
    expect(held.flags).toEqual([expect.objectContaining({ code: 'STEP_FAILED', step: 'REFUND_PROCESSING' })]);
    expect(await events.all('WorkflowFailed', (event) => event.workflowId === workflowId)).toEqual([]);

    const retried = await call('POST', `/workflows/${workflowId}/retry`, { fromStep: 'REFUND_PROCESSING' });
    expect(retried.statusCode).toBe(200);
    const request = await events.waitFor(
      'StepRetryRequested',
      (event) => event.workflowId === workflowId,
      'StepRetryRequested of the refund',
    );
    expect(request).toMatchObject({ stepName: 'REFUND_PROCESSING', orderId: story.orderId });
    expect(request.parameters.returnId).toBe(story.returnId);
    expect(request.correlationId).toBe(story.returnId);

    await publish('PaymentRefunded', story.refunded());
    await publish('NotificationSent', story.notified());
    const done = await waitForWorkflow(
      runtime,
      workflowId,
      (body) => body.status === 'COMPLETED',
      'return COMPLETED',
    );
    expect(done.needsAttention).toBe(false);
    expect(done.events.map((entry: { event: string }) => entry.event)).toEqual(
      expect.arrayContaining(['OPERATOR_ATTENTION_REQUIRED', 'STEP_RETRY_REQUESTED', 'PaymentRefundFailed']),
    );
  });
});

describe('INVENTORY_REPLENISHMENT', () => {
  it('follows a replenishment to COMPLETED once the goods are received', async () => {
    const story = new ReplenishmentStory();
    await publish('ReplenishmentRequested', story.requested());
    const workflowId = await startedWorkflow('replenishmentId', story.replenishmentId);
    await publish('PurchaseOrderPlaced', story.placed());
    await publish('PurchaseOrderConfirmed', story.confirmed());
    await publish('ReplenishmentCompleted', story.completed());
    const done = await waitForWorkflow(
      runtime,
      workflowId,
      (body) => body.status === 'COMPLETED',
      'replenishment COMPLETED',
    );
    expect(done.workflowType).toBe('INVENTORY_REPLENISHMENT');
    expect(done.orderId).toBeNull();
    expect(done.correlationId).toBe(story.replenishmentId);
    expect(Object.values(stepsOf(done))).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED', 'COMPLETED']);

    const metrics = (await call('GET', '/workflows/metrics?period=TODAY')).json();
    expect(metrics.workflowTypes.INVENTORY_REPLENISHMENT).toBeDefined();
  });

  it('fails a replenishment the supplier rejected, where it stood, with the reason', async () => {
    const story = new ReplenishmentStory();
    await publish('ReplenishmentRequested', story.requested());
    const workflowId = await startedWorkflow('replenishmentId', story.replenishmentId);
    await publish('PurchaseOrderPlaced', story.placed());
    await publish('ReplenishmentFailed', story.failed('SUPPLIER_REJECTED'));
    const failed = await waitForWorkflow(
      runtime,
      workflowId,
      (body) => body.status === 'FAILED',
      'replenishment FAILED',
    );
    expect(stepsOf(failed)).toEqual({
      REPLENISHMENT_REQUEST: 'COMPLETED',
      PURCHASE_ORDER: 'COMPLETED',
      SUPPLIER_CONFIRMATION: 'FAILED',
      GOODS_RECEIPT: 'SKIPPED',
    });
    expect(failed.saga.trigger).toMatchObject({ kind: 'FAILURE', reason: 'SUPPLIER_REJECTED' });
    const announced = await events.waitFor(
      'WorkflowFailed',
      (event) => event.workflowId === workflowId,
      'WorkflowFailed of the replenishment',
    );
    expect(announced).toMatchObject({
      workflowType: 'INVENTORY_REPLENISHMENT',
      failedStep: 'SUPPLIER_CONFIRMATION',
    });
  });
});

describe('ORDER_FULFILLMENT and OrderFailed', () => {
  it('takes OrderFailed as the order’s compensation of a failed payment: the saga ends COMPENSATED, the order FAILED in its history', async () => {
    const story = new OrderStory();
    await publish('OrderCreated', story.created());
    await publish('InventoryReserved', story.reserved());
    await publish('PaymentFailed', story.paymentFailed());
    const cancel = await events.waitFor(
      'CompensationRequested',
      (event) => event.orderId === story.orderId && event.action === 'CANCEL_ORDER',
      'CANCEL_ORDER requested',
    );
    await publish('OrderFailed', story.orderFailed('PAYMENT_FAILED', cancel.eventId));
    const release = await events.waitFor(
      'CompensationRequested',
      (event) => event.orderId === story.orderId && event.action === 'RELEASE_INVENTORY',
      'RELEASE_INVENTORY requested',
    );
    await publish('InventoryReleased', story.answer(release).event as never);
    const notify = await events.waitFor(
      'CompensationRequested',
      (event) => event.orderId === story.orderId && event.action === 'NOTIFY_CUSTOMER',
      'NOTIFY_CUSTOMER requested',
    );
    await publish('NotificationSent', story.answer(notify).event as never);
    const done = await waitForWorkflow(
      runtime,
      story.orderId,
      (body) => body.status === 'COMPENSATED',
      'COMPENSATED',
    );
    expect(done.saga.compensationSteps).toContainEqual(
      expect.objectContaining({
        step: 'CANCEL_ORDER',
        status: 'COMPENSATED',
        answer: expect.objectContaining({ event: 'OrderFailed', detail: 'PAYMENT_FAILED' }),
      }),
    );
    expect(done.events.map((entry: { event: string }) => entry.event)).toContain('OrderFailed');
  });
});
