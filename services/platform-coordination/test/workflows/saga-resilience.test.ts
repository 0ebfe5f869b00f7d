import type { EventMap, EventName } from '@fv/contracts';
import { uniqueName, waitFor, type TestDatabase } from '@fv/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoordinationRuntime } from '../../src/runtime.js';
import {
  closeProducer,
  compensationRequestsOf,
  OrderStory,
  publish,
  startObserver,
  waitForWorkflow,
  type StatusBody,
} from './saga-support.js';
import { DecodedEvents, outboxDrained, testDatabase } from '../support.js';

type Entry = [EventName, EventMap[EventName]];

let events: DecodedEvents;

beforeAll(async () => {
  events = await new DecodedEvents(['CompensationRequested']).start();
});
afterAll(async () => {
  await events?.stop();
  await closeProducer();
});

const requestsFor = (orderId: string) => compensationRequestsOf(events, orderId);

async function answerNext(story: OrderStory, answered: Set<string>) {
  const request = await events.waitFor(
    'CompensationRequested',
    (event) => event.orderId === story.orderId && !answered.has(event.eventId),
    `a compensation request of ${story.orderId}`,
  );
  answered.add(request.eventId);
  const { name, event } = story.answer(request);
  await publish(name, event as never);
  return request;
}

/** Waits until every one of `entries` is in its workflow's history (applied, not just implied). */
async function allApplied(runtime: CoordinationRuntime, entries: Entry[]) {
  const ids = [...new Set(entries.map(([, event]) => event.eventId))];
  await waitFor(
    async () =>
      (await runtime.context.prisma.workflowEvent.count({ where: { sourceEventId: { in: ids } } })) ===
      ids.length,
    { description: `${ids.length} events applied` },
  );
}

/** What must not depend on the order events arrived in: statuses, results, times relative to the start. */
function comparable(body: StatusBody, story: OrderStory) {
  const start = Date.parse(body.startedAt!);
  const offset = (value: string | null | undefined) => (value ? Date.parse(value) - start : null);
  const text = JSON.stringify({
    status: body.status,
    currentStep: body.currentStep,
    progress: body.progress,
    steps: body.steps.map((step) => ({
      name: step.name,
      status: step.status,
      started: offset(step.startedAt),
      completed: offset(step.completedAt),
      // Notification ids are drawn at random by each story.
      result: step.result ? { ...(step.result as Record<string, unknown>), notificationId: undefined } : null,
      error: step.error ?? null,
      inferred: step.inferred ?? false,
    })),
    saga: {
      state: body.saga.state,
      executed: body.saga.compensationExecuted.map((entry) => [entry.step, entry.status]),
    },
    // The trace kept is the first applied event's: which event that is depends on the order of arrival.
    metadata: { ...body.metadata, traceId: undefined },
  });
  return JSON.parse(
    [story.orderId, story.customerId, story.reservationId, story.paymentId, story.shipmentId].reduce(
      (acc, id, index) => acc.split(id).join(`<id${index}>`),
      text,
    ),
  );
}

describe('events late, twice, or out of order', () => {
  let database: TestDatabase;
  let runtime: CoordinationRuntime;
  beforeAll(async () => {
    database = await testDatabase('saga-reorder');
    runtime = await startObserver(database);
  });
  afterAll(async () => {
    await runtime?.stop();
    await database?.dispose();
  });

  it('gives the same final state as in order, for a completed order and for a compensated one', async () => {
    const build = (story: OrderStory): Entry[] => story.happyPath();
    const inOrder = new OrderStory();
    const shuffled = new OrderStory();
    const ordered = build(inOrder);
    const entries = build(shuffled);
    for (const [name, event] of ordered) await publish(name, event as never);
    // The last event first (the workflow opens on it, every earlier step inferred), then the others
    // shuffled, three of them twice.
    await publish(entries[6]![0], entries[6]![1] as never);
    const opened = await waitForWorkflow(
      runtime,
      shuffled.orderId,
      () => true,
      'the workflow opened by OrderCompleted',
    );
    expect(opened.openedBy).toBe('OrderCompleted');
    expect(
      opened.steps
        .filter((step: { inferred?: boolean }) => step.inferred)
        .map((step: { name: string }) => step.name),
    ).toEqual([
      'INVENTORY_RESERVATION',
      'PAYMENT_PROCESSING',
      'ORDER_CONFIRMATION',
      'SHIPPING_LABEL_CREATION',
    ]);
    for (const index of [3, 5, 3, 1, 4, 6, 2, 0, 1])
      await publish(entries[index]![0], entries[index]![1] as never);
    await allApplied(runtime, [...ordered, ...entries]);
    const a = await waitForWorkflow(
      runtime,
      inOrder.orderId,
      (body) => body.status === 'COMPLETED',
      'the ordered workflow',
    );
    const b = await waitForWorkflow(
      runtime,
      shuffled.orderId,
      (body) => body.status === 'COMPLETED' && !body.steps.some((s: { inferred?: boolean }) => s.inferred),
      'the shuffled workflow',
    );
    expect(b.openedBy).toBe('OrderCompleted');
    expect(comparable(b, shuffled)).toEqual(comparable(a, inOrder));

    const failing = (story: OrderStory): Entry[] => [
      ['OrderCreated', story.created()],
      ['InventoryReserved', story.reserved()],
      ['PaymentFailed', story.paymentFailed()],
    ];
    const first = new OrderStory();
    const second = new OrderStory();
    const firstEvents = failing(first);
    const secondEvents = failing(second);
    for (const [name, event] of firstEvents) await publish(name, event as never);
    // The failure before the order and its reservation are known: the reservation is inferred and released.
    await publish(secondEvents[2]![0], secondEvents[2]![1] as never);
    const early = await waitForWorkflow(
      runtime,
      second.orderId,
      (body) => body.status === 'COMPENSATING',
      'the failure seen first',
    );
    expect(early.steps[0]).toMatchObject({ status: 'COMPLETED', inferred: true });
    for (const index of [2, 0, 1, 0])
      await publish(secondEvents[index]![0], secondEvents[index]![1] as never);
    for (const story of [first, second]) {
      const answered = new Set<string>();
      await answerNext(story, answered);
      await answerNext(story, answered);
      await answerNext(story, answered);
    }
    await allApplied(runtime, [...firstEvents, ...secondEvents]);
    const c = await waitForWorkflow(
      runtime,
      first.orderId,
      (body) => body.status === 'COMPENSATED',
      'the first compensation',
    );
    const d = await waitForWorkflow(
      runtime,
      second.orderId,
      (body) => body.status === 'COMPENSATED' && !body.steps.some((s: { inferred?: boolean }) => s.inferred),
      'the second compensation',
    );
    expect(comparable(d, second)).toEqual(comparable(c, first));
    await outboxDrained(runtime);
    expect(await requestsFor(second.orderId)).toEqual(await requestsFor(first.orderId));
    expect(await requestsFor(first.orderId)).toEqual([
      'CANCEL_ORDER#1',
      'RELEASE_INVENTORY#1',
      'NOTIFY_CUSTOMER#1',
    ]);
  });

  it('never loses an update when several writers change one saga at once', async () => {
    const story = new OrderStory();
    const all: Entry[] = [
      ['OrderCreated', story.created()],
      ['InventoryReserved', story.reserved()],
      ['PaymentProcessed', story.paid()],
      ['OrderConfirmed', story.confirmed()],
      ['NotificationSent', story.notified()],
      ['DeliveryScheduled', story.scheduled()],
      ['OrderCompleted', story.completed()],
    ];
    const { engine } = runtime.components;
    await Promise.all(
      all.map(([name, event]) =>
        runtime.context.transaction((tx) =>
          engine.observe(tx as never, name, event as never, {
            causationId: event.eventId,
            traceparent: null,
          }),
        ),
      ),
    );
    const body = await waitForWorkflow(runtime, story.orderId, () => true, 'the workflow');
    expect(body.status).toBe('COMPLETED');
    expect(
      body.steps.every(
        (step: { status: string; inferred?: boolean }) => step.status === 'COMPLETED' && !step.inferred,
      ),
    ).toBe(true);
    // Created at version 1, then one compare-and-set per event: none was lost.
    expect(body.saga.version).toBe(all.length);
    const observed = await runtime.context.prisma.workflowEvent.count({
      where: {
        workflowId: body.workflowId.replace(/^wf-/, ''),
        sourceEventId: { in: all.map(([, event]) => event.eventId) },
      },
    });
    expect(observed).toBe(all.length);
  });
});

describe('a restart in the middle of a saga', () => {
  let database: TestDatabase;
  afterAll(async () => {
    await database?.dispose();
  });

  it('resumes from where it was: what arrived meanwhile is applied, nothing is requested twice', async () => {
    database = await testDatabase('saga-restart');
    const serviceName = uniqueName('coordination');
    const story = new OrderStory();
    const answered = new Set<string>();
    const first = await startObserver(database, { SERVICE_NAME: serviceName });
    try {
      await publish('OrderCreated', story.created());
      await publish('InventoryReserved', story.reserved());
      await publish('PaymentProcessed', story.paid());
      await publish('OrderConfirmed', story.confirmed());
      await publish('DeliverySchedulingFailed', story.deliveryFailed());
      await waitForWorkflow(
        first,
        story.orderId,
        (body) => body.status === 'COMPENSATING',
        'compensation to start',
      );
    } finally {
      await first.stop();
    }
    // While the coordination service is down, the order service answers the first compensation.
    expect((await answerNext(story, answered)).action).toBe('CANCEL_ORDER');

    const second = await startObserver(database, { SERVICE_NAME: serviceName }, { resume: true });
    try {
      expect((await answerNext(story, answered)).action).toBe('VOID_PAYMENT');
      expect((await answerNext(story, answered)).action).toBe('RELEASE_INVENTORY');
      expect((await answerNext(story, answered)).action).toBe('NOTIFY_CUSTOMER');
      const done = await waitForWorkflow(
        second,
        story.orderId,
        (body) => body.status === 'COMPENSATED',
        'the compensation to end',
      );
      expect(done.steps.map((step) => step.status)).toEqual([
        'COMPLETED',
        'COMPLETED',
        'COMPLETED',
        'SKIPPED',
        'FAILED',
        'SKIPPED',
      ]);
      expect(done.saga.compensationExecuted.map((entry) => `${entry.step}:${entry.status}`)).toEqual([
        'CANCEL_ORDER:COMPENSATED',
        'VOID_PAYMENT:COMPENSATED',
        'RELEASE_INVENTORY:COMPENSATED',
        'NOTIFY_CUSTOMER:COMPENSATED',
      ]);
      await outboxDrained(second);
      expect(await requestsFor(story.orderId)).toEqual([
        'CANCEL_ORDER#1',
        'VOID_PAYMENT#1',
        'RELEASE_INVENTORY#1',
        'NOTIFY_CUSTOMER#1',
      ]);
      const published = await second.context.prisma.outboxEvent.groupBy({
        by: ['eventName'],
        where: { messageKey: story.orderId },
        _count: { _all: true },
      });
      const counts = Object.fromEntries(published.map((row) => [row.eventName, row._count._all]));
      expect(counts).toMatchObject({
        WorkflowStarted: 1,
        WorkflowFailed: 1,
        WorkflowCompleted: 1,
        CompensationRequested: 4,
      });
    } finally {
      await second.stop();
    }
  });
});

describe('timeouts', () => {
  let database: TestDatabase;
  let runtime: CoordinationRuntime;
  beforeAll(async () => {
    database = await testDatabase('saga-timeouts');
    runtime = await startObserver(database, {
      WORKFLOW_TIMEOUT_INVENTORY_RESERVATION: 'PT1S',
      SAGA_COMPENSATION_TIMEOUT: 'PT1S',
      SAGA_COMPENSATION_MAX_RETRIES: '1',
    });
  });
  afterAll(async () => {
    await runtime?.stop();
    await database?.dispose();
  });

  it('a step past its timeout fails and compensation follows; an unanswered compensation is asked again, then given up', async () => {
    const story = new OrderStory();
    await publish('OrderCreated', story.created());
    const failed = await waitForWorkflow(
      runtime,
      story.orderId,
      (body) => body.status === 'CANCELLING' || body.status === 'COMPENSATING',
      'the timeout',
      20_000,
    );
    expect(failed.steps[0]).toMatchObject({
      name: 'INVENTORY_RESERVATION',
      status: 'FAILED',
      error: { code: 'STEP_TIMEOUT' },
    });
    expect(failed.saga.trigger).toMatchObject({
      kind: 'TIMEOUT',
      reason: 'STEP_TIMEOUT',
      step: 'INVENTORY_RESERVATION',
    });
    // The order service never answers CANCEL_ORDER: asked once more after PT1S, then given up.
    const notify = await events.waitFor(
      'CompensationRequested',
      (event) => event.orderId === story.orderId && event.action === 'NOTIFY_CUSTOMER',
      'the customer notice',
    );
    await publish('NotificationSent', story.notified('order-cancellation-notice', notify.eventId));
    const done = await waitForWorkflow(
      runtime,
      story.orderId,
      (body) => body.status === 'FAILED',
      'the saga to end',
    );
    expect(done.saga.state).toBe('COMPENSATION_FAILED');
    expect(done.saga.compensationSteps).toEqual([
      expect.objectContaining({
        step: 'CANCEL_ORDER',
        status: 'FAILED',
        attempts: 2,
        answer: expect.objectContaining({ event: 'NO_ANSWER' }),
      }),
      expect.objectContaining({ step: 'NOTIFY_CUSTOMER', status: 'COMPENSATED', attempts: 1 }),
    ]);
    await outboxDrained(runtime);
    expect(await requestsFor(story.orderId)).toEqual([
      'CANCEL_ORDER#1',
      'CANCEL_ORDER#2',
      'NOTIFY_CUSTOMER#1',
    ]);

    // A late answer still counts: the order was cancelled after all.
    const late = (
      await events.all(
        'CompensationRequested',
        (event) => event.orderId === story.orderId && event.action === 'CANCEL_ORDER',
      )
    )[0]!;
    const answer = story.answer(late);
    await publish(answer.name, answer.event as never);
    const recovered = await waitForWorkflow(
      runtime,
      story.orderId,
      (body) => body.status === 'COMPENSATED',
      'the late answer',
    );
    expect(recovered.saga.state).toBe('COMPENSATED');
    await waitFor(async () => (await requestsFor(story.orderId)).length === 3, {
      description: 'no further request',
    });
  });
});
