import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compensation,
  complete,
  confirm,
  listProducts,
  orderBody,
  orderOf,
  type PlacedOrder,
  type Product,
  requestCompensation,
  reserve,
  ship,
} from './fixtures.js';
import { bearer, startOrders, type OrdersHarness } from './harness.js';

let h: OrdersHarness;
let lamp: Product;
const admin = bearer('operator-1', ['admin']);

beforeAll(async () => {
  h = await startOrders('split-payments');
  lamp = (await listProducts(h, [{ price: '50.00' }]))[0]!;
});
afterAll(async () => {
  await h?.stop();
});

type Part = { type: string; token: string; amount: string | number };

function place(paymentMethods: Part[], overrides: Record<string, unknown> = {}, customerId = randomUUID()) {
  const { paymentMethod: _single, ...body } = orderBody([{ product: lamp, quantity: 2 }]);
  return h.runtime.app.inject({
    method: 'POST',
    url: '/api/v1/orders',
    headers: { authorization: bearer(customerId, ['customer']) },
    payload: { ...body, paymentMethods, ...overrides },
  });
}

/** Two lamps (100.00 USD) paid in parts. */
async function placeSplit(parts: Part[], overrides: Record<string, unknown> = {}) {
  const response = await place(parts, overrides);
  expect(response.statusCode, response.body).toBe(202);
  return response.json() as PlacedOrder & Record<string, unknown>;
}

/** The provider's authorizations of the order, by amount. */
async function authorizations(orderId: string) {
  const all = await h.provider.authorizationsFor(orderId);
  return Object.fromEntries(
    (all as ((typeof all)[number] & { amount: string; refundedAmount: string })[]).map((authorization) => [
      authorization.amount,
      authorization,
    ]),
  );
}

const card = (token: string, amount: string): Part => ({ type: 'CREDIT_CARD', token, amount });

describe('split payments in the order saga', () => {
  it('authorizes every part, publishes SplitPaymentProcessed, captures every part and refunds across them', async () => {
    const order = await placeSplit([card('tok_visa_4242', '60.00'), card('tok_mastercard_4444', '40.00')]);
    expect(order).toMatchObject({
      chargedAmount: '100.00',
      paymentMethod: { type: 'CREDIT_CARD' },
      paymentMethods: [
        { type: 'CREDIT_CARD', amount: '60.00' },
        { type: 'CREDIT_CARD', amount: '40.00' },
      ],
    });
    await reserve(h, order);
    const processed = await h.receivedFor('PaymentProcessed', order.orderId);
    expect(processed).toMatchObject({ amount: '100.00', status: 'AUTHORIZED' });
    const split = await h.receivedFor('SplitPaymentProcessed', order.orderId);
    expect(split).toMatchObject({
      causationId: processed.eventId,
      paymentId: processed.paymentId,
      amount: '100.00',
      currency: 'USD',
      status: 'AUTHORIZED',
      parts: [
        { index: 0, paymentMethod: 'CREDIT_CARD', amount: '60.00', status: 'AUTHORIZED' },
        { index: 1, paymentMethod: 'CREDIT_CARD', amount: '40.00', status: 'AUTHORIZED' },
      ],
    });
    await h.receivedFor('OrderConfirmed', order.orderId);
    const held = await authorizations(order.orderId);
    expect(Object.keys(held).sort()).toEqual(['40.00', '60.00']);
    expect(held['60.00']).toMatchObject({ status: 'AUTHORIZED' });
    expect(held['40.00']).toMatchObject({ status: 'AUTHORIZED' });
    // The tokens are forgotten once the order is confirmed.
    const [row] = await h.prisma.$queryRawUnsafe<{ payment_parts: unknown }[]>(
      'select payment_parts from orders where id = $1::uuid',
      order.orderId,
    );
    expect(JSON.stringify(row!.payment_parts)).not.toContain('tok_');

    await complete(h, order);
    const captured = await authorizations(order.orderId);
    expect(captured['60.00']).toMatchObject({ capturedAmount: '60.00' });
    expect(captured['40.00']).toMatchObject({ capturedAmount: '40.00' });
    expect((await orderOf(h, order.orderId)).payment).toMatchObject({
      status: 'CAPTURED',
      amount: '100.00',
      parts: [
        { index: 0, amount: '60.00', status: 'CAPTURED', refundedAmount: '0.00' },
        { index: 1, amount: '40.00', status: 'CAPTURED', refundedAmount: '0.00' },
      ],
    });

    const refund = (payload: object) =>
      h.runtime.app.inject({
        method: 'POST',
        url: `/api/v1/orders/${order.orderId}/refund`,
        headers: { authorization: admin },
        payload,
      });
    const partial = await refund({ amount: '30.00' });
    expect(partial.statusCode, partial.body).toBe(200);
    expect(partial.json().payment).toMatchObject({
      status: 'PARTIALLY_REFUNDED',
      refundedAmount: '30.00',
      parts: [{ refundedAmount: '0.00' }, { refundedAmount: '30.00' }],
    });
    const rest = await refund({});
    expect(rest.statusCode, rest.body).toBe(200);
    expect(rest.json()).toMatchObject({
      status: 'REFUNDED',
      payment: {
        status: 'REFUNDED',
        refundedAmount: '100.00',
        parts: [{ refundedAmount: '60.00' }, { refundedAmount: '40.00' }],
      },
    });
    const refunded = await authorizations(order.orderId);
    expect(refunded['60.00']).toMatchObject({ refundedAmount: '60.00' });
    expect(refunded['40.00']).toMatchObject({ refundedAmount: '40.00' });
  });

  it('voids the parts authorized when a part is declined: PaymentFailed, nothing captured, the order FAILED', async () => {
    const order = await placeSplit([card('tok_visa_4242', '70.00'), card('tok_decline', '30.00')]);
    await reserve(h, order);
    const failed = await h.receivedFor('PaymentFailed', order.orderId);
    expect(failed).toMatchObject({ amount: '100.00', errorCode: 'PAYMENT_DECLINED', retriable: false });
    expect(failed.errorMessage).toContain('payment part 1');
    const held = await authorizations(order.orderId);
    expect(held['70.00']).toMatchObject({ status: 'VOIDED', capturedAmount: '0.00' });
    for (const authorization of Object.values(held)) expect(authorization.status).not.toBe('CAPTURED');
    expect(await h.committed('SplitPaymentProcessed', order.orderId)).toHaveLength(0);
    expect(await h.committed('PaymentProcessed', order.orderId)).toHaveLength(0);
    expect(await orderOf(h, order.orderId)).toMatchObject({
      status: 'PAYMENT_FAILED',
      payment: { status: 'FAILED', failureCode: 'PAYMENT_DECLINED' },
    });

    await requestCompensation(h, compensation(order.orderId, 'CANCEL_ORDER', 'PAYMENT_FAILED'));
    await h.receivedFor('OrderFailed', order.orderId);
    expect(await orderOf(h, order.orderId)).toMatchObject({
      status: 'FAILED',
      failure: { reason: 'PAYMENT_FAILED', code: 'PAYMENT_DECLINED' },
    });
  });

  it('keeps a part authorized once while another waits for the provider, and voids it when that one gives up', async () => {
    const order = await placeSplit([card('tok_visa_4242', '55.00'), card('tok_unavailable', '45.00')]);
    await reserve(h, order);
    // The second part waits for the recovery sweeper, which runs the split again each round: the first
    // part's answer is recorded, so it is never authorized a second time.
    const failed = await h.receivedFor('PaymentFailed', order.orderId);
    expect(failed).toMatchObject({ amount: '100.00', errorCode: 'PROVIDER_UNAVAILABLE' });
    expect(failed.errorMessage).toContain('payment part 1');
    const all = await h.provider.authorizationsFor(order.orderId);
    const approved = all.filter((authorization) => authorization.status !== 'DECLINED');
    expect(approved).toHaveLength(1);
    expect(approved[0]).toMatchObject({ status: 'VOIDED', capturedAmount: '0.00' });
    expect(await h.committed('SplitPaymentProcessed', order.orderId)).toHaveLength(0);
    expect(await orderOf(h, order.orderId)).toMatchObject({ status: 'PAYMENT_FAILED' });
    // Every call of the split is settled: nothing is left for the sweeper.
    const [unsettled] = await h.prisma.$queryRawUnsafe<{ count: bigint }[]>(
      'select count(*) as count from payment_attempts where order_id = $1::uuid and applied_at is null',
      order.orderId,
    );
    expect(Number(unsettled!.count)).toBe(0);
  });

  it('refunds a part captured before the capture of another part was refused, and voids the rest, on VOID_PAYMENT', async () => {
    const order = await placeSplit([card('tok_visa_4242', '80.00'), card('tok_mastercard_4444', '20.00')]);
    await confirm(h, order);
    // The second part's hold goes away at the provider (as an expired authorization would): its capture is refused.
    const second = (await authorizations(order.orderId))['20.00']!;
    const voided = await h.provider.app.inject({
      method: 'POST',
      url: `/v1/authorizations/${second.id}/void`,
      headers: { 'idempotency-key': `test-expire-${second.id}` },
    });
    expect(voided.statusCode, voided.body).toBeLessThan(300);

    await ship(h, order);
    const failed = await h.receivedFor('PaymentFailed', order.orderId);
    expect(failed).toMatchObject({ amount: '100.00', retriable: false });
    expect((await orderOf(h, order.orderId)).payment).toMatchObject({
      status: 'AUTHORIZED',
      parts: [{ status: 'CAPTURED' }, { status: 'AUTHORIZED' }],
    });

    await requestCompensation(h, compensation(order.orderId, 'VOID_PAYMENT', 'PAYMENT_FAILED'));
    const released = await h.receivedFor('PaymentVoided', order.orderId);
    expect(released).toMatchObject({ amount: '100.00', reason: 'COMPENSATION' });
    const after = await authorizations(order.orderId);
    expect(after['80.00']).toMatchObject({ capturedAmount: '80.00', refundedAmount: '80.00' });
    expect(after['20.00']).toMatchObject({ status: 'VOIDED', capturedAmount: '0.00' });
  });

  it('takes a coupon discount off the last part, and voids every part when the customer cancels', async () => {
    const coupon = await h.runtime.app.inject({
      method: 'POST',
      url: '/api/v1/coupons',
      headers: { authorization: admin },
      payload: { code: 'SPLIT35', kind: 'FIXED', value: '35', currency: 'USD' },
    });
    expect(coupon.statusCode, coupon.body).toBe(201);
    const order = await placeSplit([card('tok_visa_4242', '60.00'), card('tok_amex_0005', '40.00')], {
      couponCode: 'SPLIT35',
    });
    await reserve(h, order);
    const split = await h.receivedFor('SplitPaymentProcessed', order.orderId);
    expect(split).toMatchObject({
      amount: '65.00',
      parts: [
        { index: 0, amount: '60.00' },
        { index: 1, amount: '5.00' },
      ],
    });
    await h.receivedFor('OrderConfirmed', order.orderId);

    const cancel = await h.runtime.app.inject({
      method: 'POST',
      url: `/api/v1/orders/${order.orderId}/cancel`,
      headers: { authorization: bearer(order.customerId, ['customer']) },
      payload: {},
    });
    expect(cancel.statusCode, cancel.body).toBe(200);
    const voided = await h.receivedFor('PaymentVoided', order.orderId);
    expect(voided).toMatchObject({ amount: '65.00', reason: 'ORDER_CANCELLED' });
    const held = await authorizations(order.orderId);
    expect(held['60.00']).toMatchObject({ status: 'VOIDED' });
    expect(held['5.00']).toMatchObject({ status: 'VOIDED' });
    expect((await orderOf(h, order.orderId)).payment).toMatchObject({
      status: 'VOIDED',
      parts: [{ status: 'VOIDED' }, { status: 'VOIDED' }],
    });
  });

  it('answers bad split payments with 400 naming the field, and parts that miss the total with 422', async () => {
    const both = await place([card('tok_visa_4242', '60.00'), card('tok_visa_4242', '40.00')], {
      paymentMethod: { type: 'CREDIT_CARD', token: 'tok_visa_4242' },
    });
    expect(both.statusCode).toBe(400);
    expect(both.json().error.details.fields[0]).toMatchObject({ field: 'body.paymentMethods' });

    const one = await place([card('tok_visa_4242', '100.00')]);
    expect(one.statusCode).toBe(400);
    expect(one.json().error.code).toBe('INVALID_REQUEST');
    expect(one.json().error.details.fields[0].field).toMatch(/^body\.paymentMethods/);

    const zero = await place([card('tok_visa_4242', '100.00'), card('tok_visa_4242', '0')]);
    expect(zero.statusCode).toBe(400);
    expect(zero.json().error.details.fields[0]).toMatchObject({
      field: 'body.paymentMethods[1].amount',
      rule: 'exclusiveMinimum',
    });

    const scale = await place([card('tok_visa_4242', '99.999'), card('tok_visa_4242', '0.001')]);
    expect(scale.statusCode).toBe(400);
    expect(scale.json().error.details.fields[0].field).toBe('body.paymentMethods[0].amount');

    const noToken = await place([
      card('tok_visa_4242', '60.00'),
      { type: 'CREDIT_CARD', amount: '40.00' } as Part,
    ]);
    expect(noToken.statusCode).toBe(400);
    expect(noToken.json().error.details.fields[0].field).toMatch(/^body\.paymentMethods\[1\]/);

    const short = await place([card('tok_visa_4242', '60.00'), card('tok_visa_4242', '39.99')]);
    expect(short.statusCode).toBe(422);
    expect(short.json().error.details).toMatchObject({
      field: 'body.paymentMethods',
      reason: 'AMOUNT_MISMATCH',
      expected: '100.00',
      given: '99.99',
    });

    const neither = await h.runtime.app.inject({
      method: 'POST',
      url: '/api/v1/orders',
      headers: { authorization: bearer(randomUUID(), ['customer']) },
      payload: (({ paymentMethod: _p, ...rest }) => rest)(orderBody([{ product: lamp, quantity: 2 }])),
    });
    expect(neither.statusCode).toBe(400);
    expect(neither.json().error.details.fields[0]).toMatchObject({
      field: 'body.paymentMethod',
      rule: 'required',
    });
  });
});
