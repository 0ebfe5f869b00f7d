import { describe, expect, it } from 'vitest';
import { planOrders, surelyShips, type CouponCodes, type Product } from './load.js';
import { Prng } from '@fv/testing';

const products: Product[] = ['9.00', '12.34', '30.00'].map((price, i) => ({
  productId: `0000000${i}-0000-4000-8000-000000000000`,
  sku: `SKU-${i}`,
  price,
  initialOnHand: 1000,
  replenishment: null,
}));
const coupons: CouponCodes = { limited: { code: 'LIMITED', usageLimit: 5 }, open: { code: 'OPEN' } };
const minor = (amount: string) => Math.round(Number(amount) * 100);

function plan(seed: number) {
  return planOrders({ products, orders: 600, random: new Prng(seed).fork('orders'), runId: 'r', coupons });
}

describe('the orders of a load', () => {
  it('carry the limited and the open coupon in turn, with the discount their terms give the total', () => {
    const orders = plan(3);
    expect(plan(3).map(({ customerId: _c, ...order }) => order)).toEqual(
      orders.map(({ customerId: _c, ...order }) => order),
    );
    const withCoupon = orders.filter((order) => order.coupon);
    expect(withCoupon).toHaveLength(100);
    for (const order of withCoupon) {
      const total = order.lines.reduce(
        (sum, line) =>
          sum + minor(products.find((p) => p.productId === line.productId)!.price) * line.quantity,
        0,
      );
      const coupon = order.coupon!;
      expect(order.parts).toBeNull();
      if (coupon.limited) expect(coupon.discountMinor).toBe(Math.floor(total / 10));
      else if (total < 1000)
        expect(coupon).toMatchObject({ discountMinor: 0, rejection: 'COUPON_MINIMUM_NOT_MET' });
      else expect(coupon).toMatchObject({ discountMinor: 200, rejection: null });
    }
    expect(withCoupon.filter((order) => order.coupon!.limited)).toHaveLength(50);
    expect(withCoupon.some((order) => order.coupon!.rejection)).toBe(true);
    expect(withCoupon.some((order) => order.card === 'tok_decline')).toBe(true);
  });

  it('pay every sixth order with two cards whose amounts add up to the total, the last card deciding', () => {
    const split = plan(3).filter((order) => order.parts);
    expect(split).toHaveLength(100);
    for (const order of split) {
      const total = order.lines.reduce(
        (sum, line) =>
          sum + minor(products.find((p) => p.productId === line.productId)!.price) * line.quantity,
        0,
      );
      const [first, last] = order.parts!;
      expect(first!.token).toBe('tok_visa_4242');
      expect(last!.token).toBe(order.card);
      expect(minor(first!.amount) + minor(last!.amount)).toBe(total);
      expect(minor(first!.amount)).toBeGreaterThan(0);
      expect(minor(last!.amount)).toBeGreaterThan(0);
    }
    expect(split.some((order) => order.card === 'tok_decline')).toBe(true);
    expect(split.some((order) => order.card === 'tok_transient_once')).toBe(true);
  });

  it('are sure to ship only with an approved card and no coupon that may be refused', () => {
    const base = { card: 'tok_visa_4242', coupon: null };
    expect(surelyShips(base)).toBe(true);
    expect(surelyShips({ ...base, card: 'tok_decline' })).toBe(false);
    const coupon = { code: 'C', limited: false, discountMinor: 200, rejection: null };
    expect(surelyShips({ ...base, coupon })).toBe(true);
    expect(surelyShips({ ...base, coupon: { ...coupon, limited: true } })).toBe(false);
    expect(surelyShips({ ...base, coupon: { ...coupon, rejection: 'COUPON_MINIMUM_NOT_MET' } })).toBe(false);
  });
});
