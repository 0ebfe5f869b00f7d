import { randomUUID } from 'node:crypto';
import { dlqTopicOf, topicOf } from '@fv/contracts';
import { waitFor } from '@fv/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compensation,
  complete,
  confirm,
  deliveryOf,
  listProducts,
  orderOf,
  paidBy,
  type Product,
  publishRepeatedly,
  requestCompensation,
  reservationOf,
  reserve,
  ship,
  submitOrder,
} from './fixtures.js';
import { bearer, startOrders, type OrdersHarness } from './harness.js';

let h: OrdersHarness;
let lamp: Product;
let desk: Product;
const admin = bearer('operator-1', ['admin']);

beforeAll(async () => {
  h = await startOrders('saga');
  const products = await listProducts(h, [{ price: '599.99' }, { price: '299.99' }]);
  lamp = products[0]!;
  desk = products[1]!;
});
afterAll(async () => {
  await h?.stop();
});

/** Two lamps and a desk (1499.97 USD), paid by the card of `token`. */
function placeOrder(token = 'tok_visa_4242') {
  return submitOrder(
    h,
    [
      { product: lamp, quantity: 2 },
      { product: desk, quantity: 1 },
    ],
    paidBy(token),
  );
}

describe('payment on InventoryReserved', () => {
  it('authorizes the payment, then publishes PaymentProcessed and OrderConfirmed', async () => {
    const order = await placeOrder();
    const reserved = await reserve(h, order);

    const processed = await h.receivedFor('PaymentProcessed', order.orderId);
    expect(processed).toMatchObject({
      correlationId: order.orderId,
      causationId: reserved.eventId,
      customerId: order.customerId,
      amount: '1499.97',
      currency: 'USD',
      paymentMethod: 'CREDIT_CARD',
      status: 'AUTHORIZED',
      provider: 'payment-provider',
    });
    const confirmed = await h.receivedFor('OrderConfirmed', order.orderId);
    expect(confirmed).toMatchObject({
      causationId: processed.eventId,
      reservationId: reserved.reservationId,
      paymentId: processed.paymentId,
      totalAmount: '1499.97',
      items: [
        { productId: lamp.productId, quantity: 2, unitPrice: '599.99' },
        { productId: desk.productId, quantity: 1, unitPrice: '299.99' },
      ],
      shippingMethod: 'STANDARD',
    });

    const view = await orderOf(h, order.orderId);
    expect(view).toMatchObject({
      status: 'CONFIRMED',
      reservationId: reserved.reservationId,
      payment: {
        paymentId: processed.paymentId,
        status: 'AUTHORIZED',
        amount: '1499.97',
        refundedAmount: '0.00',
      },
    });
    expect(view.history.map((change: { to: string }) => change.to)).toEqual(['PENDING', 'CONFIRMED']);
    expect(await h.provider.authorizationsFor(order.orderId)).toHaveLength(1);
  });

  it('publishes PaymentFailed with PAYMENT_DECLINED for a declined card, without retrying it', async () => {
    const order = await placeOrder('tok_decline');
    await reserve(h, order);
    const failed = await h.receivedFor('PaymentFailed', order.orderId);
    expect(failed).toMatchObject({
      errorCode: 'PAYMENT_DECLINED',
      retriable: false,
      attempt: 1,
      amount: '1499.97',
      currency: 'USD',
    });
    const view = await orderOf(h, order.orderId);
    expect(view).toMatchObject({
      status: 'PAYMENT_FAILED',
      failure: { code: 'PAYMENT_DECLINED' },
      payment: { status: 'FAILED', failureCode: 'PAYMENT_DECLINED' },
    });
    expect(await h.committed('OrderConfirmed', order.orderId)).toEqual([]);
    // A decline is final: it was recorded after one call, and no authorization exists.
    expect(await h.provider.authorizationsFor(order.orderId)).toHaveLength(0);
    const attempts = await h.prisma.paymentAttempt.findMany({ where: { orderId: order.orderId } });
    expect(attempts).toMatchObject([
      { operation: 'AUTHORIZE', status: 'FAILED', calls: 1, failureCode: 'PAYMENT_DECLINED' },
    ]);
  });

  it('retries a provider that fails once, and reports one that never answers as PROVIDER_TIMEOUT once its patience is spent', async () => {
    const flaky = await placeOrder('tok_transient_once');
    await reserve(h, flaky);
    await h.receivedFor('OrderConfirmed', flaky.orderId, 'OrderConfirmed after a retry');
    expect(await h.provider.authorizationsFor(flaky.orderId)).toHaveLength(1);

    const hanging = await placeOrder('tok_timeout');
    await reserve(h, hanging);
    const failed = await h.receivedFor('PaymentFailed', hanging.orderId, 'PaymentFailed after timeouts');
    expect(failed).toMatchObject({ errorCode: 'PROVIDER_TIMEOUT', retriable: true });
    // Not after one round of the gateway's retries (4 calls): the sweeper tried again while patient.
    expect(failed.attempt).toBeGreaterThan(4);
  });

  it('keeps an authorization waiting while the provider is down, then fails it once with PROVIDER_UNAVAILABLE after the patience window', async () => {
    const order = await placeOrder();
    await h.provider.stop();
    try {
      const reserved = await reserve(h, order);
      const failed = await h.receivedFor(
        'PaymentFailed',
        order.orderId,
        'PaymentFailed once the patience is spent',
      );
      expect(failed).toMatchObject({ errorCode: 'PROVIDER_UNAVAILABLE', retriable: true });
      // Retried past the gateway's own round of 4 calls, by the sweeper, before giving up.
      expect(failed.attempt).toBeGreaterThan(4);
      const attempt = await h.prisma.paymentAttempt.findUniqueOrThrow({
        where: { idempotencyKey: `order-${order.orderId}-authorize` },
      });
      expect(attempt).toMatchObject({ status: 'FAILED', failureCode: 'PROVIDER_UNAVAILABLE' });
      expect(attempt.appliedAt).not.toBeNull();
      expect(h.deadLetters.messages.filter((m) => m.headers['event-id'] === reserved.eventId)).toEqual([]);
    } finally {
      await h.provider.start();
    }
    // Once failed, the order stays failed: nothing is authorized when the provider is back.
    const again = await reserve(h, order);
    await h.consumed(again.eventId);
    expect(await h.committed('PaymentFailed', order.orderId)).toHaveLength(1);
    expect(await h.provider.authorizationsFor(order.orderId)).toHaveLength(0);
    expect(await orderOf(h, order.orderId)).toMatchObject({
      status: 'PAYMENT_FAILED',
      payment: { status: 'FAILED', failureCode: 'PROVIDER_UNAVAILABLE' },
    });
  });

  it('fails tok_unavailable (every call 503) with PaymentFailed once the patience window is spent', async () => {
    const order = await placeOrder('tok_unavailable');
    await reserve(h, order);
    const failed = await h.receivedFor('PaymentFailed', order.orderId);
    expect(failed).toMatchObject({ errorCode: 'PROVIDER_UNAVAILABLE', retriable: true });
    expect(failed.attempt).toBeGreaterThan(4);
    expect(await h.committed('PaymentFailed', order.orderId)).toHaveLength(1);
  });

  it('charges once when the same reservation arrives twice, or a second reservation arrives for a paid order', async () => {
    const order = await placeOrder();
    await publishRepeatedly(h, 'InventoryReserved', reservationOf(order), {
      correlationId: order.orderId,
      producer: 'inventory',
    });
    // The redelivered event id was recognised and skipped before the later event was handled.
    expect(h.runtime.consumers[0]!.stats().duplicates).toBeGreaterThanOrEqual(1);

    expect(await h.provider.authorizationsFor(order.orderId)).toHaveLength(1);
    expect(await h.committed('PaymentProcessed', order.orderId)).toHaveLength(1);
    expect(await h.committed('OrderConfirmed', order.orderId)).toHaveLength(1);
    expect((await orderOf(h, order.orderId)).status).toBe('CONFIRMED');
  });

  it('dead-letters a reservation without an id instead of confirming the order on it', async () => {
    const order = await placeOrder();
    const blank = await h.publish(
      'InventoryReserved',
      { ...reservationOf(order), reservationId: '' },
      { correlationId: order.orderId, producer: 'inventory' },
    );
    const dead = await h.deadLetters.waitFor((message) => message.headers['event-id'] === blank.eventId, {
      description: 'the reservation without an id in the DLQ',
    });
    expect(dead.headers['dlq-error-code']).toBe('RESERVATION_MISMATCH');
    expect((await orderOf(h, order.orderId)).status).not.toBe('CONFIRMED');
  });

  it('sends a reservation for an unknown order or with other lines to the dead-letter topic; the latter fails the payment step', async () => {
    const unknown = await h.publish(
      'InventoryReserved',
      reservationOf({ orderId: randomUUID(), items: [{ productId: lamp.productId, quantity: 1 }] }),
      {
        correlationId: randomUUID(),
        producer: 'inventory',
      },
    );
    const dead = await h.deadLetters.waitFor((message) => message.headers['event-id'] === unknown.eventId, {
      description: 'the unknown order in the DLQ',
    });
    expect(dead.headers['dlq-error-code']).toBe('ORDER_NOT_FOUND');
    expect(dead.topic).toBe(dlqTopicOf(topicOf('InventoryReserved')));

    const order = await placeOrder();
    const wrong = await h.publish(
      'InventoryReserved',
      reservationOf({ orderId: order.orderId, items: [{ productId: lamp.productId, quantity: 1 }] }),
      {
        correlationId: order.orderId,
        producer: 'inventory',
      },
    );
    const mismatch = await h.deadLetters.waitFor((message) => message.headers['event-id'] === wrong.eventId, {
      description: 'the mismatched reservation in the DLQ',
    });
    expect(mismatch.headers['dlq-error-code']).toBe('RESERVATION_MISMATCH');
    // The dead-letter hook answers the payment step, so the saga compensates instead of waiting.
    const failed = await h.receivedFor(
      'PaymentFailed',
      order.orderId,
      'PaymentFailed for the dead-lettered reservation',
    );
    expect(failed).toMatchObject({
      causationId: wrong.eventId,
      errorCode: 'PROCESSING_FAILED',
      retriable: false,
      amount: '1499.97',
    });
    expect(failed.errorMessage).toContain('RESERVATION_MISMATCH');
    expect(await orderOf(h, order.orderId)).toMatchObject({
      status: 'PAYMENT_FAILED',
      failure: { code: 'PROCESSING_FAILED' },
      payment: { status: 'FAILED', failureCode: 'PROCESSING_FAILED' },
    });
    // Nothing was charged or confirmed, and the unknown order got no answer.
    expect(await h.committed('OrderConfirmed', order.orderId)).toEqual([]);
    expect(await h.provider.authorizationsFor(order.orderId)).toHaveLength(0);
    expect(await h.committed('PaymentFailed', unknown.orderId)).toEqual([]);
  });
});

describe('after payment', () => {
  it('completes the order on DeliveryScheduled: captures the payment and publishes OrderCompleted', async () => {
    const order = await placeOrder();
    const reserved = await confirm(h, order);
    const delivery = deliveryOf(order);
    const scheduled = await h.publish('DeliveryScheduled', delivery, {
      correlationId: order.orderId,
      producer: 'delivery',
    });
    const completed = await h.receivedFor('OrderCompleted', order.orderId);
    const view = await orderOf(h, order.orderId);
    expect(completed).toMatchObject({
      causationId: scheduled.eventId,
      customerId: order.customerId,
      reservationId: reserved.reservationId,
      paymentId: view.payment.paymentId,
      shipmentId: delivery.shipmentId,
      trackingId: delivery.trackingId,
      totalAmount: '1499.97',
      currency: 'USD',
    });
    expect(view).toMatchObject({
      status: 'COMPLETED',
      payment: { status: 'CAPTURED' },
      shipment: { shipmentId: delivery.shipmentId, carrier: 'SIMULATED' },
    });
    expect(view.completedAt).not.toBeNull();

    const again = await h.publish('DeliveryScheduled', delivery, {
      correlationId: order.orderId,
      producer: 'delivery',
    });
    await h.consumed(again.eventId);
    expect(await h.committed('OrderCompleted', order.orderId)).toHaveLength(1);
    const [held] = await h.provider.authorizationsFor(order.orderId);
    expect(held!.operations.filter((op) => op.object === 'capture')).toHaveLength(1);
  });

  it('never gives a capture up: past the patience window it waits on, counted in payment_captures_waiting', async () => {
    const order = await placeOrder();
    await confirm(h, order);
    const waitingGauge = async () => {
      const metrics = await h.runtime.app.inject({ url: '/metrics' });
      const value = /^payment_captures_waiting(?:\{[^}]*\})? (\S+)$/m.exec(metrics.body)?.[1];
      return value === undefined ? null : Number(value);
    };
    expect(await waitingGauge()).toBe(0);
    await h.provider.stop();
    let scheduled: { eventId: string } | undefined;
    try {
      scheduled = await ship(h, order);
      await h.consumed(scheduled.eventId);
      await waitFor(async () => (await waitingGauge()) === 1, {
        description: 'payment_captures_waiting to count the capture past its patience',
      });
      expect(await orderOf(h, order.orderId)).toMatchObject({
        status: 'CONFIRMED',
        payment: { status: 'AUTHORIZED' },
      });
      expect(await h.committed('PaymentFailed', order.orderId)).toEqual([]);
    } finally {
      await h.provider.start();
    }
    await h.receivedFor('OrderCompleted', order.orderId, 'OrderCompleted once the provider is back');
    expect(await orderOf(h, order.orderId)).toMatchObject({
      status: 'COMPLETED',
      payment: { status: 'CAPTURED' },
    });
    expect(await waitingGauge()).toBe(0);
    const [held] = await h.provider.authorizationsFor(order.orderId);
    expect(held!.operations.filter((op) => op.object === 'capture')).toHaveLength(1);
    expect(h.deadLetters.messages.filter((m) => m.headers['event-id'] === scheduled!.eventId)).toEqual([]);
  });

  it('records saga failures on the order without compensating by itself', async () => {
    const short = await placeOrder();
    const failure = await h.publish(
      'InventoryReservationFailed',
      {
        orderId: short.orderId,
        reason: 'INSUFFICIENT_STOCK',
        message: 'not enough stock',
        unavailableItems: [{ productId: lamp.productId, requestedQuantity: 2, availableQuantity: 1 }],
      },
      { correlationId: short.orderId, producer: 'inventory' },
    );
    await h.consumed(failure.eventId);
    const view = await orderOf(h, short.orderId);
    expect(view).toMatchObject({ status: 'INVENTORY_FAILED', failure: { code: 'INSUFFICIENT_STOCK' } });
    expect(view.failure.message).toContain(lamp.productId);
    expect(await h.committed('OrderCancelled', short.orderId)).toEqual([]);

    const paid = await placeOrder();
    await confirm(h, paid);
    const undeliverable = await h.publish(
      'DeliverySchedulingFailed',
      {
        orderId: paid.orderId,
        shipmentId: null,
        carrier: 'SIMULATED',
        errorCode: 'ADDRESS_INVALID',
        errorMessage: 'no such street',
        retriable: false,
      },
      { correlationId: paid.orderId, producer: 'delivery' },
    );
    await h.consumed(undeliverable.eventId);
    const paidView = await orderOf(h, paid.orderId);
    expect(paidView).toMatchObject({
      status: 'DELIVERY_FAILED',
      failure: { code: 'ADDRESS_INVALID' },
      payment: { status: 'AUTHORIZED' },
    });
    expect(await h.committed('PaymentVoided', paid.orderId)).toEqual([]);
  });
});

describe('compensation requested by the coordination service', () => {
  it('VOID_PAYMENT voids the authorization and answers PaymentVoided once, however often it is delivered', async () => {
    const order = await placeOrder();
    await confirm(h, order);
    const request = compensation(order.orderId, 'VOID_PAYMENT');
    const first = await requestCompensation(h, request);
    await h.publish('CompensationRequested', request, {
      correlationId: order.orderId,
      producer: 'platform-coordination',
      eventId: first.eventId,
    });
    const retry = await requestCompensation(h, { ...request, attempt: 2 });

    const voided = await h.receivedFor('PaymentVoided', order.orderId);
    const view = await orderOf(h, order.orderId);
    expect(voided).toMatchObject({
      causationId: first.eventId,
      paymentId: view.payment.paymentId,
      amount: '1499.97',
      currency: 'USD',
      reason: 'COMPENSATION',
      provider: 'payment-provider',
    });
    await h.consumed(retry.eventId);
    expect(await h.committed('PaymentVoided', order.orderId)).toHaveLength(1);
    const [held] = await h.provider.authorizationsFor(order.orderId);
    expect(held!.operations.filter((op) => op.object === 'void')).toHaveLength(1);
    expect(view.payment.status).toBe('VOIDED');
    // Compensating the payment is not cancelling the order: that is a separate action.
    expect(view.status).toBe('CONFIRMED');
  });

  it('CANCEL_ORDER for a declined payment ends the order FAILED with OrderFailed (reason PAYMENT_FAILED), once', async () => {
    const order = await placeOrder('tok_decline');
    await reserve(h, order);
    await h.receivedFor('PaymentFailed', order.orderId);

    const release = await requestCompensation(h, compensation(order.orderId, 'RELEASE_INVENTORY'));
    await h.consumed(release.eventId);
    expect((await orderOf(h, order.orderId)).status).toBe('PAYMENT_FAILED');

    const stop = compensation(order.orderId, 'CANCEL_ORDER', 'PAYMENT_FAILED');
    const first = await requestCompensation(h, stop);
    const failed = await h.receivedFor('OrderFailed', order.orderId);
    expect(failed).toMatchObject({
      causationId: first.eventId,
      correlationId: order.orderId,
      customerId: order.customerId,
      reason: 'PAYMENT_FAILED',
      previousStatus: 'PAYMENT_FAILED',
    });
    expect(failed.reasonDetails).toBeTruthy();
    const answer = await h.received(
      'CompensationOutcome',
      (e) => e.requestEventId === first.eventId,
      'the answer to CANCEL_ORDER',
    );
    expect(answer).toMatchObject({ action: 'CANCEL_ORDER', outcome: 'DONE' });

    const again = await requestCompensation(h, { ...stop, attempt: 2 });
    await h.consumed(again.eventId);
    expect(await h.committed('OrderFailed', order.orderId)).toHaveLength(1);
    expect(await h.committed('OrderCancelled', order.orderId)).toEqual([]);
    const view = await orderOf(h, order.orderId);
    expect(view).toMatchObject({
      status: 'FAILED',
      failure: { reason: 'PAYMENT_FAILED', code: 'PAYMENT_DECLINED' },
      cancellation: null,
    });
    expect(view.history.at(-1)).toMatchObject({ from: 'PAYMENT_FAILED', to: 'FAILED' });
    const metrics = await h.runtime.app.inject({ url: '/metrics' });
    const failedOrders = /^orders_failed\{[^}]*reason="PAYMENT_FAILED"[^}]*\} (\S+)$/m.exec(
      metrics.body,
    )?.[1];
    expect(Number(failedOrders)).toBeGreaterThanOrEqual(1);

    const status = await h.runtime.app.inject({
      url: `/api/v1/orders/${order.orderId}/status`,
      headers: { authorization: bearer(order.customerId, ['customer']) },
    });
    expect(status.statusCode).toBe(200);
    expect(status.json()).toMatchObject({
      orderId: order.orderId,
      status: 'FAILED',
      final: true,
      failure: { reason: 'PAYMENT_FAILED', code: 'PAYMENT_DECLINED' },
      saga: { steps: [{ step: 'INVENTORY_RESERVED' }, { step: 'PAYMENT_FAILED' }], waitingFor: null },
    });
    expect(status.json().statusHistory.map((change: { status: string }) => change.status)).toEqual([
      'PENDING',
      'PAYMENT_FAILED',
      'FAILED',
    ]);
  });

  it('CANCEL_ORDER for a customer cancellation ends the order CANCELLED with OrderCancelled, not FAILED', async () => {
    const order = await placeOrder();
    await confirm(h, order);
    const stop = await requestCompensation(
      h,
      compensation(order.orderId, 'CANCEL_ORDER', 'CUSTOMER_REQUESTED'),
    );
    const cancelled = await h.receivedFor('OrderCancelled', order.orderId);
    expect(cancelled).toMatchObject({
      causationId: stop.eventId,
      reason: 'CUSTOMER_REQUESTED',
      initiatedBy: 'SYSTEM',
      previousStatus: 'CONFIRMED',
    });
    expect(await h.committed('OrderFailed', order.orderId)).toEqual([]);
    expect(await orderOf(h, order.orderId)).toMatchObject({
      status: 'CANCELLED',
      failure: null,
      cancellation: { reason: 'CUSTOMER_REQUESTED', initiatedBy: 'SYSTEM' },
    });
  });

  it('REFUND_PAYMENT refunds a captured payment: PaymentRefunded and OrderRefunded, once', async () => {
    const order = await placeOrder();
    await confirm(h, order);
    await complete(h, order);

    const request = compensation(order.orderId, 'REFUND_PAYMENT', 'MANUAL_INTERVENTION');
    await requestCompensation(h, request);
    const refunded = await h.receivedFor('PaymentRefunded', order.orderId);
    expect(refunded).toMatchObject({ amount: '1499.97', currency: 'USD', reason: 'COMPENSATION' });
    const orderRefunded = await h.receivedFor('OrderRefunded', order.orderId);
    expect(orderRefunded).toMatchObject({
      refundId: refunded.refundId,
      amount: '1499.97',
      fullRefund: true,
      customerId: order.customerId,
    });

    const again = await requestCompensation(h, { ...request, attempt: 2 });
    await h.consumed(again.eventId);
    expect(await h.committed('PaymentRefunded', order.orderId)).toHaveLength(1);
    expect(await orderOf(h, order.orderId)).toMatchObject({
      status: 'REFUNDED',
      payment: { status: 'REFUNDED', refundedAmount: '1499.97' },
    });
  });

  it('a CANCEL_ORDER for a shipped order is answered REJECTED (INVALID_ORDER_STATE), not dead-lettered', async () => {
    const order = await placeOrder();
    await confirm(h, order);
    await complete(h, order);
    const cancel = await requestCompensation(h, compensation(order.orderId, 'CANCEL_ORDER'));
    const answer = await h.received(
      'CompensationOutcome',
      (e) => e.requestEventId === cancel.eventId,
      'the answer to the impossible cancellation',
    );
    expect(answer).toMatchObject({
      orderId: order.orderId,
      action: 'CANCEL_ORDER',
      outcome: 'REJECTED',
      reasonCode: 'INVALID_ORDER_STATE',
      causationId: cancel.eventId,
    });
    expect((await orderOf(h, order.orderId)).status).toBe('COMPLETED');
    expect(await h.committed('OrderCancelled', order.orderId)).toEqual([]);
    expect(
      h.deadLetters.messages.filter((message) => message.headers['event-id'] === cancel.eventId),
    ).toEqual([]);
  });
});

describe('cancel and refund requests', () => {
  it('a customer cancels a confirmed order: the payment is voided and OrderCancelled published', async () => {
    const order = await placeOrder();
    await confirm(h, order);
    const owner = bearer(order.customerId, ['customer']);
    const stranger = await h.runtime.app.inject({
      method: 'POST',
      url: `/api/v1/orders/${order.orderId}/cancel`,
      headers: { authorization: bearer(randomUUID(), ['customer']) },
      payload: {},
    });
    expect(stranger.statusCode).toBe(404);

    const response = await h.runtime.app.inject({
      method: 'POST',
      url: `/api/v1/orders/ord-${order.orderId}/cancel`,
      headers: { authorization: owner },
      payload: { reasonDetails: 'changed my mind' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      status: 'CANCELLED',
      payment: { status: 'VOIDED' },
      cancellation: { reason: 'CUSTOMER_REQUESTED', initiatedBy: 'CUSTOMER' },
    });
    const cancelled = await h.receivedFor('OrderCancelled', order.orderId);
    expect(cancelled).toMatchObject({
      reason: 'CUSTOMER_REQUESTED',
      reasonDetails: 'changed my mind',
      initiatedBy: 'CUSTOMER',
      previousStatus: 'CONFIRMED',
    });
    expect(await h.receivedFor('PaymentVoided', order.orderId)).toMatchObject({ reason: 'ORDER_CANCELLED' });

    const twice = await h.runtime.app.inject({
      method: 'POST',
      url: `/api/v1/orders/${order.orderId}/cancel`,
      headers: { authorization: owner },
    });
    expect(twice.statusCode).toBe(200);
    expect(await h.committed('OrderCancelled', order.orderId)).toHaveLength(1);

    // A reservation arriving after the cancellation takes no payment.
    const late = await reserve(h, order);
    await h.consumed(late.eventId);
    expect(await h.provider.authorizationsFor(order.orderId)).toHaveLength(1);
    expect((await orderOf(h, order.orderId)).status).toBe('CANCELLED');
  });

  it('refunds a completed order in parts, refuses more than was paid, and cannot cancel it', async () => {
    const order = await placeOrder();
    await confirm(h, order);
    await complete(h, order);
    const refund = (payload: object, auth = admin, key?: string) =>
      h.runtime.app.inject({
        method: 'POST',
        url: `/api/v1/orders/${order.orderId}/refund`,
        headers: { authorization: auth, ...(key ? { 'x-idempotency-key': key } : {}) },
        payload,
      });

    const cancel = await h.runtime.app.inject({
      method: 'POST',
      url: `/api/v1/orders/${order.orderId}/cancel`,
      headers: { authorization: admin },
      payload: {},
    });
    expect(cancel.statusCode).toBe(409);
    expect(cancel.json().error.details).toMatchObject({ reason: 'INVALID_ORDER_STATE', status: 'COMPLETED' });

    expect((await refund({ amount: '100.00' }, bearer(order.customerId, ['customer']))).statusCode).toBe(403);
    expect((await refund({ amount: '0' })).statusCode).toBe(400);
    expect((await refund({ amount: '1.001' })).json().error.details.fields[0]).toMatchObject({
      field: 'body.amount',
      rule: 'scale',
    });

    const key = `refund-${randomUUID()}`;
    const partial = await refund({ amount: '499.97', reason: 'GOODWILL' }, admin, key);
    expect(partial.statusCode).toBe(200);
    expect(partial.json()).toMatchObject({
      status: 'PARTIALLY_REFUNDED',
      payment: { status: 'PARTIALLY_REFUNDED', refundedAmount: '499.97' },
    });
    const replay = await refund({ amount: '499.97', reason: 'GOODWILL' }, admin, key);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json()).toEqual(partial.json());

    const tooMuch = await refund({ amount: '1000.01' });
    expect(tooMuch.statusCode).toBe(422);
    expect(tooMuch.json().error.details).toMatchObject({
      field: 'body.amount',
      reason: 'REFUND_EXCEEDS_PAYMENT',
      refundable: '1000.00',
      given: '1000.01',
    });

    const rest = await refund({});
    expect(rest.statusCode).toBe(200);
    expect(rest.json()).toMatchObject({
      status: 'REFUNDED',
      payment: { status: 'REFUNDED', refundedAmount: '1499.97' },
    });
    expect(rest.json().refunds.map((r: { amount: string }) => r.amount)).toEqual(['499.97', '1000.00']);

    const events = await h.committed('OrderRefunded', order.orderId);
    expect(events.map((e) => [e.amount, e.fullRefund, e.reason])).toEqual([
      ['499.97', false, 'GOODWILL'],
      ['1000.00', true, 'CUSTOMER_REQUESTED'],
    ]);
    expect((await refund({})).statusCode).toBe(409);
  });

  it('refuses to refund an order whose payment was never captured', async () => {
    const order = await placeOrder();
    await confirm(h, order);
    const response = await h.runtime.app.inject({
      method: 'POST',
      url: `/api/v1/orders/${order.orderId}/refund`,
      headers: { authorization: admin },
      payload: {},
    });
    expect(response.statusCode).toBe(409);
    expect(await h.committed('PaymentRefunded', order.orderId)).toEqual([]);
  });
});
