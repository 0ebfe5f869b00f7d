import type { TestDatabase } from '@fv/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoordinationRuntime } from '../../src/runtime.js';
import {
  closeProducer,
  nextCompensationRequest,
  OrderStory,
  publish,
  startObserver,
  waitForWorkflow,
} from './saga-support.js';
import { callApi, DecodedEvents, testDatabase } from '../support.js';

/** Seed 001's answers field by field, and its error codes, on a real broker and database. */
let database: TestDatabase;
let runtime: CoordinationRuntime;
let events: DecodedEvents;

beforeAll(async () => {
  database = await testDatabase('workflow-fidelity');
  events = await new DecodedEvents(['CompensationRequested']).start();
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

const nextRequest = (story: OrderStory, action: string) => nextCompensationRequest(events, story, action);

describe('error codes of seed 001', () => {
  it('WORKFLOW_EXECUTION_FAILED (422) names the failed step when a compensating workflow is cancelled, or retried once its order was cancelled', async () => {
    const story = new OrderStory();
    await publish('OrderCreated', story.created());
    await publish('InventoryReserved', story.reserved());
    await publish('PaymentFailed', story.paymentFailed());
    const cancel = await nextRequest(story, 'CANCEL_ORDER');
    const { name, event } = story.answer(cancel);
    await publish(name, event as never);
    const workflow = await waitForWorkflow(
      runtime,
      story.orderId,
      (body) =>
        body.status === 'COMPENSATING' &&
        body.saga.compensationExecuted.some((entry: { step: string }) => entry.step === 'CANCEL_ORDER'),
      'the order cancelled by the compensation after the payment failure',
    );
    for (const [path, body] of [
      [`/workflows/${workflow.workflowId}/cancel`, { reason: 'CUSTOMER_REQUESTED', initiatedBy: 'CUSTOMER' }],
      [`/workflows/${workflow.workflowId}/retry`, { fromStep: 'PAYMENT_PROCESSING' }],
    ] as const) {
      const response = await call('POST', path, body);
      expect(response.statusCode).toBe(422);
      expect(response.json().error).toMatchObject({
        code: 'WORKFLOW_EXECUTION_FAILED',
        details: {
          workflowId: workflow.workflowId,
          failedStep: 'PAYMENT_PROCESSING',
          compensationTriggered: true,
        },
      });
      expect(response.json().error.traceId).toEqual(expect.any(String));
    }
  });

  it('COMPENSATION_FAILED (422) once the compensation itself failed; WORKFLOW_NOT_FOUND and SAGA_NOT_FOUND (404) with prefixed ids', async () => {
    const story = new OrderStory();
    await publish('OrderCreated', story.created());
    await publish('InventoryReserved', story.reserved());
    await publish('PaymentFailed', story.paymentFailed());
    const cancel = await nextRequest(story, 'CANCEL_ORDER');
    await publish('CompensationOutcome', story.outcome(cancel, 'REJECTED', 'INVALID_ORDER_STATE'));
    const failed = await waitForWorkflow(
      runtime,
      story.orderId,
      (body) => body.status === 'FAILED',
      'FAILED',
    );
    const response = await call('POST', `/workflows/${failed.workflowId}/cancel`, {
      reason: 'CUSTOMER_REQUESTED',
      initiatedBy: 'CUSTOMER',
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().error).toMatchObject({
      code: 'COMPENSATION_FAILED',
      details: { workflowId: failed.workflowId, sagaId: failed.saga.sagaId, status: 'FAILED' },
    });

    const unknown = '00000000-0000-4000-8000-000000000000';
    const workflow = await call('GET', `/workflows/wf-${unknown}/status`);
    expect(workflow.statusCode).toBe(404);
    expect(workflow.json().error).toMatchObject({
      code: 'WORKFLOW_NOT_FOUND',
      details: { workflowId: `wf-${unknown}` },
    });
    const saga = await call('GET', `/sagas/saga-${unknown}`);
    expect(saga.statusCode).toBe(404);
    expect(saga.json().error.code).toBe('SAGA_NOT_FOUND');
  });
});

describe('documents of seed 001', () => {
  it("lists the saga's compensation plan one action per entry, each with its condition and context parameters", async () => {
    const story = new OrderStory();
    await publish('OrderCreated', story.created());
    await publish('InventoryReserved', story.reserved());
    await publish('PaymentProcessed', story.paid());
    const workflow = await waitForWorkflow(
      runtime,
      story.orderId,
      (body) => body.steps[1]?.status === 'COMPLETED',
      'payment done',
    );
    const saga = await call('GET', `/sagas/${workflow.saga.sagaId}`);
    expect(saga.statusCode).toBe(200);
    const body = saga.json();
    expect(body).toMatchObject({
      sagaId: workflow.saga.sagaId,
      workflowId: workflow.workflowId,
      context: {
        orderId: `ord-${story.orderId}`,
        customerId: `cust-${story.customerId}`,
        reservationId: `res-${story.reservationId}`,
        paymentId: story.paymentId,
        paymentIntent: story.paymentId,
        amount: 20,
        currency: 'USD',
      },
    });
    const plan = body.compensationPlan as {
      step: string;
      condition: string;
      service: string;
      parameters: Record<string, string>;
    }[];
    const steps = plan.map((entry) => entry.step);
    expect(steps).toEqual(expect.arrayContaining(['RELEASE_INVENTORY', 'REFUND_PAYMENT', 'VOID_PAYMENT']));
    for (const entry of plan) {
      expect(entry.condition).toEqual(expect.any(String));
      expect(entry.step).not.toContain('|');
      for (const value of Object.values(entry.parameters)) expect(value).toMatch(/^\{\{context\.\w+\}\}$/);
    }

    const templates = await call('GET', '/workflow-templates');
    const compensationSteps = templates.json().templates[0].compensationSteps as {
      name: string;
      condition: string;
    }[];
    expect(
      compensationSteps.every((step) => !step.name.includes('|') && typeof step.condition === 'string'),
    ).toBe(true);
  });
});
