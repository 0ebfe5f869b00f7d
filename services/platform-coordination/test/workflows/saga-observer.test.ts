import type { EventMap } from '@fv/contracts';
import type { TestDatabase } from '@fv/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoordinationRuntime } from '../../src/runtime.js';
import { closeProducer, OrderStory, publish, startObserver, waitForWorkflow } from './saga-support.js';
import { admin, DecodedEvents, outboxDrained, testDatabase } from '../support.js';

let database: TestDatabase;
let runtime: CoordinationRuntime;
let events: DecodedEvents;

beforeAll(async () => {
  database = await testDatabase('saga-observer');
  events = await new DecodedEvents([
    'CompensationRequested',
    'WorkflowStarted',
    'SagaStepCompleted',
    'WorkflowCompleted',
    'WorkflowFailed',
  ]).start();
  runtime = await startObserver(database);
});
afterAll(async () => {
  await runtime?.stop();
  await events?.stop();
  await closeProducer();
  await database?.dispose();
});

const requestsFor = (orderId: string) =>
  events.all('CompensationRequested', (event) => event.orderId === orderId);

/** Plays the participants: answers every compensation request of the order once. */
async function answerCompensations(story: OrderStory, expected: number) {
  const answered = new Set<string>();
  for (;;) {
    const requests = await events.waitFor(
      'CompensationRequested',
      (event) => event.orderId === story.orderId && !answered.has(event.eventId),
      `compensation request ${answered.size + 1} of order ${story.orderId}`,
    );
    answered.add(requests.eventId);
    const { name, event } = story.answer(requests);
    await publish(name, event as never);
    if (answered.size === expected) return;
  }
}

describe('the saga observer', () => {
  it('follows an order through every step to COMPLETED, findable by order id and workflow id', async () => {
    const story = new OrderStory();
    await publish('OrderCreated', story.created());
    await publish('InventoryReserved', story.reserved());
    const inProgress = await waitForWorkflow(
      runtime,
      story.orderId,
      (body) => body.currentStep === 'PAYMENT_PROCESSING',
      'payment in progress',
    );
    expect(inProgress.status).toBe('IN_PROGRESS');
    expect(inProgress.progress).toEqual({ completedSteps: 1, totalSteps: 6, percentage: 16.67 });
    expect(inProgress.steps[0]).toMatchObject({
      name: 'INVENTORY_RESERVATION',
      status: 'COMPLETED',
      result: { reservationId: `res-${story.reservationId}`, itemsReserved: 2, warehousesUsed: ['wh-001'] },
    });
    expect(inProgress.steps[1]).toMatchObject({ name: 'PAYMENT_PROCESSING', status: 'IN_PROGRESS' });
    expect(inProgress.metadata).toMatchObject({
      orderId: `ord-${story.orderId}`,
      customerId: `cust-${story.customerId}`,
      totalAmount: 20,
      priority: 'HIGH',
    });

    await publish('PaymentProcessed', story.paid());
    await publish('OrderConfirmed', story.confirmed());
    await publish('NotificationSent', story.notified());
    await publish('DeliveryScheduled', story.scheduled());
    await publish('OrderCompleted', story.completed());
    const done = await waitForWorkflow(
      runtime,
      story.orderId,
      (body) => body.status === 'COMPLETED',
      'the workflow to complete',
    );
    expect(done.steps.map((step: { name: string; status: string }) => `${step.name}:${step.status}`)).toEqual(
      [
        'INVENTORY_RESERVATION:COMPLETED',
        'PAYMENT_PROCESSING:COMPLETED',
        'ORDER_CONFIRMATION:COMPLETED',
        'FULFILLMENT_PREPARATION:COMPLETED',
        'SHIPPING_LABEL_CREATION:COMPLETED',
        'CUSTOMER_NOTIFICATION:COMPLETED',
      ],
    );
    expect(done.saga).toMatchObject({ state: 'COMPLETED', compensationPlan: [] });
    expect(done.steps[1]!.result).toMatchObject({ paymentId: story.paymentId, amount: 20 });
    expect(done.steps[4]!.result).toMatchObject({
      shipmentId: story.shipmentId,
      labelNumber: 'FV000000000001',
    });
    expect(done.events.map((entry: { event: string }) => entry.event)).toEqual(
      expect.arrayContaining(['WORKFLOW_STARTED', 'OrderCreated', 'STEP_COMPLETED', 'WORKFLOW_COMPLETED']),
    );

    // The API answers prefixed ids (seed 001) and accepts them with or without the prefix; events carry plain UUIDs.
    expect(done.workflowId).toMatch(/^wf-[0-9a-f-]{36}$/);
    const workflowId = done.workflowId.slice('wf-'.length);
    const byId = await waitForWorkflow(runtime, workflowId, () => true, 'lookup by plain workflow id');
    expect(byId.workflowId).toBe(done.workflowId);
    const prefixed = await waitForWorkflow(runtime, done.workflowId, () => true, 'lookup by prefixed id');
    expect(prefixed.orderId).toBe(`ord-${story.orderId}`);

    const completed = await events.waitFor(
      'WorkflowCompleted',
      (event) => event.workflowId === workflowId,
      'WorkflowCompleted',
    );
    expect(completed).toMatchObject({
      status: 'COMPLETED',
      workflowType: 'ORDER_FULFILLMENT',
      correlationId: story.orderId,
    });
    await outboxDrained(runtime);
    expect(await events.all('WorkflowStarted', (event) => event.workflowId === workflowId)).toHaveLength(1);
    expect(
      (await events.all('SagaStepCompleted', (event) => event.workflowId === workflowId))
        .map((event) => event.stepName)
        .sort(),
    ).toEqual([
      'CUSTOMER_NOTIFICATION',
      'FULFILLMENT_PREPARATION',
      'INVENTORY_RESERVATION',
      'ORDER_CONFIRMATION',
      'PAYMENT_PROCESSING',
      'SHIPPING_LABEL_CREATION',
    ]);
    expect(await requestsFor(story.orderId)).toEqual([]);
  });

  it('an inventory failure ends COMPENSATED with the order cancelled and the customer told (nothing was reserved or paid)', async () => {
    const story = new OrderStory();
    await publish('OrderCreated', story.created());
    await publish('InventoryReservationFailed', story.reservationFailed());
    await answerCompensations(story, 2);
    const done = await waitForWorkflow(
      runtime,
      story.orderId,
      (body) => body.status === 'COMPENSATED',
      'compensation to end',
    );
    expect(done.saga.state).toBe('COMPENSATED');
    expect(done.steps[0]).toMatchObject({ status: 'FAILED', error: { code: 'INSUFFICIENT_STOCK' } });
    await outboxDrained(runtime);
    expect((await requestsFor(story.orderId)).map((event) => `${event.action}#${event.attempt}`)).toEqual([
      'CANCEL_ORDER#1',
      'NOTIFY_CUSTOMER#1',
    ]);
    const failed = await events.waitFor(
      'WorkflowFailed',
      (event) => event.correlationId === story.orderId,
      'WorkflowFailed',
    );
    expect(failed).toMatchObject({
      failedStep: 'INVENTORY_RESERVATION',
      error: { code: 'INSUFFICIENT_STOCK' },
      compensationSteps: ['CANCEL_ORDER', 'NOTIFY_CUSTOMER'],
    });
  });

  it('a payment failure cancels the order, releases the stock and tells the customer, each requested once, in that order', async () => {
    const story = new OrderStory();
    await publish('OrderCreated', story.created());
    await publish('InventoryReserved', story.reserved());
    await publish('PaymentFailed', story.paymentFailed());
    await answerCompensations(story, 3);
    const done = await waitForWorkflow(
      runtime,
      story.orderId,
      (body) => body.status === 'COMPENSATED',
      'compensation to end',
    );
    expect(
      done.saga.compensationExecuted.map(
        (entry: { step: string; status: string }) => `${entry.step}:${entry.status}`,
      ),
    ).toEqual(['CANCEL_ORDER:COMPENSATED', 'RELEASE_INVENTORY:COMPENSATED', 'NOTIFY_CUSTOMER:COMPENSATED']);
    await outboxDrained(runtime);
    const requests = await requestsFor(story.orderId);
    expect(requests.map((event) => `${event.action}#${event.attempt}`)).toEqual([
      'CANCEL_ORDER#1',
      'RELEASE_INVENTORY#1',
      'NOTIFY_CUSTOMER#1',
    ]);
    expect(requests[1]).toMatchObject({
      reason: 'PAYMENT_FAILED',
      parameters: { reservationId: story.reservationId },
    });
    expect(requests[2]!.parameters).toMatchObject({
      customerId: story.customerId,
      customerEmail: 'ada@example.com',
    });
  });

  it('a delivery failure cancels the order, voids the payment, releases the stock and tells the customer, once each', async () => {
    const story = new OrderStory();
    for (const [name, event] of [
      ['OrderCreated', story.created()],
      ['InventoryReserved', story.reserved()],
      ['PaymentProcessed', story.paid()],
      ['OrderConfirmed', story.confirmed()],
      ['DeliverySchedulingFailed', story.deliveryFailed()],
    ] as const) {
      await publish(name, event as EventMap[typeof name] as never);
    }
    await answerCompensations(story, 4);
    const done = await waitForWorkflow(
      runtime,
      story.orderId,
      (body) => body.status === 'COMPENSATED',
      'compensation to end',
    );
    expect(
      done.steps.find((step: { name: string }) => step.name === 'SHIPPING_LABEL_CREATION'),
    ).toMatchObject({ status: 'FAILED', error: { code: 'ADDRESS_INVALID' } });
    await outboxDrained(runtime);
    expect((await requestsFor(story.orderId)).map((event) => event.action)).toEqual([
      'CANCEL_ORDER',
      'VOID_PAYMENT',
      'RELEASE_INVENTORY',
      'NOTIFY_CUSTOMER',
    ]);
    const saga = await runtime.app.inject({
      method: 'GET',
      url: `/api/v1/sagas/${done.saga.sagaId}`,
      headers: { authorization: admin },
    });
    expect(saga.statusCode).toBe(200);
    expect(saga.json()).toMatchObject({
      state: 'COMPENSATED',
      context: { reservationId: `res-${story.reservationId}`, paymentId: story.paymentId },
    });
    expect(
      saga.json().compensationState.log.filter((log: { status: string }) => log.status === 'REQUESTED'),
    ).toHaveLength(4);
  });
});
