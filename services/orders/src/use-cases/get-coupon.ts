import { notFound } from '@fv/service-kit';
import { findCoupon } from '../db/coupons-store.js';
import type { Db } from '../db/orders-store.js';
import { toCouponView, type CouponView } from './coupon-view.js';

export function couponNotFound(couponId: string) {
  return notFound('NOT_FOUND', `Coupon ${couponId} does not exist`, { couponId, reason: 'COUPON_NOT_FOUND' });
}

export async function getCoupon(db: Db, couponId: string): Promise<CouponView> {
  const coupon = await findCoupon(db, couponId);
  if (!coupon) throw couponNotFound(couponId);
  return toCouponView(coupon);
}
