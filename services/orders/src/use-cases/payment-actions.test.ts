import { Prisma } from '../generated/prisma/client.js';
import { describe, expect, it } from 'vitest';
import { minorOf, refundableMinor } from './payment-actions.js';
import { paymentRow } from './order-rows.fixture.js';

describe('payment amounts', () => {
  it('reads a stored amount in minor units of its currency', () => {
    expect(minorOf(new Prisma.Decimal('1349.97'), 'USD')).toBe(134_997n);
    expect(minorOf(new Prisma.Decimal('0.1'), 'EUR')).toBe(10n);
    expect(minorOf(new Prisma.Decimal('1500'), 'JPY')).toBe(1500n);
  });

  it('leaves to refund what was paid less what was refunded already', () => {
    expect(refundableMinor(paymentRow())).toBe(134_997n);
    expect(refundableMinor(paymentRow({ refundedAmount: new Prisma.Decimal('349.97') }))).toBe(100_000n);
    expect(refundableMinor(paymentRow({ refundedAmount: new Prisma.Decimal('1349.97') }))).toBe(0n);
  });
});
