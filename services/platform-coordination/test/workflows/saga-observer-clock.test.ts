import type { EventMap } from '@fv/contracts';
import { uniqueName, type TestDatabase } from '@fv/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoordinationRuntime } from '../../src/runtime.js';
import {
  closeProducer,
  compensationRequestsOf,
  nextCompensationRequest,
  OrderStory,
  publish,
  startObserver,
  status,
  waitForWorkflow,
} from './saga-support.js';
import { admin, DecodedEvents, outboxDrained, testDatabase } from '../support.js';

let events: DecodedEvents;

beforeAll(async () => {
  events = await new DecodedEvents(['CompensationRequested']).start();
});
afterAll(async () => {
  await events?.stop();
  await closeProducer();
});

const requestsFor = (orderId: string) => compensationRequestsOf(events, orderId);

/** A participant's outcome for `request`, its detail giving the reason. */
const outcome = (
  story: OrderStory,
  request: EventMap['CompensationRequested'],
  value: string,
  reasonCode: string | null = null,
) => story.outcome(request, value, reasonCode, reasonCode ? `because ${reasonCode}` : null);

const nextRequest = (story: OrderStory, action: string) => nextCompensationRequest(events, story, action);

describe('the observer down for an hour', () => {
  let database: TestDatabase;
  afterAll(async () => {
    await database?.dispose();
  });

  it('does not time out a step whose later events wait in the topics: the order ends COMPLETED, nothing compensated', async () => {
    database = await testDatabase('observer-clock-restart');
    const serviceName = uniqueName('coordination');
    let offsetMs = 0;
    const workflowClock = () => new Date(Date.now() + offsetMs);
    const overrides = {
      SERVICE_NAME: serviceName,
      WORKFLOW_TIMEOUT_PAYMENT_PROCESSING: 'PT2M',
      WORKFLOW_TIMEOUT_ORDER_FULFILLMENT: 'PT10M',
    };
    const story = new OrderStory();
    const first = await startObserver(database, overrides, { workflowClock });
    try {
      await publish('OrderCreated', story.created());
      await publish('InventoryReserved', story.reserved());
      await waitForWorkflow(
        first,
        story.orderId,
        (body) => body.currentStep === 'PAYMENT_PROCESSING',
        'the payment step to begin',
      );
    } finally {
      await first.stop();
    }
    // While the observer is down the order goes through; an hour passes before it is back.
    await publish('PaymentProcessed', story.paid());
    await publish('OrderConfirmed', story.confirmed());
    await publish('DeliveryScheduled', story.scheduled());
    await publish('NotificationSent', story.notified());
    await publish('OrderCompleted', story.completed());
    offsetMs = 3_600_000;

    const second = await startObserver(database, overrides, { resume: true, workflowClock });
    try {
      const done = await waitForWorkflow(
        second,
        story.orderId,
        (body) => body.status === 'COMPLETED',
        'the order to complete',
      );
      expect(done.saga.state).toBe('COMPLETED');
      expect(done.steps.map((step) => step.status)).toEqual(Array(6).fill('COMPLETED'));
      await outboxDrained(second);
      expect(await requestsFor(story.orderId)).toEqual([]);
      const failed = await second.context.prisma.outboxEvent.count({
        where: { messageKey: story.orderId, eventName: 'WorkflowFailed' },
      });
      expect(failed).toBe(0);
    } finally {
      await second.stop();
    }
  });
});

describe('answers and late failures', () => {
  let database: TestDatabase;
  let runtime: CoordinationRuntime;
  beforeAll(async () => {
    database = await testDatabase('observer-outcomes');
    runtime = await startObserver(database);
  });
  afterAll(async () => {
    await runtime?.stop();
    await database?.dispose();
  });

  it('a failure after OrderCompleted is flagged for an operator and nothing is compensated', async () => {
    const story = new OrderStory();
    for (const [name, event] of [
      ['OrderCreated', story.created()],
      ['InventoryReserved', story.reserved()],
      ['PaymentProcessed', story.paid()],
      ['OrderConfirmed', story.confirmed()],
      ['DeliveryScheduled', story.scheduled()],
      ['OrderCompleted', story.completed()],
    ] as const)
      await publish(name, event as never);
    await waitForWorkflow(
      runtime,
      story.orderId,
      (body) => body.steps.find((step) => step.name === 'FULFILLMENT_PREPARATION')?.status === 'COMPLETED',
      'the order to complete',
    );
    await publish('DeliverySchedulingFailed', story.deliveryFailed());
    const flagged = await waitForWorkflow(runtime, story.orderId, (body) => body.needsAttention, 'the flag');
    expect(flagged.flags).toEqual([
      expect.objectContaining({
        code: 'FAILURE_AFTER_COMPLETION',
        step: 'SHIPPING_LABEL_CREATION',
        source: 'DeliverySchedulingFailed',
      }),
    ]);
    await publish('NotificationSent', story.notified());
    const done = await waitForWorkflow(
      runtime,
      story.orderId,
      (body) => body.status === 'COMPLETED',
      'completion',
    );
    expect(done.saga.state).toBe('COMPLETED');
    expect(done.events.map((event) => event.event)).toContain('OPERATOR_ATTENTION_REQUIRED');
    await outboxDrained(runtime);
    expect(await requestsFor(story.orderId)).toEqual([]);
  });

  it('an order nobody knows: NOT_APPLICABLE outcomes end the saga COMPENSATED, flagged ORDER_NOT_FOUND', async () => {
    // No OrderCreated: a payment failure opens the workflow.
    const story = new OrderStory();
    await publish('InventoryReserved', story.reserved());
    await publish('PaymentFailed', story.paymentFailed());
    const cancel = await nextRequest(story, 'CANCEL_ORDER');
    await publish('CompensationOutcome', outcome(story, cancel, 'NOT_APPLICABLE', 'ORDER_NOT_FOUND'));
    const release = await nextRequest(story, 'RELEASE_INVENTORY');
    await publish('CompensationOutcome', outcome(story, release, 'DONE'));
    const notify = await nextRequest(story, 'NOTIFY_CUSTOMER');
    await publish('CompensationOutcome', outcome(story, notify, 'NOT_APPLICABLE', 'CUSTOMER_UNKNOWN'));
    const done = await waitForWorkflow(
      runtime,
      story.orderId,
      (body) => body.status === 'COMPENSATED',
      'the end',
    );
    expect(done.saga.state).toBe('COMPENSATED');
    expect(done.flags.map((flag) => flag.code)).toEqual(['ORDER_NOT_FOUND']);
    expect(done.saga.compensationExecuted.map((entry) => `${entry.step}:${entry.status}`)).toEqual([
      'CANCEL_ORDER:COMPENSATED',
      'RELEASE_INVENTORY:COMPENSATED',
      'NOTIFY_CUSTOMER:COMPENSATED',
    ]);
    await outboxDrained(runtime);
    expect(await requestsFor(story.orderId)).toEqual([
      'CANCEL_ORDER#1',
      'RELEASE_INVENTORY#1',
      'NOTIFY_CUSTOMER#1',
    ]);
  });

  it('REJECTED ends the saga COMPENSATION_FAILED with the reason in its log; nothing after it is asked', async () => {
    const story = new OrderStory();
    await publish('OrderCreated', story.created());
    await publish('InventoryReserved', story.reserved());
    await publish('PaymentFailed', story.paymentFailed());
    const cancel = await nextRequest(story, 'CANCEL_ORDER');
    await publish('CompensationOutcome', outcome(story, cancel, 'REJECTED', 'INVALID_ORDER_STATE'));
    const done = await waitForWorkflow(runtime, story.orderId, (body) => body.status === 'FAILED', 'the end');
    expect(done.saga.state).toBe('COMPENSATION_FAILED');
    const saga = await runtime.app.inject({
      url: `/api/v1/sagas/${done.saga.sagaId}`,
      headers: { authorization: admin },
    });
    const body = saga.json() as {
      compensationState: {
        log: { action: string; status: string; details: { answer?: { detail: string } } }[];
        skipped: { step: string }[];
      };
    };
    expect(body.compensationState.log.find((entry) => entry.status === 'FAILED')).toMatchObject({
      action: 'CANCEL_ORDER',
      details: {
        answer: {
          event: 'CompensationOutcome',
          detail: 'REJECTED INVALID_ORDER_STATE: because INVALID_ORDER_STATE',
        },
      },
    });
    expect(body.compensationState.skipped.map((entry) => entry.step)).toEqual([
      'RELEASE_INVENTORY',
      'NOTIFY_CUSTOMER',
    ]);
    await outboxDrained(runtime);
    expect(await requestsFor(story.orderId)).toEqual(['CANCEL_ORDER#1']);
    expect((await status(runtime, story.orderId)).body.status).toBe('FAILED');
  });
});
