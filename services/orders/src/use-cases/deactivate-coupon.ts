import { setCouponActive } from '../db/coupons-store.js';
import { toCouponView, type CouponView } from './coupon-view.js';
import { couponNotFound } from './get-coupon.js';
import type { OrdersDeps } from './orders-deps.js';

/**
 * Turns a coupon off (admin): orders that try it from now on are rejected (COUPON_INACTIVE); uses held
 * already are kept. Deactivating an inactive coupon answers it as it is.
 */
export async function deactivateCoupon(deps: OrdersDeps, couponId: string): Promise<CouponView> {
  const coupon = await deps.transaction((tx) => setCouponActive(tx, couponId, false));
  if (!coupon) throw couponNotFound(couponId);
  deps.logger.info({ couponId, code: coupon.code }, 'coupon deactivated');
  return toCouponView(coupon);
}
