import { describe, expect, it } from 'vitest';
import {
  discountMinor,
  evaluateCoupon,
  normalizeCouponCode,
  percentToBasisPoints,
  type CouponTerms,
} from './coupon-rules.js';

const now = new Date('2026-06-15T12:00:00Z');
const base: CouponTerms = {
  code: 'SUMMER10',
  kind: 'PERCENTAGE',
  value: '10',
  currency: null,
  validFrom: new Date('2026-06-01T00:00:00Z'),
  validUntil: new Date('2026-07-01T00:00:00Z'),
  minimumOrderValue: null,
  active: true,
};
const order = { total: '599.99', currency: 'USD' };

describe('coupon rules', () => {
  it('normalises codes', () => {
    expect(normalizeCouponCode('  summer10 ')).toBe('SUMMER10');
  });

  it('parses percentages to basis points and refuses out-of-range values', () => {
    expect(percentToBasisPoints('12.5')).toBe(1250n);
    expect(percentToBasisPoints('100')).toBe(10_000n);
    expect(() => percentToBasisPoints('0')).toThrow(RangeError);
    expect(() => percentToBasisPoints('100.01')).toThrow(RangeError);
    expect(() => percentToBasisPoints('1.234')).toThrow(RangeError);
  });

  it('rounds a percentage discount down to the minor unit', () => {
    // 10 % of 599.99 is 59.999 -> 59.99
    expect(evaluateCoupon(base, order, now)).toEqual({
      applied: true,
      discount: '59.99',
      newTotal: '540.00',
    });
    expect(discountMinor({ kind: 'PERCENTAGE', value: '33.33' }, 100n, 'USD')).toBe(33n);
  });

  it('takes a fixed amount off and caps it at the total', () => {
    const fixed: CouponTerms = { ...base, kind: 'FIXED', value: '50', currency: 'USD' };
    expect(evaluateCoupon(fixed, order, now)).toEqual({
      applied: true,
      discount: '50.00',
      newTotal: '549.99',
    });
    expect(evaluateCoupon(fixed, { total: '20.00', currency: 'USD' }, now)).toEqual({
      applied: true,
      discount: '20.00',
      newTotal: '0.00',
    });
  });

  it('handles zero-decimal currencies', () => {
    expect(evaluateCoupon(base, { total: '1999', currency: 'JPY' }, now)).toEqual({
      applied: true,
      discount: '199',
      newTotal: '1800',
    });
  });

  it('rejects unknown, disabled, early and expired codes', () => {
    expect(evaluateCoupon(null, order, now)).toMatchObject({ applied: false, reason: 'COUPON_NOT_FOUND' });
    expect(evaluateCoupon({ ...base, active: false }, order, now)).toMatchObject({
      reason: 'COUPON_INACTIVE',
    });
    expect(evaluateCoupon(base, order, new Date('2026-05-31T23:59:59Z'))).toMatchObject({
      reason: 'COUPON_NOT_YET_VALID',
    });
    expect(evaluateCoupon(base, order, new Date('2026-07-01T00:00:00Z'))).toMatchObject({
      reason: 'COUPON_EXPIRED',
    });
    expect(
      evaluateCoupon({ ...base, validUntil: null }, order, new Date('2030-01-01T00:00:00Z')),
    ).toMatchObject({
      applied: true,
    });
  });

  it('enforces the minimum order value, inclusive, in the coupon currency', () => {
    const minimum: CouponTerms = { ...base, minimumOrderValue: '600', currency: 'USD' };
    expect(evaluateCoupon(minimum, order, now)).toMatchObject({ reason: 'COUPON_MINIMUM_NOT_MET' });
    expect(evaluateCoupon(minimum, { total: '600.00', currency: 'USD' }, now)).toMatchObject({
      applied: true,
    });
    expect(evaluateCoupon(minimum, { total: '700.00', currency: 'EUR' }, now)).toMatchObject({
      reason: 'COUPON_CURRENCY_MISMATCH',
    });
  });
});
