import { randomUUID } from 'node:crypto';
import type { EventMap, EventName, EventPayload } from '@fv/contracts';
import { describe, expect, it } from 'vitest';
import { observe } from '../event-facts.js';
import { reduceWorkflow, type WorkflowEffect, type WorkflowInput } from '../reduce.js';
import type { WorkflowState } from '../state.js';
import type { WorkflowTemplate } from '../template.js';
import { ALL_STEP_NAMES, workflowTemplates } from './index.js';

const [orders, returns, replenishments] = workflowTemplates({
  workflowTimeoutMs: 600_000,
  workflowTimeoutsMs: { RETURN_PROCESSING: 3_600_000, INVENTORY_REPLENISHMENT: 7_200_000 },
  inventoryReservationTimeoutMs: 60_000,
  paymentProcessingTimeoutMs: 120_000,
  retry: { maxAttempts: 3, backoffMultiplier: 2, initialIntervalMs: 1000, maxIntervalMs: 30_000 },
  compensationTimeoutMs: 300_000,
  compensationMaxRetries: 5,
}) as [WorkflowTemplate, WorkflowTemplate, WorkflowTemplate];

const orderId = '11111111-1111-4111-8111-111111111111';
const returnId = '33333333-3333-4333-8333-333333333333';
const replenishmentId = '44444444-4444-4444-8444-444444444444';
const customerId = '22222222-2222-4222-8222-222222222222';
const T0 = Date.parse('2026-01-15T10:00:00Z');

type Event = { name: EventName; event: EventMap[EventName] };

function event<N extends EventName>(name: N, at: number, payload: Partial<EventPayload<N>>): Event {
  return {
    name,
    event: {
      eventId: randomUUID(),
      occurredAt: at,
      correlationId: orderId,
      causationId: null,
      producer: 'test',
      ...payload,
    } as unknown as EventMap[N],
  };
}

const items = [{ productId: 'prod-1', quantity: 1, reason: 'DAMAGED', condition: 'DAMAGED' }];
const returnRequested = () =>
  event('ReturnRequested', T0, { returnId, orderId, customerId, items, reason: 'DAMAGED' } as never);
const returnReceived = () =>
  event('ReturnReceived', T0 + 1000, { returnId, orderId, customerId, items, warehouseId: 'wh-1' } as never);
const refunded = (at = T0 + 2000) =>
  event('PaymentRefunded', at, {
    orderId,
    paymentId: 'pay-1',
    refundId: 'ref-1',
    amount: '10.00',
    currency: 'USD',
    reason: 'RETURN_RECEIVED',
    provider: 'simulator',
    providerReference: null,
    returnId,
  });
const refundFailed = (attempt: number, retriable: boolean, at = T0 + 1500 + attempt) =>
  event('PaymentRefundFailed', at, {
    orderId,
    returnId,
    paymentId: 'pay-1',
    amount: '10.00',
    currency: 'USD',
    errorCode: 'PROVIDER_UNAVAILABLE',
    errorMessage: 'provider down',
    attempt,
    retriable,
  });
const restocked = () =>
  event('InventoryAdjusted', T0 + 2500, {
    productId: 'prod-1',
    warehouseId: 'wh-1',
    quantityChange: 1,
    previousQuantity: 4,
    newQuantity: 5,
    reason: 'RETURN',
    reference: returnId,
    adjustedBy: null,
  });
const returnNotified = (at = T0 + 3000) =>
  event('NotificationSent', at, {
    notificationId: randomUUID(),
    customerId,
    orderId,
    channel: 'EMAIL',
    templateId: 'return-refunded',
    recipient: 'jo@example.com',
    provider: 'local',
    attempt: 1,
    reference: returnId,
  });

const replenishment = { replenishmentId, productId: 'prod-1', warehouseId: 'wh-1', supplierId: 'sup-1' };
const replenishmentRequested = () =>
  event('ReplenishmentRequested', T0, { ...replenishment, quantity: 50, availableQuantity: 3, threshold: 5 });
const purchaseOrderPlaced = () =>
  event('PurchaseOrderPlaced', T0 + 1000, { ...replenishment, purchaseOrderId: 'po-1', quantity: 50 });
const purchaseOrderConfirmed = () =>
  event('PurchaseOrderConfirmed', T0 + 2000, {
    replenishmentId,
    purchaseOrderId: 'po-1',
    supplierId: 'sup-1',
    expectedAt: T0 + 86_400_000,
  });
const replenishmentCompleted = () =>
  event('ReplenishmentCompleted', T0 + 3000, {
    replenishmentId,
    purchaseOrderId: 'po-1',
    productId: 'prod-1',
    warehouseId: 'wh-1',
    receivedQuantity: 50,
    newQuantity: 53,
  });
const replenishmentFailed = () =>
  event('ReplenishmentFailed', T0 + 2000, {
    replenishmentId,
    purchaseOrderId: 'po-1',
    reason: 'SUPPLIER_REJECTED',
    reasonDetails: 'out of stock at the supplier',
  });

interface Run {
  state: WorkflowState | null;
  effects: WorkflowEffect[];
}

function apply(template: WorkflowTemplate, run: Run, input: WorkflowInput, now: number): Run {
  const result = reduceWorkflow(
    { template, now, newId: randomUUID },
    run.state,
    input,
    template.openingEvent,
  );
  return { state: result.state, effects: [...run.effects, ...result.effects] };
}

function feed(template: WorkflowTemplate, events: Event[], start: Run = { state: null, effects: [] }): Run {
  let run = start;
  for (const { name, event: e } of events) {
    const observation = observe(template, name, e);
    if (observation) run = apply(template, run, { kind: 'event', observation }, T0 + 10_000);
  }
  return run;
}

const view = (template: WorkflowTemplate, run: Run, at = T0 + 10_000) =>
  reduceWorkflow({ template, now: at, newId: randomUUID }, run.state, { kind: 'tick', at }).view;
const steps = (template: WorkflowTemplate, run: Run) =>
  Object.fromEntries(view(template, run).steps.map((step) => [step.name, step.status]));

describe('routing events to the workflows they name', () => {
  it('a return refund names the return by its returnId and the order by its orderId', () => {
    const e = refunded().event;
    expect(observe(returns, 'PaymentRefunded', e)?.key).toBe(returnId);
    expect(observe(orders, 'PaymentRefunded', e)?.key).toBe(orderId);
    expect(observe(replenishments, 'PaymentRefunded', e)).toBeNull();
  });

  it('the restock and the customer message name the return by their reference, only for returns', () => {
    expect(observe(returns, 'InventoryAdjusted', restocked().event)?.key).toBe(returnId);
    const restock = { ...restocked().event, reason: 'RESTOCK', reference: 'po-1' };
    expect(observe(returns, 'InventoryAdjusted', restock)).toBeNull();
    expect(observe(returns, 'NotificationSent', returnNotified().event)?.key).toBe(returnId);
    const confirmation = { ...returnNotified().event, templateId: 'order-confirmed' };
    expect(observe(returns, 'NotificationSent', confirmation)).toBeNull();
  });

  it('lists the steps of every type for the request schemas', () => {
    expect(ALL_STEP_NAMES).toEqual(
      expect.arrayContaining(['PAYMENT_PROCESSING', 'REFUND_PROCESSING', 'RESTOCK', 'GOODS_RECEIPT']),
    );
  });
});

describe('RETURN_PROCESSING', () => {
  it('completes once requested, received, refunded, restocked and the customer told, keeping the references', () => {
    const run = feed(returns, [
      returnRequested(),
      returnReceived(),
      refunded(),
      restocked(),
      returnNotified(),
    ]);
    const v = view(returns, run);
    expect(v.status).toBe('COMPLETED');
    expect(steps(returns, run)).toEqual({
      RETURN_REQUEST: 'COMPLETED',
      RETURN_RECEIPT: 'COMPLETED',
      REFUND_PROCESSING: 'COMPLETED',
      RESTOCK: 'COMPLETED',
      CUSTOMER_NOTIFICATION: 'COMPLETED',
    });
    expect(run.state!.references).toEqual({ returnId, orderId, customerId });
    expect(v.steps.find((step) => step.name === 'REFUND_PROCESSING')!.result).toMatchObject({
      refundId: 'ref-1',
      amount: '10.00',
    });
  });

  it('a refund attempt that fails and is retried by its owner keeps the step in progress until it succeeds', () => {
    let run = feed(returns, [
      returnRequested(),
      returnReceived(),
      refundFailed(1, true),
      refundFailed(2, true),
    ]);
    let refund = view(returns, run).steps.find((step) => step.name === 'REFUND_PROCESSING')!;
    expect(refund.status).toBe('IN_PROGRESS');
    expect(refund.attempts).toBe(3);
    expect(refund.error?.code).toBe('PROVIDER_UNAVAILABLE');
    run = feed(returns, [refunded(), restocked(), returnNotified()], run);
    refund = view(returns, run).steps.find((step) => step.name === 'REFUND_PROCESSING')!;
    expect(refund.status).toBe('COMPLETED');
    expect(view(returns, run).status).toBe('COMPLETED');
  });

  it('a refund given up is held for an operator: step FAILED, workflow open and flagged, nothing due; a retry resumes it', () => {
    let run = feed(returns, [returnRequested(), returnReceived(), restocked(), refundFailed(3, false)]);
    let v = view(returns, run, T0 + 86_400_000);
    expect(v.status).toBe('IN_PROGRESS');
    expect(steps(returns, run).REFUND_PROCESSING).toBe('FAILED');
    expect(v.nextDeadline).toBeNull();
    expect(run.state!.flags).toEqual([
      expect.objectContaining({ code: 'STEP_FAILED', step: 'REFUND_PROCESSING' }),
    ]);
    expect(run.effects.filter((effect) => effect.type === 'workflow-failed')).toEqual([]);
    expect(run.effects.filter((effect) => effect.type === 'flag-raised')).toHaveLength(1);

    const retryId = randomUUID();
    run = apply(
      returns,
      run,
      {
        kind: 'retry',
        at: T0 + 5000,
        step: 'REFUND_PROCESSING',
        reason: 'MANUAL_RETRY',
        requestedBy: 'admin',
        eventId: retryId,
      },
      T0 + 5000,
    );
    expect(run.state!.flags).toEqual([]);
    expect(steps(returns, run).REFUND_PROCESSING).toBe('IN_PROGRESS');
    expect(run.effects).toContainEqual(
      expect.objectContaining({ type: 'step-retry-requested', step: 'REFUND_PROCESSING', eventId: retryId }),
    );
    run = feed(returns, [refunded(T0 + 6000), returnNotified(T0 + 7000)], run);
    v = view(returns, run);
    expect(v.status).toBe('COMPLETED');
  });

  it('a return that never arrives fails at the workflow timeout (nothing to compensate)', () => {
    const run = feed(returns, [returnRequested()]);
    // The timeout runs from when the observer first saw the workflow (T0 + 10 s).
    const at = T0 + 10_000 + 3_600_000 + 1;
    const after = apply(returns, run, { kind: 'tick', at }, at);
    const v = view(returns, after, at);
    expect(v.status).toBe('FAILED');
    expect(v.steps.find((step) => step.name === 'RETURN_RECEIPT')!.error?.code).toBe('WORKFLOW_TIMEOUT');
    expect(after.effects.map((effect) => effect.type)).toContain('workflow-failed');
    expect(after.effects.map((effect) => effect.type)).not.toContain('compensation-requested');
  });
});

describe('INVENTORY_REPLENISHMENT', () => {
  it('completes once the goods are received', () => {
    const run = feed(replenishments, [
      replenishmentRequested(),
      purchaseOrderPlaced(),
      purchaseOrderConfirmed(),
      replenishmentCompleted(),
    ]);
    const v = view(replenishments, run);
    expect(v.status).toBe('COMPLETED');
    expect(v.steps.map((step) => step.status)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED', 'COMPLETED']);
    expect(v.steps.find((step) => step.name === 'SUPPLIER_CONFIRMATION')!.result).toEqual({
      purchaseOrderId: 'po-1',
      expectedAt: new Date(T0 + 86_400_000).toISOString(),
    });
    expect(run.state!.references).toMatchObject({ replenishmentId, purchaseOrderId: 'po-1' });
  });

  it('ReplenishmentFailed fails the step where it stands and the workflow, with the reason', () => {
    const run = feed(replenishments, [
      replenishmentRequested(),
      purchaseOrderPlaced(),
      replenishmentFailed(),
    ]);
    const v = view(replenishments, run);
    expect(v.status).toBe('FAILED');
    expect(v.steps.map((step) => [step.name, step.status])).toEqual([
      ['REPLENISHMENT_REQUEST', 'COMPLETED'],
      ['PURCHASE_ORDER', 'COMPLETED'],
      ['SUPPLIER_CONFIRMATION', 'FAILED'],
      ['GOODS_RECEIPT', 'SKIPPED'],
    ]);
    expect(run.state!.trigger).toMatchObject({ kind: 'FAILURE', reason: 'SUPPLIER_REJECTED' });
    expect(run.effects.filter((effect) => effect.type === 'workflow-finished')).toHaveLength(1);
  });
});

describe('ORDER_FULFILLMENT and OrderFailed', () => {
  const created = () =>
    event('OrderCreated', T0, {
      orderId,
      customerId,
      customerEmail: 'jo@example.com',
      items: [{ productId: 'prod-1', sku: null, quantity: 1, unitPrice: '10.00', warehouseId: 'wh-1' }],
      totalAmount: '10.00',
      currency: 'USD',
      paymentMethod: 'CREDIT_CARD',
      shippingAddress: {
        name: 'Jo',
        street: '1 Main St',
        city: 'NYC',
        state: null,
        zipCode: '10001',
        country: 'US',
        phone: null,
      },
      shippingMethod: 'STANDARD',
      options: null,
      metadata: {},
    });
  const orderFailed = (at: number) =>
    event('OrderFailed', at, {
      orderId,
      customerId,
      customerEmail: null,
      reason: 'PAYMENT_FAILED',
      reasonDetails: 'declined',
      previousStatus: 'PAYMENT_PENDING',
    });

  it('OrderFailed answers the order’s compensation of a failed payment: the order is not asked to cancel', () => {
    const reserved = event('InventoryReserved', T0 + 1000, {
      orderId,
      reservationId: 'res-1',
      items: [{ productId: 'prod-1', quantity: 1, warehouseId: 'wh-1' }],
      expiresAt: null,
    });
    const paymentFailed = event('PaymentFailed', T0 + 2000, {
      orderId,
      customerId,
      paymentId: null,
      amount: '10.00',
      currency: 'USD',
      paymentMethod: 'CREDIT_CARD',
      errorCode: 'PAYMENT_DECLINED',
      errorMessage: 'declined',
      retriable: false,
      attempt: 1,
    });
    const run = feed(orders, [created(), reserved, orderFailed(T0 + 1500), paymentFailed]);
    const v = view(orders, run);
    expect(v.actions.find((action) => action.slot === 'ORDER')).toMatchObject({
      status: 'COMPENSATED',
      answer: { event: 'OrderFailed', detail: 'PAYMENT_FAILED' },
    });
    const requested = run.effects.flatMap((effect) =>
      effect.type === 'compensation-requested' ? [effect.action.action] : [],
    );
    expect(requested).not.toContain('CANCEL_ORDER');
    expect(requested).toContain('RELEASE_INVENTORY');
  });

  it('OrderFailed alone fails the order’s workflow at its current step, with the order service’s reason', () => {
    const run = feed(orders, [created(), orderFailed(T0 + 1000)]);
    const v = view(orders, run);
    expect(v.steps.find((step) => step.name === 'INVENTORY_RESERVATION')!.status).toBe('FAILED');
    expect(run.state!.trigger).toMatchObject({ kind: 'FAILURE', reason: 'PAYMENT_FAILED' });
    expect(v.status).toBe('COMPENSATING');
    expect(v.actions.find((action) => action.slot === 'ORDER')!.status).toBe('COMPENSATED');
  });

  it('CouponRejected fails the payment step and compensates for COUPON_REJECTED; CouponApplied settles nothing', () => {
    const reserved = event('InventoryReserved', T0 + 1000, {
      orderId,
      reservationId: 'res-1',
      items: [{ productId: 'prod-1', quantity: 1, warehouseId: 'wh-1' }],
      expiresAt: null,
    });
    const applied = event('CouponApplied', T0 + 1500, {
      orderId,
      customerId,
      couponCode: 'SPRING10',
      couponId: randomUUID(),
      originalTotal: '10.00',
      discount: '1.00',
      newTotal: '9.00',
      currency: 'USD',
    });
    expect(observe(orders, 'CouponApplied', applied.event)!.steps).toEqual([]);
    const rejected = event('CouponRejected', T0 + 2000, {
      orderId,
      customerId,
      couponCode: 'SPRING10',
      reason: 'COUPON_USAGE_LIMIT_REACHED',
      message: 'SPRING10 has been used up',
      orderTotal: '10.00',
      currency: 'USD',
    });
    const run = feed(orders, [created(), reserved, applied, rejected]);
    const v = view(orders, run);
    expect(v.steps.find((step) => step.name === 'PAYMENT_PROCESSING')!.status).toBe('FAILED');
    expect(run.state!.trigger).toMatchObject({ kind: 'FAILURE', reason: 'COUPON_REJECTED' });
    const requests = (r: Run) =>
      r.effects.flatMap((effect) =>
        effect.type === 'compensation-requested'
          ? [{ action: effect.action.action, reason: effect.reason }]
          : [],
      );
    expect(requests(run).map((request) => [request.action, request.reason])).toEqual([
      ['CANCEL_ORDER', 'COUPON_REJECTED'],
    ]);
    // The order ends FAILED for the coupon; the stock is released next, and no payment is voided.
    const failed = event('OrderFailed', T0 + 3000, {
      orderId,
      customerId,
      customerEmail: null,
      reason: 'COUPON_REJECTED',
      reasonDetails: 'SPRING10 has been used up',
      previousStatus: 'PAYMENT_FAILED',
    });
    const after = feed(orders, [failed], run);
    const next = requests(after).map((action) => action.action);
    expect(next).toContain('RELEASE_INVENTORY');
    expect(next).not.toContain('VOID_PAYMENT');
  });

  it('a return’s refund never settles the payment compensation of its order', () => {
    const e = refunded().event;
    const observation = observe(orders, 'PaymentRefunded', e)!;
    expect(observation.steps).toEqual([]);
    expect(observation.answer).not.toBeNull();
    expect(observation.answer!.fields.reason).toBe('RETURN_RECEIVED');
  });
});
