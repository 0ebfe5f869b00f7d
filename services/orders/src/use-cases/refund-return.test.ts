import { describe, expect, it } from 'vitest';
import { Prisma } from '../generated/prisma/client.js';
import type { OrderRow } from '../db/orders-store.js';
import { returnedMinor } from './refund-return.js';

const line = (productId: string, quantity: number, unitPrice: string) => ({
  productId,
  quantity,
  unitPrice: new Prisma.Decimal(unitPrice),
});

const order = {
  currency: 'USD',
  items: [line('lamp', 2, '599.99'), line('desk', 1, '299.99'), line('lamp', 1, '549.00')],
} as unknown as OrderRow;

describe('what a return is worth', () => {
  it('prices the returned lines as the order did, in minor units', () => {
    expect(returnedMinor(order, [{ productId: 'desk', quantity: 1, reason: null, condition: null }])).toBe(
      29_999n,
    );
    expect(returnedMinor(order, [{ productId: 'lamp', quantity: 1, reason: null, condition: null }])).toBe(
      59_999n,
    );
  });

  it('takes a product from its lines in order, never more than was ordered', () => {
    const lamps = [{ productId: 'lamp', quantity: 5, reason: null, condition: null }];
    expect(returnedMinor(order, lamps)).toBe(2n * 59_999n + 54_900n);
  });

  it('counts nothing for a product not on the order or a quantity that is not positive', () => {
    expect(
      returnedMinor(order, [
        { productId: 'chair', quantity: 1, reason: null, condition: null },
        { productId: 'desk', quantity: -3, reason: null, condition: null },
        { productId: 'desk', quantity: 0, reason: null, condition: null },
      ]),
    ).toBe(0n);
  });
});
