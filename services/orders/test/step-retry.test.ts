import { stepRetryRequested } from '@fv/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compensation,
  listProducts,
  orderOf,
  paidBy,
  type PlacedOrder,
  type Product,
  requestCompensation,
  reserve,
  submitOrder,
} from './fixtures.js';
import { startOrders, type OrdersHarness } from './harness.js';

let h: OrdersHarness;
let lamp: Product;

beforeAll(async () => {
  h = await startOrders('step-retry');
  lamp = (await listProducts(h, [{ price: '20.00' }]))[0]!;
});
afterAll(async () => {
  await h?.stop();
});

/** One lamp (20.00 USD), paid by the card of `token`. */
function placeOrder(token = 'tok_visa_4242') {
  return submitOrder(h, [{ product: lamp, quantity: 1 }], paidBy(token));
}

function retryOf(order: PlacedOrder, reservationId: string, attempt = 2, stepName = 'PAYMENT_PROCESSING') {
  return stepRetryRequested(order.orderId, stepName, {
    attempt,
    reason: 'MANUAL_RETRY: Payment provider timeout resolved',
    parameters: { reservationId, customerId: order.customerId },
  });
}

/** An order whose authorization failed because the provider stayed unavailable past its patience. */
async function failedPayment() {
  const order = await placeOrder();
  await h.provider.stop();
  let reservationId: string;
  try {
    const reserved = await reserve(h, order);
    reservationId = reserved.reservationId;
    await h.receivedFor('PaymentFailed', order.orderId);
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
    const processed = await h.receivedFor(
      'PaymentProcessed',
      order.orderId,
      'PaymentProcessed after the retry',
    );
    expect(processed).toMatchObject({ causationId: retry.eventId, status: 'AUTHORIZED', amount: '20.00' });
    const confirmed = await h.receivedFor('OrderConfirmed', order.orderId);
    expect(confirmed).toMatchObject({ reservationId, paymentId: processed.paymentId });
    expect(await orderOf(h, order.orderId)).toMatchObject({
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
    await h.consumed(marker.eventId);
    expect(await h.committed('PaymentProcessed', order.orderId)).toHaveLength(1);
    expect(await h.committed('OrderConfirmed', order.orderId)).toHaveLength(1);
    expect(await h.provider.authorizationsFor(order.orderId)).toHaveLength(1);

    // A later attempt of a paid order answers with the payment it has; nothing is charged again.
    const later = await h.publish('StepRetryRequested', retryOf(order, reservationId, 3), {
      correlationId: order.orderId,
      producer: 'platform-coordination',
    });
    await h.consumed(later.eventId);
    const answers = await h.committed('PaymentProcessed', order.orderId);
    expect(answers).toHaveLength(2);
    expect(answers[1]).toMatchObject({ paymentId: processed.paymentId });
    expect(await h.provider.authorizationsFor(order.orderId)).toHaveLength(1);
  });

  it('leaves a failed order failed: nothing is authorized', async () => {
    const { order, reservationId } = await failedPayment();
    await requestCompensation(h, compensation(order.orderId, 'CANCEL_ORDER'));
    await h.receivedFor('OrderFailed', order.orderId);
    const retry = await h.publish('StepRetryRequested', retryOf(order, reservationId), {
      correlationId: order.orderId,
      producer: 'platform-coordination',
    });
    await h.consumed(retry.eventId);
    expect(await h.committed('PaymentProcessed', order.orderId)).toHaveLength(0);
    expect(await h.provider.authorizationsFor(order.orderId)).toHaveLength(0);
    expect(await orderOf(h, order.orderId)).toMatchObject({ status: 'FAILED' });
  });
});
