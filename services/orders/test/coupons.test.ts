import { randomUUID } from 'node:crypto';
import { waitFor } from '@fv/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findCouponByCode } from '../src/db/coupons-store.js';
import {
  compensation,
  confirm,
  listProducts,
  orderBody,
  orderOf,
  paidBy,
  type PlacedOrder,
  type Product,
  requestCompensation,
  reserve,
  ship,
  submitOrder,
} from './fixtures.js';
import { bearer, startOrders, type OrdersHarness } from './harness.js';

let h: OrdersHarness;
let lamp: Product;
const admin = bearer('operator-1', ['admin']);

beforeAll(async () => {
  h = await startOrders('coupons');
  lamp = (await listProducts(h, [{ price: '50.00' }]))[0]!;
});
afterAll(async () => {
  await h?.stop();
});

async function createCoupon(body: Record<string, unknown>) {
  const response = await h.runtime.app.inject({
    method: 'POST',
    url: '/api/v1/coupons',
    headers: { authorization: admin },
    payload: body,
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

/** Two lamps (100.00 USD) with a coupon code. */
function placeOrder(couponCode: string, token = 'tok_visa_4242', customerId = randomUUID()) {
  return submitOrder<PlacedOrder & { couponCode: string | null }>(
    h,
    [{ product: lamp, quantity: 2 }],
    { couponCode, ...paidBy(token) },
    customerId,
  );
}

async function usesOf(code: string) {
  return (await findCouponByCode(h.prisma, code))!.uses;
}

describe('coupons in the order saga', () => {
  it('applies a coupon after the reservation: CouponApplied, the discounted amount authorized and captured', async () => {
    await createCoupon({ code: 'save15', kind: 'PERCENTAGE', value: 15 });
    const order = await placeOrder(' Save15 ');
    expect(order).toMatchObject({ couponCode: 'SAVE15', discountAmount: null, chargedAmount: '100.00' });

    const reserved = await reserve(h, order);
    const applied = await h.receivedFor('CouponApplied', order.orderId);
    expect(applied).toMatchObject({
      causationId: reserved.eventId,
      correlationId: order.orderId,
      customerId: order.customerId,
      couponCode: 'SAVE15',
      originalTotal: '100.00',
      discount: '15.00',
      newTotal: '85.00',
      currency: 'USD',
    });
    const processed = await h.receivedFor('PaymentProcessed', order.orderId);
    expect(processed.amount).toBe('85.00');
    const confirmed = await h.receivedFor('OrderConfirmed', order.orderId);
    expect(confirmed.totalAmount).toBe('85.00');
    const [authorization] = await h.provider.authorizationsFor(order.orderId);
    expect(authorization).toMatchObject({ amount: '85.00', status: 'AUTHORIZED' });
    expect(await orderOf(h, order.orderId)).toMatchObject({
      status: 'CONFIRMED',
      totalAmount: '100.00',
      couponCode: 'SAVE15',
      discountAmount: '15.00',
      chargedAmount: '85.00',
      payment: { amount: '85.00', status: 'AUTHORIZED' },
    });

    await ship(h, order);
    const completed = await h.receivedFor('OrderCompleted', order.orderId);
    expect(completed.totalAmount).toBe('85.00');
    expect((await h.provider.authorizationsFor(order.orderId))[0]).toMatchObject({ capturedAmount: '85.00' });
    expect(await usesOf('SAVE15')).toBe(1);

    // A redelivered reservation takes no second use and publishes nothing more.
    await reserve(h, order);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await h.committed('CouponApplied', order.orderId)).toHaveLength(1);
    expect(await usesOf('SAVE15')).toBe(1);
  });

  it('fails the payment step with the reason of a rejected coupon, and the order with COUPON_REJECTED', async () => {
    await createCoupon({ code: 'ONCE', kind: 'FIXED', value: '10', currency: 'USD', usageLimit: 1 });
    const first = await placeOrder('ONCE');
    await reserve(h, first);
    await h.receivedFor('CouponApplied', first.orderId);

    const order = await placeOrder('ONCE');
    const reserved = await reserve(h, order);
    const rejected = await h.receivedFor('CouponRejected', order.orderId);
    expect(rejected).toMatchObject({
      causationId: reserved.eventId,
      couponCode: 'ONCE',
      reason: 'COUPON_USAGE_LIMIT_REACHED',
      orderTotal: '100.00',
      currency: 'USD',
    });
    expect(rejected.message).toContain('ONCE');
    await waitFor(async () => (await orderOf(h, order.orderId)).status === 'PAYMENT_FAILED', {
      description: 'the order to fail its payment step',
    });
    expect(await orderOf(h, order.orderId)).toMatchObject({
      reservationId: reserved.reservationId,
      discountAmount: null,
      chargedAmount: '100.00',
      payment: null,
      failure: { code: 'COUPON_USAGE_LIMIT_REACHED' },
    });
    // No payment was attempted.
    expect(await h.provider.authorizationsFor(order.orderId)).toEqual([]);
    expect(await h.committed('PaymentFailed', order.orderId)).toEqual([]);

    // The coordination service compensates the failed step for COUPON_REJECTED.
    await requestCompensation(h, compensation(order.orderId, 'CANCEL_ORDER', 'COUPON_REJECTED'));
    const failed = await h.receivedFor('OrderFailed', order.orderId);
    expect(failed).toMatchObject({ reason: 'COUPON_REJECTED', previousStatus: 'PAYMENT_FAILED' });
    expect(failed.reasonDetails).toContain('ONCE');
    expect(await orderOf(h, order.orderId)).toMatchObject({
      status: 'FAILED',
      failure: { reason: 'COUPON_REJECTED', code: 'COUPON_USAGE_LIMIT_REACHED' },
    });
    // It held no use, so it gives none back; the first order keeps its use.
    expect(await h.committed('CouponReleased', order.orderId)).toEqual([]);
    expect(await usesOf('ONCE')).toBe(1);
  });

  it('rejects an unknown code as COUPON_NOT_FOUND', async () => {
    const order = await placeOrder('NO-SUCH-CODE');
    await reserve(h, order);
    const rejected = await h.receivedFor('CouponRejected', order.orderId);
    expect(rejected.reason).toBe('COUPON_NOT_FOUND');
  });

  it('releases the use when the payment is then declined and the saga stops the order', async () => {
    await createCoupon({ code: 'DECLINED5', kind: 'FIXED', value: '5', currency: 'USD', usageLimit: 1 });
    const order = await placeOrder('DECLINED5', 'tok_decline');
    await reserve(h, order);
    await h.receivedFor('CouponApplied', order.orderId);
    const declined = await h.receivedFor('PaymentFailed', order.orderId);
    expect(declined).toMatchObject({ amount: '95.00', errorCode: 'PAYMENT_DECLINED' });
    // The use is held while the payment step may still be retried.
    expect(await usesOf('DECLINED5')).toBe(1);

    const stop = compensation(order.orderId, 'CANCEL_ORDER', 'PAYMENT_FAILED');
    const request = await requestCompensation(h, stop);
    const released = await h.receivedFor('CouponReleased', order.orderId);
    expect(released).toMatchObject({
      causationId: request.eventId,
      couponCode: 'DECLINED5',
      discount: '5.00',
      currency: 'USD',
      reason: 'ORDER_FAILED',
    });
    expect(await orderOf(h, order.orderId)).toMatchObject({
      status: 'FAILED',
      failure: { reason: 'PAYMENT_FAILED' },
    });
    expect(await usesOf('DECLINED5')).toBe(0);

    // The request again (a retry of the coordination service): nothing is released twice.
    const again = await requestCompensation(h, { ...stop, attempt: 2 });
    await h.consumed(again.eventId);
    expect(await h.committed('CouponReleased', order.orderId)).toHaveLength(1);
    expect(await usesOf('DECLINED5')).toBe(0);

    // The use is free again for another order.
    const next = await placeOrder('DECLINED5');
    await reserve(h, next);
    await h.receivedFor('CouponApplied', next.orderId);
  });

  it('releases the use when the customer cancels a confirmed order', async () => {
    await createCoupon({ code: 'CANCELME', kind: 'PERCENTAGE', value: '10' });
    const customerId = randomUUID();
    const order = await placeOrder('CANCELME', 'tok_visa_4242', customerId);
    await confirm(h, order);
    const response = await h.runtime.app.inject({
      method: 'POST',
      url: `/api/v1/orders/${order.orderId}/cancel`,
      headers: { authorization: bearer(customerId, ['customer']) },
    });
    expect(response.statusCode, response.body).toBe(200);
    const released = await h.receivedFor('CouponReleased', order.orderId);
    expect(released).toMatchObject({ reason: 'ORDER_CANCELLED', discount: '10.00' });
    expect(await usesOf('CANCELME')).toBe(0);
  });
});

describe('the coupon admin API', () => {
  it('creates, lists by cursor, reads and deactivates coupons', async () => {
    const prefix = `ADM${randomUUID().slice(0, 4).toUpperCase()}`;
    const created = await createCoupon({
      code: `${prefix}-A`,
      kind: 'FIXED',
      value: 12.5,
      currency: 'USD',
      minimumOrderValue: '40',
      usageLimit: 100,
      perCustomerLimit: 1,
      validUntil: '2099-01-01T00:00:00.000Z',
    });
    expect(created).toMatchObject({
      code: `${prefix}-A`,
      kind: 'FIXED',
      value: '12.50',
      currency: 'USD',
      minimumOrderValue: '40.00',
      usageLimit: 100,
      perCustomerLimit: 1,
      uses: 0,
      active: true,
      validUntil: '2099-01-01T00:00:00.000Z',
    });
    await createCoupon({ code: `${prefix}-B`, kind: 'PERCENTAGE', value: '5' });
    await createCoupon({ code: `${prefix}-C`, kind: 'PERCENTAGE', value: '7.5' });

    const codes: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `limit=2&cursor=${cursor}` : 'limit=2';
      const page = await h.runtime.app.inject({
        url: `/api/v1/coupons?${query}`,
        headers: { authorization: admin },
      });
      expect(page.statusCode).toBe(200);
      const body = page.json();
      expect(body.coupons.length).toBeLessThanOrEqual(2);
      codes.push(...body.coupons.map((coupon: { code: string }) => coupon.code));
      cursor = body.pageInfo.nextCursor;
    } while (cursor);
    expect(codes.filter((code) => code.startsWith(prefix))).toEqual([
      `${prefix}-A`,
      `${prefix}-B`,
      `${prefix}-C`,
    ]);
    expect([...codes].sort()).toEqual(codes);

    const read = await h.runtime.app.inject({
      url: `/api/v1/coupons/${created.couponId}`,
      headers: { authorization: admin },
    });
    expect(read.json()).toEqual(created);

    const off = await h.runtime.app.inject({
      method: 'DELETE',
      url: `/api/v1/coupons/${created.couponId}`,
      headers: { authorization: admin },
    });
    expect(off.statusCode).toBe(200);
    expect(off.json()).toMatchObject({ couponId: created.couponId, active: false });

    const order = await placeOrder(`${prefix}-A`);
    await reserve(h, order);
    const rejected = await h.receivedFor('CouponRejected', order.orderId);
    expect(rejected.reason).toBe('COUPON_INACTIVE');
  });

  it('answers bad input with the seed 001 envelope, and refuses everyone but admins', async () => {
    const bad = await h.runtime.app.inject({
      method: 'POST',
      url: '/api/v1/coupons',
      headers: { authorization: admin },
      payload: { code: 'BAD', kind: 'PERCENTAGE', value: '150' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({
      code: 'INVALID_REQUEST',
      details: { fields: [expect.objectContaining({ field: 'body.value', rule: 'percentage' })] },
    });

    const fixedWithoutCurrency = await h.runtime.app.inject({
      method: 'POST',
      url: '/api/v1/coupons',
      headers: { authorization: admin },
      payload: { code: 'NOCUR', kind: 'FIXED', value: '5' },
    });
    expect(fixedWithoutCurrency.statusCode).toBe(400);
    expect(fixedWithoutCurrency.json().error.details.fields[0]).toMatchObject({ field: 'body.currency' });

    const schema = await h.runtime.app.inject({
      method: 'POST',
      url: '/api/v1/coupons',
      headers: { authorization: admin },
      payload: { code: 'has space', kind: 'DOUBLE', value: '5' },
    });
    expect(schema.statusCode).toBe(400);
    expect(schema.json().error.code).toBe('INVALID_REQUEST');

    await createCoupon({ code: 'TAKEN', kind: 'PERCENTAGE', value: '5' });
    const taken = await h.runtime.app.inject({
      method: 'POST',
      url: '/api/v1/coupons',
      headers: { authorization: admin },
      payload: { code: 'taken', kind: 'PERCENTAGE', value: '5' },
    });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().error).toMatchObject({ code: 'CONFLICT', details: { reason: 'COUPON_CODE_TAKEN' } });

    const missing = await h.runtime.app.inject({
      url: `/api/v1/coupons/${randomUUID()}`,
      headers: { authorization: admin },
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('NOT_FOUND');

    const badCursor = await h.runtime.app.inject({
      url: '/api/v1/coupons?cursor=nonsense',
      headers: { authorization: admin },
    });
    expect(badCursor.statusCode).toBe(400);

    const customer = await h.runtime.app.inject({
      url: '/api/v1/coupons',
      headers: { authorization: bearer(randomUUID(), ['customer']) },
    });
    expect(customer.statusCode).toBe(403);
    const anonymous = await h.runtime.app.inject({ url: '/api/v1/coupons' });
    expect(anonymous.statusCode).toBe(401);

    const badCode = await h.runtime.app.inject({
      method: 'POST',
      url: '/api/v1/orders',
      headers: { authorization: bearer(randomUUID(), ['customer']) },
      payload: orderBody([{ product: lamp, quantity: 1 }], { couponCode: 'no spaces allowed' }),
    });
    expect(badCode.statusCode).toBe(400);
    expect(JSON.stringify(badCode.json().error.details)).toContain('couponCode');
  });

  it('publishes the admin routes in the OpenAPI document', async () => {
    const doc = (await h.runtime.app.inject({ url: '/docs/json' })).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/coupons', '/api/v1/coupons/{id}']),
    );
    expect(Object.keys(doc.paths['/api/v1/coupons/{id}'])).toEqual(expect.arrayContaining(['get', 'delete']));
  });
});
