import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertCoupon, redeemCoupon, releaseCoupon, findCouponByCode } from '../src/db/coupons-store.js';
import { startOrders, type OrdersHarness } from './harness.js';

/** Coupon usage limits against the real PostgreSQL server, with orders racing in separate transactions. */
describe('coupon usage limits under concurrency', () => {
  let harness: OrdersHarness;

  beforeAll(async () => {
    harness = await startOrders('coupon-limits');
  });
  afterAll(async () => {
    await harness?.stop();
  });

  async function createCoupon(code: string, usageLimit: number | null, perCustomerLimit: number | null) {
    await insertCoupon(harness.prisma, {
      id: randomUUID(),
      code,
      kind: 'PERCENTAGE',
      value: '10',
      currency: null,
      validFrom: new Date(Date.now() - 60_000),
      validUntil: null,
      minimumOrderValue: null,
      usageLimit,
      perCustomerLimit,
      active: true,
    });
  }

  function redeem(code: string, orderId: string, customerId: string) {
    return harness.prisma.$transaction(
      (tx) =>
        redeemCoupon(tx, { code, orderId, customerId, total: '100.00', currency: 'USD', now: new Date() }),
      { timeout: 30_000 },
    );
  }

  it('grants exactly 10 of 50 concurrent orders a code limited to 10 uses', async () => {
    await createCoupon('RACE10', 10, null);
    const decisions = await Promise.all(
      Array.from({ length: 50 }, () => redeem('RACE10', randomUUID(), randomUUID())),
    );
    const applied = decisions.filter((decision) => decision.applied);
    expect(applied).toHaveLength(10);
    expect(decisions.filter((d) => !d.applied).every((d) => d.reason === 'COUPON_USAGE_LIMIT_REACHED')).toBe(
      true,
    );
    expect((await findCouponByCode(harness.prisma, 'RACE10'))?.uses).toBe(10);
    const active = await harness.prisma.couponRedemption.count({ where: { status: 'ACTIVE' } });
    expect(active).toBe(10);
  });

  it('keeps the per-customer limit under concurrency and gives uses back on release', async () => {
    await createCoupon('ONEEACH', null, 1);
    const customer = randomUUID();
    const orders = Array.from({ length: 20 }, () => randomUUID());
    const decisions = await Promise.all(orders.map((orderId) => redeem('ONEEACH', orderId, customer)));
    const winners = orders.filter((_, index) => decisions[index]!.applied);
    expect(winners).toHaveLength(1);
    expect(
      decisions.filter((d) => !d.applied).every((d) => d.reason === 'COUPON_CUSTOMER_LIMIT_REACHED'),
    ).toBe(true);
    expect((await findCouponByCode(harness.prisma, 'ONEEACH'))?.uses).toBe(1);

    expect(await releaseCoupon(harness.prisma, winners[0]!)).toMatchObject({ discount: '10.00' });
    expect(await releaseCoupon(harness.prisma, winners[0]!)).toBeNull();
    expect((await findCouponByCode(harness.prisma, 'ONEEACH'))?.uses).toBe(0);
    expect((await redeem('ONEEACH', randomUUID(), customer)).applied).toBe(true);
  });

  it('returns the held redemption when the same order is applied again', async () => {
    await createCoupon('AGAIN', 1, null);
    const orderId = randomUUID();
    const customer = randomUUID();
    expect((await redeem('AGAIN', orderId, customer)).applied).toBe(true);
    expect((await redeem('AGAIN', orderId, customer)).applied).toBe(true);
    expect((await findCouponByCode(harness.prisma, 'AGAIN'))?.uses).toBe(1);
  });
});
