import { describe, expect, it } from 'vitest';
import { Prisma } from '../generated/prisma/client.js';
import { chargedAmountOf } from './order-view.js';

const order = (total: string, discount: string | null, currency = 'USD') => ({
  totalAmount: new Prisma.Decimal(total),
  discountAmount: discount === null ? null : new Prisma.Decimal(discount),
  currency,
});

describe('chargedAmountOf', () => {
  it('is the total without a discount', () => {
    expect(chargedAmountOf(order('100', null))).toBe('100.00');
  });

  it('takes the discount off in minor units', () => {
    expect(chargedAmountOf(order('1499.97', '224.99'))).toBe('1274.98');
    expect(chargedAmountOf(order('0.30', '0.10'))).toBe('0.20');
  });

  it('never goes below zero', () => {
    expect(chargedAmountOf(order('10.00', '10.00'))).toBe('0.00');
    expect(chargedAmountOf(order('10.00', '12.00'))).toBe('0.00');
  });
});
