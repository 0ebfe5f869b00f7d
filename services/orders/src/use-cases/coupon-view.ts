import type { CouponRecord } from '../db/coupons-store.js';

/** A coupon as the admin API shows it. */
export interface CouponView {
  couponId: string;
  code: string;
  kind: string;
  value: string;
  currency: string | null;
  validFrom: string;
  validUntil: string | null;
  minimumOrderValue: string | null;
  usageLimit: number | null;
  perCustomerLimit: number | null;
  /** Uses held by orders now (a failed or cancelled order gives its use back). */
  uses: number;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

export function toCouponView(coupon: CouponRecord): CouponView {
  return {
    couponId: coupon.id,
    code: coupon.code,
    kind: coupon.kind,
    value: coupon.value,
    currency: coupon.currency,
    validFrom: coupon.validFrom.toISOString(),
    validUntil: coupon.validUntil?.toISOString() ?? null,
    minimumOrderValue: coupon.minimumOrderValue,
    usageLimit: coupon.usageLimit,
    perCustomerLimit: coupon.perCustomerLimit,
    uses: coupon.uses,
    active: coupon.active,
    createdAt: coupon.createdAt.toISOString(),
    updatedAt: coupon.updatedAt.toISOString(),
  };
}
