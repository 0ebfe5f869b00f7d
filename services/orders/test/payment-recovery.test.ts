import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compensation,
  complete,
  deliveryOf,
  listProducts,
  orderOf,
  paidBy,
  type PlacedOrder,
  type Product,
  requestCompensation,
  reserve,
  ship,
  submitOrder,
} from './fixtures.js';
import { startOrders, type OrdersHarness } from './harness.js';

let h: OrdersHarness;
let lamp: Product | undefined;

beforeAll(async () => {
  h = await startOrders('recovery');
  [lamp] = await listProducts(h, [{ price: '49.99' }]);
});
afterAll(async () => {
  await h?.stop();
});

/** Two lamps (99.98 USD), paid by the card of `token`. */
function placeOrder(token = 'tok_visa_4242') {
  return submitOrder(h, [{ product: lamp!, quantity: 2 }], paidBy(token));
}

/** Reserves the order and waits for its payment to be authorized. */
async function authorized(order: PlacedOrder) {
  await reserve(h, order);
  return h.receivedFor('PaymentProcessed', order.orderId);
}

/** Calls the provider directly, as the order service would have just before it crashed. */
async function providerCall(path: string, key: string, body: Record<string, unknown>) {
  const response = await fetch(`${h.provider.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as { id: string };
}

async function answerTo(requestEventId: string, description: string) {
  return h.received('CompensationOutcome', (e) => e.requestEventId === requestEventId, description);
}

describe('payment calls survive the order service losing its process state', () => {
  it('captures after a restart an authorization made by the previous process', async () => {
    const order = await placeOrder();
    const processed = await authorized(order);
    await h.restart();

    await ship(h, order);
    await h.receivedFor('OrderCompleted', order.orderId, 'OrderCompleted after the restart');
    expect(await orderOf(h, order.orderId)).toMatchObject({
      status: 'COMPLETED',
      payment: { status: 'CAPTURED' },
    });
    const held = await h.provider.authorizationsFor(order.orderId);
    expect(held).toHaveLength(1);
    expect(held[0]).toMatchObject({
      id: processed.providerReference,
      status: 'CAPTURED',
      capturedAmount: '99.98',
    });
    expect(held[0]!.operations.filter((op) => op.object === 'capture')).toHaveLength(1);
  });

  it('re-sends the same idempotency key after a crash between the intent and its answer: one charge', async () => {
    const order = await placeOrder();
    const key = `order-${order.orderId}-authorize`;
    // The previous process recorded its intent and reached the provider, then died before it recorded
    // the answer (and before its transaction committed, so the event is delivered again).
    const paymentId = randomUUID();
    await h.prisma.paymentAttempt.create({
      data: {
        id: randomUUID(),
        orderId: order.orderId,
        paymentId,
        operation: 'AUTHORIZE',
        idempotencyKey: key,
        amount: '99.98',
        currency: 'USD',
        status: 'PENDING',
        calls: 1,
        context: {},
        // Its handler had the call in hand: the sweeper would only take it over much later.
        nextAttemptAt: new Date(Date.now() + 3_600_000),
      },
    });
    const charged = await providerCall('/v1/authorizations', key, {
      amount: '99.98',
      currency: 'USD',
      paymentMethod: { type: 'CREDIT_CARD', token: 'tok_visa_4242' },
      merchantReference: order.orderId,
    });

    const processed = await authorized(order);
    expect(processed).toMatchObject({ paymentId, providerReference: charged.id, status: 'AUTHORIZED' });
    expect(await h.provider.authorizationsFor(order.orderId)).toHaveLength(1);
    const [attempt] = await h.prisma.paymentAttempt.findMany({ where: { idempotencyKey: key } });
    expect(attempt).toMatchObject({ status: 'SUCCEEDED', providerReference: charged.id });
    expect(attempt!.appliedAt).not.toBeNull();
  });

  it('finishes a capture its handler never saw through, with the same key: completed, captured once', async () => {
    const order = await placeOrder();
    const processed = await authorized(order);
    const key = `payment-${processed.paymentId}-capture`;
    const shipment = deliveryOf(order);
    // The process died after the provider captured and before anything was recorded but the intent;
    // the DeliveryScheduled that caused it was then dead-lettered. Only the recovery sweeper is left.
    await h.prisma.paymentAttempt.create({
      data: {
        id: randomUUID(),
        orderId: order.orderId,
        paymentId: processed.paymentId,
        operation: 'CAPTURE',
        idempotencyKey: key,
        amount: '99.98',
        currency: 'USD',
        status: 'PENDING',
        calls: 1,
        context: {
          eventId: randomUUID(),
          shipmentId: shipment.shipmentId,
          trackingId: shipment.trackingId,
          carrier: shipment.carrier,
        },
        updatedAt: new Date(Date.now() - 3_600_000),
      },
    });
    await providerCall(`/v1/authorizations/${processed.providerReference}/capture`, key, {
      amount: '99.98',
      currency: 'USD',
    });

    const completed = await h.receivedFor('OrderCompleted', order.orderId, 'OrderCompleted by recovery');
    expect(completed).toMatchObject({ shipmentId: shipment.shipmentId, trackingId: shipment.trackingId });
    expect(await orderOf(h, order.orderId)).toMatchObject({
      status: 'COMPLETED',
      payment: { status: 'CAPTURED' },
    });
    const [held] = await h.provider.authorizationsFor(order.orderId);
    expect(held!.operations.filter((op) => op.object === 'capture')).toHaveLength(1);
  });

  it('fails the payment when the provider refuses the capture for good, instead of dead-lettering', async () => {
    const order = await placeOrder();
    await authorized(order);
    // The provider no longer knows the authorization (the defect's "no authorization").
    await h.prisma.payment.update({
      where: { orderId: order.orderId },
      data: { providerReference: `auth_${randomUUID().replace(/-/g, '')}` },
    });
    const scheduled = await ship(h, order);
    const failed = await h.receivedFor('PaymentFailed', order.orderId, 'PaymentFailed for the capture');
    expect(failed).toMatchObject({
      errorCode: 'INVALID_PAYMENT_REQUEST',
      retriable: false,
      causationId: scheduled.eventId,
    });
    expect(await orderOf(h, order.orderId)).toMatchObject({ status: 'PAYMENT_FAILED' });
    expect(await h.committed('OrderCompleted', order.orderId)).toEqual([]);
    expect(
      h.deadLetters.messages.filter((message) => message.headers['event-id'] === scheduled.eventId),
    ).toEqual([]);

    // The saga's compensation is answered: nothing to void at the provider, the order failed.
    const voidRequest = await requestCompensation(h, compensation(order.orderId, 'VOID_PAYMENT'));
    expect(await answerTo(voidRequest.eventId, 'the void answer')).toMatchObject({
      outcome: 'NOT_APPLICABLE',
      reasonCode: 'PAYMENT_NOT_FOUND',
    });
    const cancel = await requestCompensation(h, compensation(order.orderId, 'CANCEL_ORDER'));
    expect(await answerTo(cancel.eventId, 'the cancellation answer')).toMatchObject({ outcome: 'DONE' });
    await h.received(
      'OrderFailed',
      (e) => e.orderId === order.orderId && e.reason === 'PAYMENT_FAILED',
      'OrderFailed',
    );
  });
});

describe('every compensation request this service owns gets one CompensationOutcome', () => {
  it('VOID_PAYMENT: DONE with PaymentVoided, then ALREADY_DONE for a later attempt', async () => {
    const order = await placeOrder();
    await authorized(order);
    const request = compensation(order.orderId, 'VOID_PAYMENT');
    const first = await requestCompensation(h, request);
    expect(await answerTo(first.eventId, 'the first answer')).toMatchObject({
      sagaId: request.sagaId,
      workflowId: request.workflowId,
      orderId: order.orderId,
      action: 'VOID_PAYMENT',
      attempt: 1,
      outcome: 'DONE',
      producer: 'orders',
    });
    const second = await requestCompensation(h, { ...request, attempt: 2 });
    expect(await answerTo(second.eventId, 'the second answer')).toMatchObject({
      attempt: 2,
      outcome: 'ALREADY_DONE',
    });
    expect(await h.committed('PaymentVoided', order.orderId)).toHaveLength(1);
    const outcomes = await h.committed('CompensationOutcome', order.orderId);
    expect(outcomes.map((outcome) => outcome.requestEventId)).toEqual([first.eventId, second.eventId]);
  });

  it('REFUND_PAYMENT of a captured payment: DONE; CANCEL_ORDER of a cancelled order: ALREADY_DONE', async () => {
    const order = await placeOrder();
    await authorized(order);
    await complete(h, order);
    const refund = await requestCompensation(h, compensation(order.orderId, 'REFUND_PAYMENT'));
    expect(await answerTo(refund.eventId, 'the refund answer')).toMatchObject({ outcome: 'DONE' });

    const pending = await placeOrder();
    const cancelRequest = compensation(pending.orderId, 'CANCEL_ORDER', 'CUSTOMER_REQUESTED');
    const cancel = await requestCompensation(h, cancelRequest);
    expect(await answerTo(cancel.eventId, 'the cancellation')).toMatchObject({ outcome: 'DONE' });
    const again = await requestCompensation(h, { ...cancelRequest, attempt: 2 });
    expect(await answerTo(again.eventId, 'the repeated cancellation')).toMatchObject({
      outcome: 'ALREADY_DONE',
    });
    // Nothing was ever paid for the pending order: voiding it is not applicable.
    const voidPending = await requestCompensation(h, compensation(pending.orderId, 'VOID_PAYMENT'));
    expect(await answerTo(voidPending.eventId, 'the void of nothing')).toMatchObject({
      outcome: 'NOT_APPLICABLE',
      reasonCode: 'PAYMENT_NOT_FOUND',
    });
    expect(await h.committed('OrderCancelled', pending.orderId)).toHaveLength(1);
  });

  it('an unknown order is NOT_APPLICABLE (ORDER_NOT_FOUND), not dead-lettered; other owners’ actions get no answer from here', async () => {
    const orderId = randomUUID();
    const request = await requestCompensation(h, compensation(orderId, 'CANCEL_ORDER'));
    expect(await answerTo(request.eventId, 'the unknown order')).toMatchObject({
      orderId,
      outcome: 'NOT_APPLICABLE',
      reasonCode: 'ORDER_NOT_FOUND',
    });
    const release = await requestCompensation(h, compensation(orderId, 'RELEASE_INVENTORY'));
    await h.consumed(release.eventId);
    expect(await h.committed('CompensationOutcome', orderId)).toHaveLength(1);
    expect(
      h.deadLetters.messages.filter((message) => message.headers['event-id'] === request.eventId),
    ).toEqual([]);
  });
});
