import { describe, expect, it } from 'vitest';
import { orderRow } from './order-rows.fixture.js';
import { isSplitOrder } from './split-payment.js';

describe('split orders', () => {
  it('are the orders placed with payment parts; any other order is paid with one method', () => {
    expect(
      isSplitOrder(
        orderRow({
          paymentParts: [
            { type: 'CREDIT_CARD', amount: '1000.00' },
            { type: 'GIFT_CARD', amount: '349.97' },
          ],
        }),
      ),
    ).toBe(true);
    expect(isSplitOrder(orderRow({ paymentParts: null }))).toBe(false);
    expect(isSplitOrder(orderRow({ paymentParts: [] }))).toBe(false);
  });
});
