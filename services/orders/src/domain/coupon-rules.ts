import { fromMinorUnits, toMinorUnits } from './money.js';

/**
 * The rules of a promotion code, as pure functions over minor units. Usage limits are not checked
 * here: they are enforced by the database (a conditional counter update and one row per use), so
 * that concurrent orders can never exceed them; this module only decides whether a code may be
 * applied to an order and what it takes off.
 */

export type DiscountKind = 'PERCENTAGE' | 'FIXED';

export interface CouponTerms {
  code: string;
  kind: DiscountKind;
  /** PERCENTAGE: a whole or decimal percent in (0, 100]; FIXED: a decimal amount in `currency`. */
  value: string;
  /** Currency of a FIXED discount and of `minimumOrderValue`; null means any (PERCENTAGE only). */
  currency: string | null;
  validFrom: Date;
  validUntil: Date | null;
  /** Decimal amount the order total must reach, or null. */
  minimumOrderValue: string | null;
  active: boolean;
}

export type CouponRejectionReason =
  | 'COUPON_NOT_FOUND'
  | 'COUPON_INACTIVE'
  | 'COUPON_NOT_YET_VALID'
  | 'COUPON_EXPIRED'
  | 'COUPON_CURRENCY_MISMATCH'
  | 'COUPON_MINIMUM_NOT_MET'
  | 'COUPON_USAGE_LIMIT_REACHED'
  | 'COUPON_CUSTOMER_LIMIT_REACHED';

export type CouponDecision =
  | { applied: true; discount: string; newTotal: string }
  | { applied: false; reason: CouponRejectionReason; message: string };

/** Normalised form in which codes are stored and compared: trimmed, upper case. */
export function normalizeCouponCode(code: string): string {
  return code.trim().toUpperCase();
}

/** Percent with up to two decimals as basis points: "12.5" -> 1250n. */
export function percentToBasisPoints(value: string): bigint {
  const match = /^(\d{1,3})(?:\.(\d{1,2}))?$/.exec(value.trim());
  if (!match) throw new RangeError(`"${value}" is not a percentage such as 10 or 12.5`);
  const points = BigInt(match[1]!) * 100n + BigInt((match[2] ?? '').padEnd(2, '0'));
  if (points <= 0n || points > 10_000n) throw new RangeError(`${value} is not a percentage in (0, 100]`);
  return points;
}

/**
 * The discount in minor units for `totalMinor`: a percentage is rounded down to the minor unit, so the
 * discount never exceeds the advertised percentage; a fixed amount is capped at the total, so an
 * order never goes below zero.
 */
export function discountMinor(
  terms: Pick<CouponTerms, 'kind' | 'value'>,
  totalMinor: bigint,
  currency: string,
): bigint {
  if (totalMinor <= 0n) return 0n;
  if (terms.kind === 'PERCENTAGE') {
    const points = percentToBasisPoints(terms.value);
    return (totalMinor * points) / 10_000n;
  }
  const fixed = toMinorUnits(terms.value, currency);
  return fixed > totalMinor ? totalMinor : fixed;
}

/** Decides whether `terms` apply to an order of `total` in `currency` at `now`. */
export function evaluateCoupon(
  terms: CouponTerms | null,
  order: { total: string; currency: string },
  now: Date,
): CouponDecision {
  if (!terms) return { applied: false, reason: 'COUPON_NOT_FOUND', message: 'no such coupon code' };
  if (!terms.active)
    return { applied: false, reason: 'COUPON_INACTIVE', message: `${terms.code} is disabled` };
  if (now < terms.validFrom) {
    return {
      applied: false,
      reason: 'COUPON_NOT_YET_VALID',
      message: `${terms.code} is valid from ${terms.validFrom.toISOString()}`,
    };
  }
  if (terms.validUntil && now >= terms.validUntil) {
    return {
      applied: false,
      reason: 'COUPON_EXPIRED',
      message: `${terms.code} expired at ${terms.validUntil.toISOString()}`,
    };
  }
  const needsCurrency = terms.kind === 'FIXED' || terms.minimumOrderValue !== null;
  if (needsCurrency && terms.currency !== null && terms.currency !== order.currency) {
    return {
      applied: false,
      reason: 'COUPON_CURRENCY_MISMATCH',
      message: `${terms.code} is for orders in ${terms.currency}, not ${order.currency}`,
    };
  }
  const totalMinor = toMinorUnits(order.total, order.currency);
  if (
    terms.minimumOrderValue !== null &&
    totalMinor < toMinorUnits(terms.minimumOrderValue, order.currency)
  ) {
    return {
      applied: false,
      reason: 'COUPON_MINIMUM_NOT_MET',
      message: `${terms.code} needs an order of at least ${terms.minimumOrderValue} ${order.currency}`,
    };
  }
  const discount = discountMinor(terms, totalMinor, order.currency);
  return {
    applied: true,
    discount: fromMinorUnits(discount, order.currency),
    newTotal: fromMinorUnits(totalMinor - discount, order.currency),
  };
}
