import type { Principal } from '@fv/service-kit';
import { describe, expect, it } from 'vitest';
import { assertVisible, orderNotFound } from './get-order.js';

const OWNER = '1f0e2d3c-4b5a-4697-8877-665544332211';
const STRANGER = '99999999-8888-4777-a666-555555555555';
const order = { id: 'o-1', customerId: OWNER };
const caller = (sub: string, roles: Principal['roles']): Principal => ({ sub, roles, exp: 0 });

function refusal(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected the order to be hidden');
}

describe('who sees an order', () => {
  it('shows customers their own orders', () => {
    expect(assertVisible(caller(`cust-${OWNER}`, ['customer']), 'o-1', order)).toBe(order);
  });

  it('shows staff every order', () => {
    expect(assertVisible(caller('operator', ['admin']), 'o-1', order)).toBe(order);
    expect(assertVisible(caller('delivery', ['service']), 'o-1', order)).toBe(order);
  });

  it("answers another customer's order exactly like a missing one, so ids cannot be probed", () => {
    const hidden = refusal(() => assertVisible(caller(STRANGER, ['customer']), 'o-1', order));
    const missing = refusal(() => assertVisible(caller(STRANGER, ['customer']), 'o-1', null));
    expect(hidden).toEqual(missing);
    expect(hidden).toMatchObject({
      code: 'NOT_FOUND',
      status: 404,
      message: 'Order o-1 does not exist',
      details: { orderId: 'o-1', reason: 'ORDER_NOT_FOUND' },
    });
    expect(orderNotFound('o-1')).toEqual(hidden);
  });

  it('answers staff asking for a missing order with 404 too', () => {
    expect(refusal(() => assertVisible(caller('operator', ['admin']), 'o-9', null))).toMatchObject({
      status: 404,
      message: 'Order o-9 does not exist',
    });
  });
});
