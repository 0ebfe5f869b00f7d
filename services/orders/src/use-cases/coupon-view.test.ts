import { describe, expect, it } from 'vitest';
import type { CouponRecord } from '../db/coupons-store.js';
import { toCouponView } from './coupon-view.js';
import { couponNotFound } from './get-coupon.js';

const coupon: CouponRecord = {
  id: 'k-1',
  code: 'SPRING10',
  kind: 'PERCENTAGE',
  value: '10.00',
  currency: null,
  validFrom: new Date('2026-03-01T00:00:00Z'),
  validUntil: null,
  minimumOrderValue: null,
  usageLimit: null,
  perCustomerLimit: 1,
  uses: 7,
  active: true,
  createdAt: new Date('2026-02-20T09:00:00Z'),
  updatedAt: new Date('2026-02-21T09:00:00Z'),
};

describe('a coupon as the admin API shows it', () => {
  it('gives its terms, limits and uses, with times in ISO 8601 and no end when it has none', () => {
    expect(toCouponView(coupon)).toEqual({
      couponId: 'k-1',
      code: 'SPRING10',
      kind: 'PERCENTAGE',
      value: '10.00',
      currency: null,
      validFrom: '2026-03-01T00:00:00.000Z',
      validUntil: null,
      minimumOrderValue: null,
      usageLimit: null,
      perCustomerLimit: 1,
      uses: 7,
      active: true,
      createdAt: '2026-02-20T09:00:00.000Z',
      updatedAt: '2026-02-21T09:00:00.000Z',
    });
  });

  it('gives the end of a fixed discount and its minimum order value in its currency', () => {
    expect(
      toCouponView({
        ...coupon,
        kind: 'FIXED',
        value: '5.00',
        currency: 'EUR',
        minimumOrderValue: '20.00',
        validUntil: new Date('2026-06-01T00:00:00Z'),
        active: false,
      }),
    ).toMatchObject({
      kind: 'FIXED',
      value: '5.00',
      currency: 'EUR',
      minimumOrderValue: '20.00',
      validUntil: '2026-06-01T00:00:00.000Z',
      active: false,
    });
  });

  it('answers an unknown coupon with 404 COUPON_NOT_FOUND', () => {
    expect(couponNotFound('k-9')).toMatchObject({
      code: 'NOT_FOUND',
      status: 404,
      message: 'Coupon k-9 does not exist',
      details: { couponId: 'k-9', reason: 'COUPON_NOT_FOUND' },
    });
  });
});
