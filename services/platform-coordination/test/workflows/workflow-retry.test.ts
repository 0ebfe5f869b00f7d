import type { TestDatabase } from '@fv/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoordinationRuntime } from '../../src/runtime.js';
import { closeProducer, OrderStory, publish, startObserver, waitForWorkflow } from './saga-support.js';
import { callApi, DecodedEvents, plainId, testDatabase } from '../support.js';

/**
 * Seed 001's retry of a failed workflow, end to end on the broker: the API asks the step's owner through
 * StepRetryRequested, the owner's answer (published here as the participant would) settles the new
 * attempt, and the workflow goes on to completion.
 */
let database: TestDatabase;
let runtime: CoordinationRuntime;
let events: DecodedEvents;

beforeAll(async () => {
  database = await testDatabase('workflow-retry');
  events = await new DecodedEvents(['CompensationRequested', 'StepRetryRequested']).start();
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

async function paymentFailed(story: OrderStory) {
  await publish('OrderCreated', story.created());
  await publish('InventoryReserved', story.reserved());
  await publish('PaymentFailed', story.paymentFailed());
  return waitForWorkflow(
    runtime,
    story.orderId,
    (body) => body.status === 'COMPENSATING',
    'compensation after the payment failure',
  );
}

describe('retry of a failed workflow', () => {
  it('retries the failed payment step before its compensation took effect, and the workflow completes with the step at attempt 2', async () => {
    const story = new OrderStory();
    const failed = await paymentFailed(story);
    await events.waitFor(
      'CompensationRequested',
      (event) => event.orderId === story.orderId && event.action === 'CANCEL_ORDER',
      'CANCEL_ORDER requested',
    );

    const response = await call('POST', `/workflows/${failed.workflowId}/retry`, {
      fromStep: 'PAYMENT_PROCESSING',
      resetState: true,
      metadata: { retryReason: 'Payment provider timeout resolved', initiatedBy: 'admin-user-123' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      workflowId: failed.workflowId,
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
      requestedBy: 'admin-user-123',
      workflowId: plainId(failed.workflowId),
      parameters: { reservationId: story.reservationId, resetState: 'true' },
    });
    const resumed = await waitForWorkflow(runtime, story.orderId, () => true, 'status after the retry');
    expect(resumed).toMatchObject({ status: 'IN_PROGRESS', saga: { state: 'ACTIVE' } });
    expect(resumed.steps[1]).toMatchObject({
      name: 'PAYMENT_PROCESSING',
      status: 'IN_PROGRESS',
      attempts: 2,
    });

    // The order service authorizes the payment again; the rest of the chain follows.
    await publish('PaymentProcessed', story.paid());
    await publish('OrderConfirmed', story.confirmed());
    await publish('DeliveryScheduled', story.scheduled());
    await publish('NotificationSent', story.notified());
    await publish('OrderCompleted', story.completed());
    const completed = await waitForWorkflow(
      runtime,
      story.orderId,
      (body) => body.status === 'COMPLETED',
      'the retried workflow completed',
    );
    expect(completed.steps.map((step: { status: string }) => step.status)).toEqual(
      Array(6).fill('COMPLETED'),
    );
    expect(completed.steps[1]).toMatchObject({ name: 'PAYMENT_PROCESSING', attempts: 2 });
    expect(completed.steps[0]).toMatchObject({ name: 'INVENTORY_RESERVATION', attempts: 1 });
    expect(completed.saga).toMatchObject({ state: 'COMPLETED' });

    const saga = await call('GET', `/sagas/${completed.saga.sagaId}`);
    expect(saga.statusCode).toBe(200);
    expect(saga.json().completedSteps).toContainEqual(
      expect.objectContaining({ step: 'PAYMENT_PROCESSING', attempts: 2 }),
    );
    expect(saga.json().compensationState.withdrawn).toEqual([
      expect.objectContaining({
        trigger: expect.objectContaining({ kind: 'FAILURE', step: 'PAYMENT_PROCESSING' }),
        requested: expect.arrayContaining(['CANCEL_ORDER']),
      }),
    ]);
  });

  it('refuses (422) to retry a step once the compensation cancelled the order, and a step that did not fail', async () => {
    const story = new OrderStory();
    const failed = await paymentFailed(story);
    const other = await call('POST', `/workflows/${failed.workflowId}/retry`, {
      fromStep: 'INVENTORY_RESERVATION',
    });
    expect(other.statusCode).toBe(422);
    expect(other.json().error).toMatchObject({
      code: 'INVALID_WORKFLOW_STATE',
      details: { failedStep: 'PAYMENT_PROCESSING', field: 'body.fromStep' },
    });

    const cancel = await events.waitFor(
      'CompensationRequested',
      (event) => event.orderId === story.orderId && event.action === 'CANCEL_ORDER',
      'CANCEL_ORDER requested',
    );
    const { name, event } = story.answer(cancel);
    await publish(name, event as never);
    await waitForWorkflow(
      runtime,
      story.orderId,
      (body) =>
        body.saga.compensationExecuted.some((entry: { step: string }) => entry.step === 'CANCEL_ORDER'),
      'the order cancelled',
    );
    const refused = await call('POST', `/workflows/${failed.workflowId}/retry`, {
      fromStep: 'PAYMENT_PROCESSING',
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error).toMatchObject({
      code: 'WORKFLOW_EXECUTION_FAILED',
      details: {
        failedStep: 'PAYMENT_PROCESSING',
        reason: 'ORDER_CANCELLED',
        compensationExecuted: ['CANCEL_ORDER'],
      },
    });
    expect(refused.json().error.message).toContain('cancelled order');
    expect(await events.all('StepRetryRequested', (retry) => retry.orderId === story.orderId)).toHaveLength(
      0,
    );
  });
});
