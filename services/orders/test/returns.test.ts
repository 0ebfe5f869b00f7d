import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  complete,
  confirm,
  listProducts,
  orderOf,
  type PlacedOrder,
  type Product,
  publishRepeatedly,
  submitOrder,
} from './fixtures.js';
import { startOrders, type OrdersHarness } from './harness.js';

let h: OrdersHarness;
let lamp: Product;
let desk: Product;

beforeAll(async () => {
  // Four attempts at a failing refund, 100 ms apart at first: the test sees them all in a second or two.
  h = await startOrders('returns', {
    RETURN_REFUND_MAX_ATTEMPTS: '3',
    PAYMENT_RECOVERY_INTERVAL_MS: '100',
    PAYMENT_RECOVERY_BACKOFF_MAX_MS: '400',
  });
  const products = await listProducts(h, [{ price: '599.99' }, { price: '299.99' }]);
  lamp = products[0]!;
  desk = products[1]!;
});
afterAll(async () => {
  await h?.stop();
});

/** An order of 2 lamps and 1 desk (1499.97 USD), paid, shipped and captured. */
async function shippedOrder(): Promise<PlacedOrder> {
  const order = await submitOrder(h, [
    { product: lamp, quantity: 2 },
    { product: desk, quantity: 1 },
  ]);
  await confirm(h, order);
  await complete(h, order);
  return order;
}

function returnOf(
  order: PlacedOrder,
  items: { productId: string; quantity: number }[],
  returnId = randomUUID(),
) {
  return {
    returnId,
    orderId: order.orderId,
    customerId: order.customerId,
    items: items.map((item) => ({ ...item, reason: 'DAMAGED', condition: 'USED' })),
    warehouseId: 'wh-returns',
  };
}

describe('ReturnReceived', () => {
  it('refunds the returned lines, then the rest when everything came back: PARTIALLY_REFUNDED, then REFUNDED', async () => {
    const order = await shippedOrder();
    const first = returnOf(order, [{ productId: lamp.productId, quantity: 1 }]);
    const received = await h.publish('ReturnReceived', first, {
      correlationId: order.orderId,
      producer: 'delivery',
    });
    const refunded = await h.received(
      'PaymentRefunded',
      (e) => e.returnId === first.returnId,
      'PaymentRefunded of the first return',
    );
    expect(refunded).toMatchObject({
      orderId: order.orderId,
      amount: '599.99',
      currency: 'USD',
      reason: 'RETURN_RECEIVED',
      causationId: received.eventId,
    });
    const orderRefunded = await h.received(
      'OrderRefunded',
      (e) => e.returnId === first.returnId,
      'OrderRefunded of the first return',
    );
    expect(orderRefunded).toMatchObject({
      refundId: refunded.refundId,
      amount: '599.99',
      fullRefund: false,
      reason: 'RETURN_RECEIVED',
      customerId: order.customerId,
    });
    expect(await orderOf(h, order.orderId)).toMatchObject({
      status: 'PARTIALLY_REFUNDED',
      payment: { status: 'PARTIALLY_REFUNDED', refundedAmount: '599.99' },
    });

    const rest = returnOf(order, [
      { productId: lamp.productId, quantity: 1 },
      { productId: desk.productId, quantity: 1 },
    ]);
    await h.publish('ReturnReceived', rest, { correlationId: order.orderId, producer: 'delivery' });
    const last = await h.received(
      'OrderRefunded',
      (e) => e.returnId === rest.returnId,
      'OrderRefunded of the rest',
    );
    expect(last).toMatchObject({ amount: '899.98', fullRefund: true, reason: 'RETURN_RECEIVED' });
    expect(await orderOf(h, order.orderId)).toMatchObject({
      status: 'REFUNDED',
      payment: { status: 'REFUNDED', refundedAmount: '1499.97' },
    });
    const [held] = await h.provider.authorizationsFor(order.orderId);
    expect(held!.operations.filter((op) => op.object === 'refund').map((op) => op.amount)).toEqual([
      '599.99',
      '899.98',
    ]);
  });

  it('refunds a return once, however often ReturnReceived is delivered or repeated', async () => {
    const order = await shippedOrder();
    const ret = returnOf(order, [{ productId: desk.productId, quantity: 1 }]);
    // Delivered again under the same event id, and the same return announced again under a new one.
    await publishRepeatedly(h, 'ReturnReceived', ret, { correlationId: order.orderId, producer: 'delivery' });
    await h.received('OrderRefunded', (e) => e.returnId === ret.returnId, 'OrderRefunded');
    expect(await h.committed('PaymentRefunded', order.orderId)).toHaveLength(1);
    expect(await h.committed('OrderRefunded', order.orderId)).toHaveLength(1);
    const [held] = await h.provider.authorizationsFor(order.orderId);
    expect(held!.operations.filter((op) => op.object === 'refund')).toHaveLength(1);
    expect(await orderOf(h, order.orderId)).toMatchObject({
      status: 'PARTIALLY_REFUNDED',
      payment: { refundedAmount: '299.99' },
    });
  });

  it('reports a refund the provider cannot make as retriable, retries it with backoff, then gives up; a REFUND_PROCESSING retry refunds it', async () => {
    const order = await shippedOrder();
    const ret = returnOf(order, [{ productId: lamp.productId, quantity: 2 }]);
    await h.provider.stop();
    try {
      await h.publish('ReturnReceived', ret, { correlationId: order.orderId, producer: 'delivery' });
      const given = await h.received(
        'PaymentRefundFailed',
        (e) => e.returnId === ret.returnId && !e.retriable,
        'the refund given up',
      );
      expect(given).toMatchObject({ orderId: order.orderId, amount: '1199.98', currency: 'USD', attempt: 3 });
      const failures = (await h.committed('PaymentRefundFailed', order.orderId)) as {
        attempt: number;
        retriable: boolean;
        errorCode: string;
      }[];
      expect(failures.map((f) => [f.attempt, f.retriable])).toEqual([
        [1, true],
        [2, true],
        [3, false],
      ]);
      expect(failures[0]!.errorCode).toBeTruthy();
      // Given up: nothing more is attempted on its own.
      await new Promise((resolve) => setTimeout(resolve, 800));
      expect(await h.committed('PaymentRefundFailed', order.orderId)).toHaveLength(3);
    } finally {
      await h.provider.start();
    }
    expect(await h.committed('PaymentRefunded', order.orderId)).toEqual([]);
    expect((await orderOf(h, order.orderId)).status).toBe('COMPLETED');

    const retry = {
      sagaId: randomUUID(),
      workflowId: randomUUID(),
      orderId: order.orderId,
      stepName: 'REFUND_PROCESSING',
      attempt: 2,
      reason: 'operator retry',
      requestedBy: 'operator-1',
      parameters: { returnId: ret.returnId },
    };
    const first = await h.publish('StepRetryRequested', retry, {
      correlationId: order.orderId,
      producer: 'platform-coordination',
    });
    const refunded = await h.received(
      'PaymentRefunded',
      (e) => e.returnId === ret.returnId,
      'PaymentRefunded',
    );
    expect(refunded).toMatchObject({
      amount: '1199.98',
      reason: 'RETURN_RECEIVED',
      causationId: first.eventId,
    });
    // A second retry of a refunded return changes nothing.
    const again = await h.publish(
      'StepRetryRequested',
      { ...retry, attempt: 3 },
      {
        correlationId: order.orderId,
        producer: 'platform-coordination',
      },
    );
    await h.consumed(again.eventId);
    expect(await h.committed('PaymentRefunded', order.orderId)).toHaveLength(1);
    expect(await orderOf(h, order.orderId)).toMatchObject({
      status: 'PARTIALLY_REFUNDED',
      payment: { refundedAmount: '1199.98' },
    });
  });
});
