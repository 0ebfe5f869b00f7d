import { randomUUID } from 'node:crypto';
import type { EventMap, EventName, EventPayload } from '@fv/contracts';
import { describe, expect, it } from 'vitest';
import { observe } from './event-facts.js';
import { reduceWorkflow, type WorkflowEffect, type WorkflowInput } from './reduce.js';
import type { ObserverClock, WorkflowState } from './state.js';
import { orderFulfillmentTemplate } from './template.js';

const template = orderFulfillmentTemplate({
  workflowTimeoutMs: 600_000,
  inventoryReservationTimeoutMs: 60_000,
  paymentProcessingTimeoutMs: 120_000,
  retry: { maxAttempts: 3, backoffMultiplier: 2, initialIntervalMs: 1000, maxIntervalMs: 30_000 },
  compensationTimeoutMs: 300_000,
  compensationMaxRetries: 5,
});

const orderId = '11111111-1111-4111-8111-111111111111';
const customerId = '22222222-2222-4222-8222-222222222222';
const T0 = Date.parse('2026-01-15T10:00:00Z');

function event<N extends EventName>(
  name: N,
  at: number,
  payload: Partial<EventPayload<N>>,
  causationId: string | null = null,
): { name: N; event: EventMap[N] } {
  return {
    name,
    event: {
      eventId: randomUUID(),
      occurredAt: at,
      correlationId: orderId,
      causationId,
      producer: 'test',
      orderId,
      ...payload,
    } as unknown as EventMap[N],
  };
}

const address = {
  name: 'Jo',
  street: '1 Main St',
  city: 'NYC',
  state: null,
  zipCode: '10001',
  country: 'US',
  phone: null,
};
const created = () =>
  event('OrderCreated', T0, {
    customerId,
    customerEmail: 'jo@example.com',
    items: [{ productId: randomUUID(), sku: null, quantity: 2, unitPrice: '10.00', warehouseId: 'wh-1' }],
    totalAmount: '20.00',
    currency: 'USD',
    paymentMethod: 'CREDIT_CARD',
    shippingAddress: address,
    shippingMethod: 'STANDARD',
    options: null,
    metadata: {},
  });
const reserved = () =>
  event('InventoryReserved', T0 + 1000, {
    reservationId: 'res-1',
    items: [{ productId: randomUUID(), quantity: 2, warehouseId: 'wh-1' }],
    expiresAt: null,
  });
const paid = () =>
  event('PaymentProcessed', T0 + 2000, {
    customerId,
    paymentId: 'pay-1',
    amount: '20.00',
    currency: 'USD',
    paymentMethod: 'CREDIT_CARD',
    status: 'AUTHORIZED',
    provider: 'simulator',
    providerReference: null,
  });
const paymentFailed = () =>
  event('PaymentFailed', T0 + 2000, {
    customerId,
    paymentId: null,
    amount: '20.00',
    currency: 'USD',
    paymentMethod: 'CREDIT_CARD',
    errorCode: 'PAYMENT_DECLINED',
    errorMessage: 'declined',
    retriable: false,
    attempt: 1,
  });
const confirmed = () =>
  event('OrderConfirmed', T0 + 2100, {
    customerId,
    customerEmail: null,
    items: [],
    totalAmount: '20.00',
    currency: 'USD',
    reservationId: 'res-1',
    paymentId: 'pay-1',
    shippingAddress: address,
    shippingMethod: 'STANDARD',
  });
const scheduled = () =>
  event('DeliveryScheduled', T0 + 3000, {
    customerId,
    shipmentId: 'ship-1',
    labelNumber: 'FV1',
    trackingId: 'SIM1',
    carrier: 'SIM',
    serviceLevel: 'STANDARD',
    shippingAddress: address,
    estimatedDeliveryAt: null,
    labelUrl: null,
  });
const completed = () =>
  event('OrderCompleted', T0 + 3500, {
    customerId,
    customerEmail: null,
    reservationId: 'res-1',
    paymentId: 'pay-1',
    shipmentId: 'ship-1',
    trackingId: 'SIM1',
    totalAmount: '20.00',
    currency: 'USD',
  });
const notified = (templateId = 'order-confirmed', causationId: string | null = null, at = T0 + 2500) =>
  event(
    'NotificationSent',
    at,
    {
      notificationId: randomUUID(),
      customerId,
      channel: 'EMAIL',
      templateId,
      recipient: 'jo@example.com',
      provider: 'local',
      attempt: 1,
    },
    causationId,
  );

interface Run {
  state: WorkflowState | null;
  effects: WorkflowEffect[];
}

function apply(run: Run, input: WorkflowInput, now: number): Run {
  const result = reduceWorkflow({ template, now, newId: randomUUID }, run.state, input, 'OrderCreated');
  return { state: result.state, effects: [...run.effects, ...result.effects] };
}

function feed(
  events: { name: EventName; event: EventMap[EventName] }[],
  now = T0 + 10_000,
  start: Run = { state: null, effects: [] },
): Run {
  let run = start;
  for (const { name, event: e } of events)
    run = apply(run, { kind: 'event', observation: observe(template, name, e)! }, now);
  return run;
}

const view = (run: Run) =>
  reduceWorkflow({ template, now: T0 + 10_000, newId: randomUUID }, run.state, {
    kind: 'tick',
    at: T0 + 10_000,
  }).view;
const requested = (run: Run) =>
  run.effects.flatMap((effect) =>
    effect.type === 'compensation-requested' ? [`${effect.action.action}#${effect.attempt}`] : [],
  );
const lastRequest = (run: Run, action: string) =>
  run.effects
    .filter((e) => e.type === 'compensation-requested' && e.action.action === action)
    .at(-1) as Extract<WorkflowEffect, { type: 'compensation-requested' }>;

function answer<N extends EventName>(
  run: Run,
  action: string,
  name: N,
  payload: Partial<EventPayload<N>>,
  at: number,
) {
  return event(name, at, payload, lastRequest(run, action).eventId);
}

describe('the order fulfilment saga', () => {
  it('follows the happy path to COMPLETED with every step, result and start time', () => {
    const run = feed([created(), reserved(), paid(), confirmed(), notified(), scheduled(), completed()]);
    const v = view(run);
    expect(v.status).toBe('COMPLETED');
    expect(v.sagaStatus).toBe('COMPLETED');
    expect(v.steps.map((s) => [s.name, s.status])).toEqual([
      ['INVENTORY_RESERVATION', 'COMPLETED'],
      ['PAYMENT_PROCESSING', 'COMPLETED'],
      ['ORDER_CONFIRMATION', 'COMPLETED'],
      ['FULFILLMENT_PREPARATION', 'COMPLETED'],
      ['SHIPPING_LABEL_CREATION', 'COMPLETED'],
      ['CUSTOMER_NOTIFICATION', 'COMPLETED'],
    ]);
    const inventory = v.steps[0]!;
    expect(inventory.result).toMatchObject({
      reservationId: 'res-1',
      itemsReserved: 2,
      warehousesUsed: ['wh-1'],
    });
    expect(inventory.startedAt).toBe(T0);
    expect(v.steps[1]!.startedAt).toBe(T0 + 1000);
    expect(v.completedAt).toBe(T0 + 3500);
    expect(requested(run)).toEqual([]);
    expect(run.effects.filter((e) => e.type === 'workflow-finished')).toHaveLength(1);
    expect(run.effects.filter((e) => e.type === 'step-settled')).toHaveLength(6);
  });

  it('compensates a payment failure by cancelling the order, releasing the stock and telling the customer, once each, in order', () => {
    let run = feed([created(), reserved(), paymentFailed()]);
    expect(view(run).status).toBe('COMPENSATING');
    expect(requested(run)).toEqual(['CANCEL_ORDER#1']);
    const failed = run.effects.find((e) => e.type === 'workflow-failed');
    expect(failed).toMatchObject({
      compensationSteps: ['CANCEL_ORDER', 'RELEASE_INVENTORY', 'NOTIFY_CUSTOMER'],
    });
    run = feed(
      [
        answer(
          run,
          'CANCEL_ORDER',
          'OrderCancelled',
          {
            customerId,
            customerEmail: null,
            reason: 'PAYMENT_FAILED',
            reasonDetails: null,
            initiatedBy: 'SYSTEM',
            previousStatus: 'PAYMENT_FAILED',
          },
          T0 + 4000,
        ),
      ],
      T0 + 9000,
      run,
    );
    expect(requested(run)).toEqual(['CANCEL_ORDER#1', 'RELEASE_INVENTORY#1']);
    run = feed(
      [
        answer(
          run,
          'RELEASE_INVENTORY',
          'InventoryReleased',
          { reservationId: 'res-1', items: [], reason: 'COMPENSATION' },
          T0 + 5000,
        ),
      ],
      T0 + 10_000,
      run,
    );
    expect(requested(run)).toEqual(['CANCEL_ORDER#1', 'RELEASE_INVENTORY#1', 'NOTIFY_CUSTOMER#1']);
    expect(lastRequest(run, 'NOTIFY_CUSTOMER').parameters).toEqual({
      customerId,
      customerEmail: 'jo@example.com',
    });
    run = feed(
      [notified('order-cancellation-notice', lastRequest(run, 'NOTIFY_CUSTOMER').eventId, T0 + 6000)],
      T0 + 10_000,
      run,
    );
    const v = view(run);
    expect(v.status).toBe('COMPENSATED');
    expect(v.sagaStatus).toBe('COMPENSATED');
    expect(v.steps.map((s) => s.status)).toEqual([
      'COMPLETED',
      'FAILED',
      'SKIPPED',
      'SKIPPED',
      'SKIPPED',
      'SKIPPED',
    ]);
    expect(v.steps[1]!.error).toMatchObject({ code: 'PAYMENT_DECLINED' });
    expect(requested(run)).toEqual(['CANCEL_ORDER#1', 'RELEASE_INVENTORY#1', 'NOTIFY_CUSTOMER#1']);
  });

  it('gives the same final state whatever order the events arrive in, and with duplicates', () => {
    const events = [created(), reserved(), paid(), confirmed(), notified(), scheduled(), completed()];
    const inOrder = view(feed(events));
    const shuffled = [
      events[6]!,
      events[3]!,
      events[3]!,
      events[0]!,
      events[5]!,
      events[1]!,
      events[4]!,
      events[2]!,
      events[6]!,
    ];
    const reordered = view(feed(shuffled));
    expect(reordered).toEqual(inOrder);

    const failing = [created(), reserved(), paymentFailed()];
    const a = feed(failing);
    const b = feed([failing[2]!, failing[0]!, failing[2]!, failing[1]!]);
    expect(view(b).steps).toEqual(view(a).steps);
    expect(requested(b)).toEqual(requested(a));
    expect(view(b).actions.map((x) => [x.action, x.status])).toEqual(
      view(a).actions.map((x) => [x.action, x.status]),
    );
  });

  it('a step past its timeout fails and compensation follows; an answer that never comes is retried with backoff, then given up', () => {
    let run = feed([created(), reserved()], T0 + 1000);
    run = apply(run, { kind: 'tick', at: T0 + 1000 + 119_999 }, T0 + 1000 + 119_999);
    expect(view(run).status).toBe('IN_PROGRESS');
    run = apply(run, { kind: 'tick', at: T0 + 1000 + 120_000 }, T0 + 1000 + 120_000);
    let v = view(run);
    expect(v.steps[1]).toMatchObject({ status: 'FAILED', error: { code: 'STEP_TIMEOUT' } });
    expect(v.status).toBe('COMPENSATING');
    expect(requested(run)).toEqual(['CANCEL_ORDER#1']);
    let now = T0 + 121_000;
    for (let i = 0; i < 70; i += 1) {
      now += 300_000;
      run = apply(run, { kind: 'tick', at: now }, now);
    }
    const times = run.state!.actions[0]!.requests.map((request) => request.at);
    expect(times.slice(1).map((at, i) => (at - times[i]!) / 60_000)).toEqual([5, 10, 20, 40, 80]);
    expect(requested(run).slice(0, 7)).toEqual([
      'CANCEL_ORDER#1',
      'CANCEL_ORDER#2',
      'CANCEL_ORDER#3',
      'CANCEL_ORDER#4',
      'CANCEL_ORDER#5',
      'CANCEL_ORDER#6',
      'RELEASE_INVENTORY#1',
    ]);
    v = reduceWorkflow({ template, now, newId: randomUUID }, run.state, { kind: 'tick', at: now }).view;
    expect(v.actions[0]).toMatchObject({
      action: 'CANCEL_ORDER',
      status: 'FAILED',
      answer: { event: 'NO_ANSWER' },
    });
  });

  it('gives a workflow discovered late (an observer catching up) its full timeout from discovery', () => {
    const late = T0 + 3_600_000;
    let run = feed([created()], late);
    const at = (now: number) =>
      reduceWorkflow({ template, now, newId: randomUUID }, run.state, { kind: 'tick', at: now }).view;
    expect(at(late).status).toBe('STARTED');
    expect(at(late + 59_999).status).toBe('STARTED');
    run = apply(run, { kind: 'tick', at: late + 60_000 }, late + 60_000);
    expect(view(run).steps[0]).toMatchObject({ status: 'FAILED', error: { code: 'STEP_TIMEOUT' } });
  });

  it('undoes a step that completes after the cancellation started (late payment)', () => {
    let run = feed([created(), reserved()]);
    run = apply(
      run,
      {
        kind: 'cancel',
        at: T0 + 1500,
        reason: 'CUSTOMER_REQUESTED',
        initiatedBy: 'CUSTOMER',
        details: null,
        force: false,
      },
      T0 + 1500,
    );
    expect(view(run).status).toBe('CANCELLING');
    expect(requested(run)).toEqual(['CANCEL_ORDER#1']);
    run = feed([paid()], T0 + 2500, run);
    run = feed(
      [
        answer(
          run,
          'CANCEL_ORDER',
          'OrderCancelled',
          {
            customerId,
            customerEmail: null,
            reason: 'CUSTOMER_REQUESTED',
            reasonDetails: null,
            initiatedBy: 'SYSTEM',
            previousStatus: 'CONFIRMED',
          },
          T0 + 2600,
        ),
      ],
      T0 + 2700,
      run,
    );
    expect(requested(run)).toEqual(['CANCEL_ORDER#1', 'VOID_PAYMENT#1']);
    expect(lastRequest(run, 'VOID_PAYMENT').parameters).toMatchObject({
      paymentId: 'pay-1',
      amount: '20.00',
    });
  });

  it('a customer notification that fails for good never compensates: the workflow completes', () => {
    const failedNotice = event('NotificationFailed', T0 + 2500, {
      notificationId: randomUUID(),
      customerId,
      channel: 'EMAIL',
      templateId: 'order-confirmed',
      recipient: null,
      errorCode: 'RECIPIENT_INVALID',
      errorMessage: 'no address',
      attempt: 0,
      retriable: false,
    });
    const run = feed([created(), reserved(), paid(), confirmed(), failedNotice, scheduled(), completed()]);
    const v = view(run);
    expect(v.status).toBe('COMPLETED');
    expect(v.steps[5]).toMatchObject({ status: 'FAILED', error: { code: 'RECIPIENT_INVALID' } });
    expect(requested(run)).toEqual([]);
  });

  it('a shipment that cannot be called back stops the compensation: the saga is COMPENSATION_FAILED, nothing after it is undone', () => {
    let run = feed([created(), reserved(), paid(), confirmed(), scheduled()]);
    run = apply(
      run,
      {
        kind: 'cancel',
        at: T0 + 4000,
        reason: 'CUSTOMER_REQUESTED',
        initiatedBy: 'ADMIN',
        details: null,
        force: true,
      },
      T0 + 4000,
    );
    run = feed(
      [
        answer(
          run,
          'CANCEL_ORDER',
          'OrderCancelled',
          {
            customerId,
            customerEmail: null,
            reason: 'CUSTOMER_REQUESTED',
            reasonDetails: null,
            initiatedBy: 'SYSTEM',
            previousStatus: 'CONFIRMED',
          },
          T0 + 4100,
        ),
      ],
      T0 + 4200,
      run,
    );
    run = feed(
      [
        answer(
          run,
          'CANCEL_SHIPMENT',
          'ShipmentCancelled',
          {
            shipmentId: 'ship-1',
            trackingId: null,
            carrier: null,
            reason: 'COMPENSATION',
            outcome: 'REJECTED_ALREADY_DISPATCHED',
          },
          T0 + 4300,
        ),
      ],
      T0 + 4400,
      run,
    );
    expect(requested(run)).toEqual(['CANCEL_ORDER#1', 'CANCEL_SHIPMENT#1']);
    const v = view(run);
    expect(v.sagaStatus).toBe('COMPENSATION_FAILED');
    expect(v.status).toBe('FAILED');
    expect(v.actions.map((a) => `${a.action}:${a.status}`)).toEqual([
      'CANCEL_ORDER:COMPENSATED',
      'CANCEL_SHIPMENT:FAILED',
      'VOID_PAYMENT:SKIPPED',
      'RELEASE_INVENTORY:SKIPPED',
      'NOTIFY_CUSTOMER:SKIPPED',
    ]);
    expect(v.actions.find((a) => a.action === 'CANCEL_SHIPMENT')).toMatchObject({
      status: 'FAILED',
      answer: { detail: 'REJECTED_ALREADY_DISPATCHED' },
    });
  });
});

function applyAt(run: Run, input: WorkflowInput, now: number, clock: ObserverClock): Run {
  const result = reduceWorkflow(
    { template, now, newId: randomUUID, clock },
    run.state,
    input,
    'OrderCreated',
  );
  return { state: result.state, effects: [...run.effects, ...result.effects] };
}

function feedAt(
  events: { name: EventName; event: EventMap[EventName] }[],
  now: number,
  clock: ObserverClock,
  start: Run,
) {
  let run = start;
  for (const { name, event: e } of events)
    run = applyAt(run, { kind: 'event', observation: observe(template, name, e)! }, now, clock);
  return run;
}

function outcome(
  run: Run,
  action: string,
  value: string,
  at: number,
  reasonCode: string | null = null,
  requestEventId = lastRequest(run, action).eventId,
) {
  return event(
    'CompensationOutcome',
    at,
    {
      sagaId: randomUUID(),
      workflowId: randomUUID(),
      action,
      attempt: 1,
      requestEventId,
      outcome: value,
      reasonCode,
      detail: reasonCode ? `${reasonCode.toLowerCase()} detail` : null,
    },
    requestEventId,
  );
}

describe('timeouts on the observer clock', () => {
  const MIN = 60_000;

  it('never fires while the observer is behind, however late the wall clock: later facts overtake the step', () => {
    // The observer saw the reservation, then was down for an hour; payment and everything after it
    // wait in the topics.
    let run = feedAt(
      [created(), reserved()],
      T0 + 1000,
      { observedUntil: T0 + 1000, liveSince: T0 },
      {
        state: null,
        effects: [],
      },
    );
    const behind = { observedUntil: null, liveSince: null };
    run = applyAt(run, { kind: 'tick', at: T0 + 60 * MIN }, T0 + 60 * MIN, behind);
    expect(view(run).steps[1]).toMatchObject({ name: 'PAYMENT_PROCESSING', status: 'IN_PROGRESS' });
    // Catching up: the wall clock is far past every timeout, the observer's clock is not.
    const catching = { observedUntil: T0 + 2000, liveSince: T0 + 2000 };
    run = feedAt([paid(), confirmed(), notified(), scheduled(), completed()], T0 + 61 * MIN, catching, run);
    const v = view(run);
    expect(v.status).toBe('COMPLETED');
    expect(requested(run)).toEqual([]);
    expect(run.effects.some((e) => e.type === 'workflow-failed')).toBe(false);
  });

  it('counts only the time the observer has been live: downtime is not a step delay', () => {
    let run = feed([created(), reserved()], T0 + 1000);
    // Live again 50 minutes later; the payment step (PT2M) began at T0+1s.
    const liveSince = T0 + 50 * MIN;
    run = applyAt(run, { kind: 'tick', at: liveSince + MIN }, liveSince + MIN, {
      observedUntil: liveSince + MIN,
      liveSince,
    });
    expect(view(run).status).toBe('IN_PROGRESS');
    expect(requested(run)).toEqual([]);
    run = applyAt(run, { kind: 'tick', at: liveSince + 2 * MIN }, liveSince + 2 * MIN, {
      observedUntil: liveSince + 2 * MIN,
      liveSince,
    });
    const v = view(run);
    expect(v.steps[1]).toMatchObject({ status: 'FAILED', error: { code: 'STEP_TIMEOUT' } });
    expect(requested(run)).toEqual(['CANCEL_ORDER#1']);
  });

  it('judges the workflow timeout on the observer clock too, and never on a completed order', () => {
    let run = feed([created(), reserved(), paid(), confirmed(), scheduled(), completed()], T0 + 4000);
    // The notification is still open; far past PT10M on both clocks.
    run = applyAt(run, { kind: 'tick', at: T0 + 60 * MIN }, T0 + 60 * MIN, {
      observedUntil: T0 + 60 * MIN,
      liveSince: T0,
    });
    expect(requested(run)).toEqual([]);
    expect(view(run).sagaStatus).not.toBe('COMPENSATING');
  });
});

describe('a failure observed after the order completed', () => {
  it('is flagged for an operator and never compensated', () => {
    // OrderCompleted seen, the confirmation notice still open: a late PaymentFailed arrives.
    let run = feed([created(), reserved(), paid(), confirmed(), scheduled(), completed()]);
    run = feed([paymentFailed()], T0 + 20_000, run);
    run = feed([notified()], T0 + 21_000, run);
    const v = view(run);
    expect(v.status).toBe('COMPLETED');
    expect(v.sagaStatus).toBe('COMPLETED');
    expect(requested(run)).toEqual([]);
    expect(run.state!.flags).toEqual([
      expect.objectContaining({
        code: 'FAILURE_AFTER_COMPLETION',
        step: 'PAYMENT_PROCESSING',
        source: 'PaymentFailed',
      }),
    ]);
    expect(run.effects.filter((e) => e.type === 'flag-raised')).toHaveLength(1);
  });
});

describe('CompensationOutcome', () => {
  const failedPayment = () => feed([created(), reserved(), paymentFailed()], T0 + 3000);

  it('DONE, ALREADY_DONE and NOT_APPLICABLE satisfy their request; the saga ends COMPENSATED', () => {
    let run = failedPayment();
    expect(requested(run)).toEqual(['CANCEL_ORDER#1']);
    run = feed([outcome(run, 'CANCEL_ORDER', 'DONE', T0 + 3100)], T0 + 3200, run);
    expect(requested(run)).toEqual(['CANCEL_ORDER#1', 'RELEASE_INVENTORY#1']);
    run = feed([outcome(run, 'RELEASE_INVENTORY', 'ALREADY_DONE', T0 + 3300)], T0 + 3400, run);
    run = feed(
      [outcome(run, 'NOTIFY_CUSTOMER', 'NOT_APPLICABLE', T0 + 3500, 'NO_RECIPIENT')],
      T0 + 3600,
      run,
    );
    const v = view(run);
    expect(v.sagaStatus).toBe('COMPENSATED');
    expect(v.status).toBe('COMPENSATED');
    expect(v.actions.map((a) => `${a.action}:${a.status}:${a.answer?.detail}`)).toEqual([
      'CANCEL_ORDER:COMPENSATED:DONE',
      'RELEASE_INVENTORY:COMPENSATED:ALREADY_DONE',
      'NOTIFY_CUSTOMER:COMPENSATED:NOT_APPLICABLE NO_RECIPIENT: no_recipient detail',
    ]);
  });

  it('REJECTED ends the saga COMPENSATION_FAILED with the reason, and nothing after it is asked', () => {
    let run = failedPayment();
    run = feed([outcome(run, 'CANCEL_ORDER', 'REJECTED', T0 + 3100, 'INVALID_ORDER_STATE')], T0 + 3200, run);
    const v = view(run);
    expect(v.sagaStatus).toBe('COMPENSATION_FAILED');
    expect(v.status).toBe('FAILED');
    expect(v.actions[0]).toMatchObject({
      action: 'CANCEL_ORDER',
      status: 'FAILED',
      answer: {
        event: 'CompensationOutcome',
        detail: 'REJECTED INVALID_ORDER_STATE: invalid_order_state detail',
      },
    });
    expect(v.actions.slice(1).map((a) => a.status)).toEqual(['SKIPPED', 'SKIPPED']);
    expect(requested(run)).toEqual(['CANCEL_ORDER#1']);
    expect(v.nextDeadline).toBeNull();
  });

  it('an outcome stops the re-sends; an outcome of no request of ours answers nothing', () => {
    let run = failedPayment();
    run = apply(run, { kind: 'tick', at: T0 + 3000 + 300_000 }, T0 + 3000 + 300_000);
    expect(requested(run)).toEqual(['CANCEL_ORDER#1', 'CANCEL_ORDER#2']);
    run = feed([outcome(run, 'CANCEL_ORDER', 'DONE', T0 + 400_000, null, randomUUID())], T0 + 400_000, run);
    expect(view(run).actions[0]!.status).toBe('IN_PROGRESS');
    // The answer to the first attempt still counts.
    const first = run.state!.actions[0]!.requests[0]!.eventId;
    run = feed([outcome(run, 'CANCEL_ORDER', 'ALREADY_DONE', T0 + 500_000, null, first)], T0 + 500_000, run);
    expect(view(run).actions[0]!.status).toBe('COMPENSATED');
    for (let now = T0 + 600_000; now < T0 + 100 * 300_000; now += 300_000)
      run = apply(run, { kind: 'tick', at: now }, now);
    expect(requested(run).filter((r) => r.startsWith('CANCEL_ORDER'))).toEqual([
      'CANCEL_ORDER#1',
      'CANCEL_ORDER#2',
    ]);
  });

  it('closes a workflow opened for an order nobody knows, flagged ORDER_NOT_FOUND', () => {
    // No OrderCreated: a failure opened the workflow.
    const failure = event('InventoryReservationFailed', T0, {
      reason: 'PRODUCT_NOT_FOUND',
      message: 'no such product',
      unavailableItems: [],
    });
    let run = feed([failure], T0 + 1000);
    expect(requested(run)).toEqual(['CANCEL_ORDER#1']);
    run = feed(
      [outcome(run, 'CANCEL_ORDER', 'NOT_APPLICABLE', T0 + 2000, 'ORDER_NOT_FOUND')],
      T0 + 2000,
      run,
    );
    run = feed(
      [outcome(run, 'NOTIFY_CUSTOMER', 'NOT_APPLICABLE', T0 + 3000, 'NO_RECIPIENT')],
      T0 + 3000,
      run,
    );
    const v = view(run);
    expect(v.sagaStatus).toBe('COMPENSATED');
    expect(v.nextDeadline).toBeNull();
    expect(run.state!.flags).toEqual([expect.objectContaining({ code: 'ORDER_NOT_FOUND' })]);
  });
});
