import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { waitFor } from '@fv/testing';
import { call } from '../src/index.js';
import { shop } from '../src/shop.js';
import { sharedPlatform } from '../src/shared-platform.js';

/**
 * Split payments across the services (seed 002): an order paid with two cards, each part authorized
 * and captured at the payment provider on its own; a part declined voids the others, so nothing is
 * captured and the saga ends the order FAILED with its stock released.
 */
const platform = sharedPlatform();
const { admin, stockedProduct, placeOrder, orderReaches, stockOf } = shop(platform);

interface OrderView {
  orderId: string;
  status: string;
  chargedAmount: string;
  payment: {
    status: string;
    amount: string;
    parts: { index: number; amount: string; status: string }[] | null;
  } | null;
  failure: { reason: string | null; code: string | null } | null;
}

interface Authorization {
  status: string;
  amount: string;
  capturedAmount: string;
}

async function orderOf(orderId: string): Promise<OrderView> {
  return (await call<OrderView>('GET', `${platform.url('orders')}/api/v1/orders/${orderId}`, admin)).body;
}

/** The provider's own ledger for the order: every authorization it made, whatever the order service says. */
async function authorizationsAtProvider(orderId: string): Promise<Authorization[]> {
  const response = await fetch(
    `${platform.paymentProviderUrl}/v1/authorizations?merchantReference=${encodeURIComponent(orderId)}`,
  );
  expect(response.status).toBe(200);
  return ((await response.json()) as { authorizations: Authorization[] }).authorizations;
}

const card = (token: string, amount: string) => ({ type: 'CREDIT_CARD', token, amount });

describe('split payments, end to end', () => {
  it('a split payment with one part declined leaves nothing captured, and the order FAILED', async () => {
    const productId = await stockedProduct(5, '25.00');
    const order = await placeOrder(
      randomUUID(),
      productId,
      2,
      'unused',
      {},
      {
        paymentMethods: [card('tok_visa_4242', '30.00'), card('tok_decline', '20.00')],
      },
    );
    await orderReaches(order.orderId, 'FAILED', 90_000);
    expect(await orderOf(order.orderId)).toMatchObject({
      chargedAmount: '50.00',
      payment: { status: 'FAILED' },
      failure: { reason: 'PAYMENT_FAILED', code: 'PAYMENT_DECLINED' },
    });

    // At the provider: the approved part was authorized once and voided; nothing was captured.
    const authorizations = await authorizationsAtProvider(order.orderId);
    const approved = authorizations.filter((authorization) => authorization.amount === '30.00');
    expect(approved).toHaveLength(1);
    expect(approved[0]).toMatchObject({ status: 'VOIDED', capturedAmount: '0.00' });
    for (const authorization of authorizations) {
      expect(authorization.capturedAmount).toBe('0.00');
      expect(authorization.status).not.toBe('AUTHORIZED');
    }

    // The saga is compensated: the reserved stock comes back.
    await waitFor(async () => (await stockOf(productId)).reserved === 0, {
      timeoutMs: 60_000,
      description: 'the stock to be released',
    });
    expect((await stockOf(productId)).onHand).toBe(5);
  });

  it('a split payment with every part approved captures each part and completes the order', async () => {
    const productId = await stockedProduct(5, '25.00');
    const order = await placeOrder(
      randomUUID(),
      productId,
      2,
      'unused',
      {},
      {
        paymentMethods: [card('tok_visa_4242', '35.00'), card('tok_mastercard_4444', '15.00')],
      },
    );
    await orderReaches(order.orderId, 'COMPLETED', 90_000);
    expect(await orderOf(order.orderId)).toMatchObject({
      payment: {
        status: 'CAPTURED',
        amount: '50.00',
        parts: [
          { index: 0, amount: '35.00', status: 'CAPTURED' },
          { index: 1, amount: '15.00', status: 'CAPTURED' },
        ],
      },
    });
    const captured = (await authorizationsAtProvider(order.orderId))
      .map((authorization) => [authorization.amount, authorization.capturedAmount])
      .sort();
    expect(captured).toEqual([
      ['15.00', '15.00'],
      ['35.00', '35.00'],
    ]);
  });
});
