import { randomUUID } from 'node:crypto';
import { waitFor } from '@fv/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compensation, listProducts, orderBody, reservationOf, type Product } from './fixtures.js';
import { bearer, startOrders, type Harness } from './harness.js';

let h: Harness;
let lamp: Product;
const admin = bearer('operator-1', ['admin']);

beforeAll(async () => {
  h = await startOrders('step-retry');
  lamp = (await listProducts(h, [{ price: '20.00' }]))[0]!;
});
afterAll(async () => {
  await h?.close();
});

interface PlacedOrder {
  orderId: string;
  customerId: string;
  items: { productId: string; quantity: number }[];
}

async function placeOrder(token = 'tok_visa_4242'): Promise<PlacedOrder> {
  const response = await h.runtime.app.inject({
    method: 'POST',
    url: '/api/v1/orders',
    headers: { authorization: bearer(randomUUID(), ['customer']) },
    payload: orderBody([{ product: lamp, quantity: 1 }], {
      paymentMethod: { type: 'CREDIT_CARD', token },
    }),
  });
  expect(response.statusCode).toBe(202);
  return response.json();
}

async function orderOf(orderId: string) {
  const response = await h.runtime.app.inject({
    url: `/api/v1/orders/${orderId}`,
    headers: { authorization: admin },
  });
  return response.json();
}

async function consumed(eventId: string) {
  await waitFor(async () => (await h.prisma.processedEvent.count({ where: { eventId } })) > 0, {
    description: `event ${eventId} to be consumed`,
  });
}

function retryOf(order: PlacedOrder, reservationId: string, attempt = 2, stepName = 'PAYMENT_PROCESSING') {
  return {
    sagaId: randomUUID(),
    workflowId: randomUUID(),
    orderId: order.orderId,
    stepName,
    attempt,
    reason: 'MANUAL_RETRY: Payment provider timeout resolved',
    requestedBy: 'operator-1',
    parameters: { reservationId, customerId: order.customerId, resetState: 'false' },
  };
}

/** An order whose authorization failed because the provider stayed unavailable past its patience. */
async function failedPayment() {
  const order = await placeOrder();
  await h.provider.stop();
  let reservationId: string;
  try {
    const reserved = await h.publish('InventoryReserved', reservationOf(order), {
      correlationId: order.orderId,
      producer: 'inventory',
    });
    reservationId = reserved.reservationId;
    await h.received('PaymentFailed', (e) => e.orderId === order.orderId, 'PaymentFailed');
  } finally {
    await h.provider.start();
  }
  return { order, reservationId };
}

describe('StepRetryRequested for PAYMENT_PROCESSING', () => {
  it('authorizes the payment of an order whose payment failed, once however often the request is delivered', async () => {
    const { order, reservationId } = await failedPayment();
    const retry = await h.publish('StepRetryRequested', retryOf(order, reservationId), {
      correlationId: order.orderId,
      producer: 'platform-coordination',
    });
    const processed = await h.received(
      'PaymentProcessed',
      (e) => e.orderId === order.orderId,
      'PaymentProcessed after the retry',
    );
    expect(processed).toMatchObject({ causationId: retry.eventId, status: 'AUTHORIZED', amount: '20.00' });
    const confirmed = await h.received(
      'OrderConfirmed',
      (e) => e.orderId === order.orderId,
      'OrderConfirmed',
    );
    expect(confirmed).toMatchObject({ reservationId, paymentId: processed.paymentId });
    expect(await orderOf(order.orderId)).toMatchObject({
      status: 'CONFIRMED',
      payment: { status: 'AUTHORIZED' },
    });

    // The same request again, then another service's step on the same key to know both were read.
    await h.publish('StepRetryRequested', retryOf(order, reservationId), {
      correlationId: order.orderId,
      eventId: retry.eventId,
      producer: 'platform-coordination',
    });
    const marker = await h.publish(
      'StepRetryRequested',
      retryOf(order, reservationId, 2, 'CUSTOMER_NOTIFICATION'),
      {
        correlationId: order.orderId,
        producer: 'platform-coordination',
      },
    );
    await consumed(marker.eventId);
    expect(await h.committed('PaymentProcessed', order.orderId)).toHaveLength(1);
    expect(await h.committed('OrderConfirmed', order.orderId)).toHaveLength(1);
    expect(await h.provider.authorizationsFor(order.orderId)).toHaveLength(1);

    // A later attempt of a paid order answers with the payment it has; nothing is charged again.
    const later = await h.publish('StepRetryRequested', retryOf(order, reservationId, 3), {
      correlationId: order.orderId,
      producer: 'platform-coordination',
    });
    await consumed(later.eventId);
    const answers = await h.committed('PaymentProcessed', order.orderId);
    expect(answers).toHaveLength(2);
    expect(answers[1]).toMatchObject({ paymentId: processed.paymentId });
    expect(await h.provider.authorizationsFor(order.orderId)).toHaveLength(1);
  });

  it('leaves a failed order failed: nothing is authorized', async () => {
    const { order, reservationId } = await failedPayment();
    await h.publish('CompensationRequested', compensation(order.orderId, 'CANCEL_ORDER'), {
      correlationId: order.orderId,
      producer: 'platform-coordination',
    });
    await h.received('OrderFailed', (e) => e.orderId === order.orderId, 'OrderFailed');
    const retry = await h.publish('StepRetryRequested', retryOf(order, reservationId), {
      correlationId: order.orderId,
      producer: 'platform-coordination',
    });
    await consumed(retry.eventId);
    expect(await h.committed('PaymentProcessed', order.orderId)).toHaveLength(0);
    expect(await h.provider.authorizationsFor(order.orderId)).toHaveLength(0);
    expect(await orderOf(order.orderId)).toMatchObject({ status: 'FAILED' });
  });
});
