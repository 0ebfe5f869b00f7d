import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { waitFor } from '@fv/testing';
import { call } from '../src/index.js';
import { shop } from '../src/shop.js';
import { sharedPlatform } from '../src/shared-platform.js';

/**
 * Coupons in the order saga across the services (seed 002): applied after the reservation and before
 * the payment by the order service, given back when the saga is compensated, never used beyond their
 * limit however many orders race for them.
 */
const platform = sharedPlatform();
const { admin, stockedProduct, placeOrder, orderReaches, stockOf } = shop(platform);

interface Coupon {
  couponId: string;
  code: string;
  uses: number;
}

interface OrderView {
  orderId: string;
  status: string;
  totalAmount: string;
  couponCode: string | null;
  discountAmount: string | null;
  chargedAmount: string;
  payment: { status: string; amount: string } | null;
  failure: { reason: string | null; code: string | null; message: string | null } | null;
}

async function createCoupon(body: Record<string, unknown>): Promise<Coupon> {
  const created = await call<Coupon>('POST', `${platform.url('orders')}/api/v1/coupons`, admin, body);
  expect(created.status).toBe(201);
  return created.body;
}

async function couponOf(couponId: string): Promise<Coupon> {
  const { status, body } = await call<Coupon>(
    'GET',
    `${platform.url('orders')}/api/v1/coupons/${couponId}`,
    admin,
  );
  expect(status).toBe(200);
  return body;
}

async function orderOf(orderId: string): Promise<OrderView> {
  return (await call<OrderView>('GET', `${platform.url('orders')}/api/v1/orders/${orderId}`, admin)).body;
}

async function workflowCompensated(orderId: string) {
  return waitFor(
    async () => {
      const { status, body } = await call<{ saga: { state: string } }>(
        'GET',
        `${platform.url('platform-coordination')}/api/v1/workflows/${orderId}/status`,
        admin,
      );
      return status === 200 && body.saga.state === 'COMPENSATED';
    },
    { timeoutMs: 90_000, intervalMs: 500, description: `the saga of order ${orderId} to be compensated` },
  );
}

describe('coupons in the order saga, end to end', () => {
  it('applies a coupon, then gives its use back when the payment fails; the next order gets it', async () => {
    const code = `E2E-DECLINE-${randomUUID().slice(0, 6)}`;
    const coupon = await createCoupon({ code, kind: 'PERCENTAGE', value: '20', usageLimit: 1 });
    const productId = await stockedProduct(5, '25.00');

    const declined = await placeOrder(randomUUID(), productId, 2, 'tok_decline', {}, { couponCode: code });
    await orderReaches(declined.orderId, 'FAILED', 90_000);
    const failed = await orderOf(declined.orderId);
    expect(failed).toMatchObject({
      couponCode: code.toUpperCase(),
      totalAmount: '50.00',
      discountAmount: '10.00',
      chargedAmount: '40.00',
      payment: { status: 'FAILED', amount: '40.00' },
      failure: { reason: 'PAYMENT_FAILED', code: 'PAYMENT_DECLINED' },
    });
    // The use came back with the compensation, and the reserved stock with it.
    await waitFor(async () => (await couponOf(coupon.couponId)).uses === 0, {
      timeoutMs: 30_000,
      description: 'the coupon use to be given back',
    });
    await workflowCompensated(declined.orderId);
    await waitFor(async () => (await stockOf(productId)).reserved === 0, {
      timeoutMs: 60_000,
      description: 'the stock to be released',
    });

    // The single use is free again: the next order is discounted and completes.
    const paid = await placeOrder(randomUUID(), productId, 2, 'tok_visa_4242', {}, { couponCode: code });
    await orderReaches(paid.orderId, 'COMPLETED', 90_000);
    expect(await orderOf(paid.orderId)).toMatchObject({
      discountAmount: '10.00',
      chargedAmount: '40.00',
      payment: { status: 'CAPTURED', amount: '40.00' },
    });
    expect((await couponOf(coupon.couponId)).uses).toBe(1);
    await waitFor(async () => (await stockOf(productId)).onHand === 3, {
      timeoutMs: 60_000,
      description: 'the stock of the paid order to be deducted',
    });
  });

  it('uses a coupon limited to N exactly N times under 50 concurrent orders; the others fail with the reason', async () => {
    const limit = 7;
    const orders = 50;
    const code = `E2E-RACE-${randomUUID().slice(0, 6)}`;
    const coupon = await createCoupon({
      code,
      kind: 'FIXED',
      value: '5',
      currency: 'USD',
      usageLimit: limit,
    });
    const productId = await stockedProduct(orders + 10, '30.00');

    const placed = await Promise.all(
      Array.from({ length: orders }, () =>
        placeOrder(randomUUID(), productId, 1, 'tok_visa_4242', {}, { couponCode: code }),
      ),
    );
    const settled = await waitFor(
      async () => {
        const views = await Promise.all(placed.map((order) => orderOf(order.orderId)));
        return views.every((view) => view.status === 'COMPLETED' || view.status === 'FAILED') && views;
      },
      { timeoutMs: 240_000, intervalMs: 1000, description: `all ${orders} orders to settle` },
    );
    const completed = settled.filter((view) => view.status === 'COMPLETED');
    const failed = settled.filter((view) => view.status === 'FAILED');
    expect(completed).toHaveLength(limit);
    for (const view of completed) {
      expect(view).toMatchObject({
        discountAmount: '5.00',
        chargedAmount: '25.00',
        payment: { status: 'CAPTURED', amount: '25.00' },
      });
    }
    expect(failed).toHaveLength(orders - limit);
    for (const view of failed) {
      expect(view).toMatchObject({
        discountAmount: null,
        payment: null,
        failure: { reason: 'COUPON_REJECTED', code: 'COUPON_USAGE_LIMIT_REACHED' },
      });
    }
    expect((await couponOf(coupon.couponId)).uses).toBe(limit);
    // The rejected orders' stock is released by the compensation; only the paid orders' is deducted.
    await waitFor(
      async () => {
        const stock = await stockOf(productId);
        return stock.reserved === 0 && stock.onHand === orders + 10 - limit;
      },
      { timeoutMs: 90_000, description: 'the stock of the rejected orders to be released' },
    );
    await workflowCompensated(failed[0]!.orderId);
  }, 420_000);
});
