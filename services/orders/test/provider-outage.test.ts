import { randomUUID } from 'node:crypto';
import { waitFor } from '@fv/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrdersService } from '../src/service.js';
import {
  complete,
  confirm,
  deliveryOf,
  listProducts,
  orderOf,
  paidBy,
  type Product,
  reserve,
  submitOrder,
} from './fixtures.js';
import { bearer, startOrders, type OrdersHarness } from './harness.js';

let h: OrdersHarness;
let lamp: Product;

beforeAll(async () => {
  // A patience far longer than any outage here: the provider always comes back in time.
  h = await startOrders('outage', { PAYMENT_PROVIDER_PATIENCE_MS: '120000' });
  [lamp] = (await listProducts(h, [{ price: '25.00' }])) as [Product];
});
afterAll(async () => {
  await h?.stop();
});

/** Two lamps (50.00 USD), paid by the card of `token`. */
function placeOrder(token = 'tok_visa_4242') {
  return submitOrder(h, [{ product: lamp, quantity: 2 }], paidBy(token));
}

/** Waits until the provider has been called at least `calls` times for the key (it is down: all failed). */
async function calledAtLeast(idempotencyKey: string, calls: number) {
  await waitFor(
    async () => {
      const attempt = await h.prisma.paymentAttempt.findUnique({ where: { idempotencyKey } });
      return attempt !== null && attempt.calls >= calls;
    },
    { description: `${calls} calls for ${idempotencyKey}` },
  );
}

const deadLettered = (eventId: string) =>
  h.deadLetters.messages.filter((m) => m.headers['event-id'] === eventId);

describe('a payment provider outage of seconds fails no order and dead-letters nothing', () => {
  it('authorizes once the provider is back: the order is confirmed, charged once, and completed', async () => {
    const order = await placeOrder();
    await h.provider.stop();
    let reserved: { eventId: string };
    try {
      reserved = await reserve(h, order);
      // The handler finished (the partition moves on) with the order still waiting for its payment,
      await h.consumed(reserved.eventId);
      expect(await orderOf(h, order.orderId)).toMatchObject({ status: 'PENDING', payment: null });
      expect(await h.committed('PaymentFailed', order.orderId)).toEqual([]);
      // and the sweeper keeps trying the same key while the provider is down.
      await calledAtLeast(`order-${order.orderId}-authorize`, 6);
      expect(await h.committed('PaymentFailed', order.orderId)).toEqual([]);
    } finally {
      await h.provider.start();
    }

    const processed = await h.receivedFor(
      'PaymentProcessed',
      order.orderId,
      'PaymentProcessed once the provider is back',
    );
    expect(processed).toMatchObject({ causationId: reserved.eventId, status: 'AUTHORIZED' });
    await h.receivedFor('OrderConfirmed', order.orderId);
    expect(await orderOf(h, order.orderId)).toMatchObject({
      status: 'CONFIRMED',
      payment: { status: 'AUTHORIZED', paymentId: processed.paymentId },
    });
    const held = await h.provider.authorizationsFor(order.orderId);
    expect(held).toHaveLength(1);
    expect(held[0]!.id).toBe(processed.providerReference);
    expect(await h.committed('PaymentFailed', order.orderId)).toEqual([]);
    expect(deadLettered(reserved.eventId)).toEqual([]);

    await complete(h, order);
    expect((await orderOf(h, order.orderId)).status).toBe('COMPLETED');
  });

  it('captures once the provider is back: no dead letter, the order completed, captured once', async () => {
    const order = await placeOrder();
    await reserve(h, order);
    const processed = await h.receivedFor('PaymentProcessed', order.orderId, 'payment');
    const shipment = deliveryOf(order);
    await h.provider.stop();
    let scheduled: { eventId: string };
    try {
      scheduled = await h.publish('DeliveryScheduled', shipment, {
        correlationId: order.orderId,
        producer: 'delivery',
      });
      await h.consumed(scheduled.eventId);
      await calledAtLeast(`payment-${processed.paymentId}-capture`, 6);
      expect(await orderOf(h, order.orderId)).toMatchObject({
        status: 'CONFIRMED',
        payment: { status: 'AUTHORIZED' },
      });
      expect(await h.committed('OrderCompleted', order.orderId)).toEqual([]);
    } finally {
      await h.provider.start();
    }

    const completed = await h.receivedFor(
      'OrderCompleted',
      order.orderId,
      'OrderCompleted once the provider is back',
    );
    expect(completed).toMatchObject({
      causationId: scheduled.eventId,
      shipmentId: shipment.shipmentId,
      trackingId: shipment.trackingId,
    });
    expect(await orderOf(h, order.orderId)).toMatchObject({
      status: 'COMPLETED',
      payment: { status: 'CAPTURED' },
      shipment: { shipmentId: shipment.shipmentId },
    });
    const [held] = await h.provider.authorizationsFor(order.orderId);
    expect(held).toMatchObject({ status: 'CAPTURED', capturedAmount: '50.00' });
    expect(held!.operations.filter((op) => op.object === 'capture')).toHaveLength(1);
    expect(await h.committed('PaymentFailed', order.orderId)).toEqual([]);
    expect(await h.committed('OrderCompleted', order.orderId)).toHaveLength(1);
    expect(deadLettered(scheduled.eventId)).toEqual([]);
  });

  it('never authorizes an order cancelled while its authorization waited for the provider', async () => {
    const order = await placeOrder();
    await h.provider.stop();
    try {
      const reserved = await reserve(h, order);
      await h.consumed(reserved.eventId);
      const cancelled = await h.runtime.app.inject({
        method: 'POST',
        url: `/api/v1/orders/${order.orderId}/cancel`,
        headers: { authorization: bearer(order.customerId, ['customer']) },
      });
      expect(cancelled.statusCode).toBe(200);
    } finally {
      await h.provider.start();
    }
    // The sweeper lets the call go instead of sending it again.
    await waitFor(
      async () =>
        (
          await h.prisma.paymentAttempt.findUniqueOrThrow({
            where: { idempotencyKey: `order-${order.orderId}-authorize` },
          })
        ).appliedAt !== null,
      { description: 'the waiting authorization to be settled' },
    );
    expect(await h.provider.authorizationsFor(order.orderId)).toHaveLength(0);
    expect(await orderOf(h, order.orderId)).toMatchObject({ status: 'CANCELLED', payment: null });
    expect(await h.committed('PaymentProcessed', order.orderId)).toEqual([]);
  });

  it('voids an authorization the provider granted for an order cancelled meanwhile', async () => {
    const order = await placeOrder();
    const key = `order-${order.orderId}-authorize`;
    // The provider granted the authorization, but the order was cancelled before it was applied
    // (e.g. its handler died); the sweeper finds the granted, unapplied authorization.
    const granted = await fetch(`${h.provider.url}/v1/authorizations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify({
        amount: '50.00',
        currency: 'USD',
        paymentMethod: { type: 'CREDIT_CARD', token: 'tok_visa_4242' },
        merchantReference: order.orderId,
      }),
    });
    expect(granted.status).toBe(201);
    const authorization = (await granted.json()) as { id: string };
    const cancelled = await h.runtime.app.inject({
      method: 'POST',
      url: `/api/v1/orders/${order.orderId}/cancel`,
      headers: { authorization: bearer(order.customerId, ['customer']) },
    });
    expect(cancelled.statusCode).toBe(200);
    await h.prisma.paymentAttempt.create({
      data: {
        id: randomUUID(),
        orderId: order.orderId,
        paymentId: randomUUID(),
        operation: 'AUTHORIZE',
        idempotencyKey: key,
        amount: '50.00',
        currency: 'USD',
        status: 'SUCCEEDED',
        providerReference: authorization.id,
        calls: 1,
        context: {},
        updatedAt: new Date(Date.now() - 3_600_000),
      },
    });

    await waitFor(async () => (await h.provider.authorizationsFor(order.orderId))[0]?.status === 'VOIDED', {
      description: 'the orphan authorization to be voided',
    });
    expect(await orderOf(h, order.orderId)).toMatchObject({ status: 'CANCELLED', payment: null });
    expect(await h.committed('PaymentProcessed', order.orderId)).toEqual([]);
  });
});

describe('a dead-lettered DeliveryScheduled', () => {
  it('does not fail the saga: the capture is left to the sweeper, which completes the order', async () => {
    const order = await placeOrder();
    await confirm(h, order);
    const hooks = createOrdersService().consumers!(h.runtime.context)[0]!.deadLetterHandlers!;
    const shipment = deliveryOf(order);
    const event = {
      ...shipment,
      eventId: randomUUID(),
      occurredAt: Date.now(),
      correlationId: order.orderId,
      causationId: null,
      producer: 'delivery',
    };
    // As the consumer runs it once the event is in the DLQ: in the transaction recording it processed.
    await h.prisma.$transaction(async (tx) =>
      hooks.DeliveryScheduled!(event, {
        tx: tx as never,
        error: new Error('could not be processed'),
        errorCode: 'SOMETHING_BROKE',
        logger: pino({ level: 'silent' }),
        causedBy: () => ({
          correlationId: order.orderId,
          causationId: event.eventId,
          traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        }),
      }),
    );

    const completed = await h.receivedFor('OrderCompleted', order.orderId, 'OrderCompleted by the sweeper');
    expect(completed).toMatchObject({ shipmentId: shipment.shipmentId, trackingId: shipment.trackingId });
    expect(await orderOf(h, order.orderId)).toMatchObject({
      status: 'COMPLETED',
      payment: { status: 'CAPTURED' },
    });
    expect(await h.committed('PaymentFailed', order.orderId)).toEqual([]);

    // For an unknown order the hook does nothing.
    const unknownId = randomUUID();
    await h.prisma.$transaction(async (tx) =>
      hooks.DeliveryScheduled!(
        { ...event, eventId: randomUUID(), orderId: unknownId, correlationId: unknownId },
        {
          tx: tx as never,
          error: new Error('unknown'),
          errorCode: 'ORDER_NOT_FOUND',
          logger: pino({ level: 'silent' }),
          causedBy: () => ({ correlationId: unknownId, causationId: event.eventId, traceparent: '' }),
        },
      ),
    );
    expect(await h.prisma.paymentAttempt.count({ where: { orderId: unknownId } })).toBe(0);
  });
});
