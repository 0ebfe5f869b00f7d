import {
  normalizeCouponCode,
  percentToBasisPoints,
  type CouponTerms,
  type DiscountKind,
} from './coupon-rules.js';
import { decimalText, MoneyFormatError, normalizeAmount, toMinorUnits } from './money.js';

/** A coupon as an administrator sends it (POST /coupons), after schema validation. */
export interface CouponInput {
  code: string;
  kind: DiscountKind;
  value: string | number;
  currency?: string;
  validFrom?: string;
  validUntil?: string;
  minimumOrderValue?: string | number;
  usageLimit?: number;
  perCustomerLimit?: number;
  active?: boolean;
}

/** The terms of a new coupon, normalised: code upper case, amounts with the currency's decimals. */
export interface CouponTermsInput extends CouponTerms {
  usageLimit: number | null;
  perCustomerLimit: number | null;
}

export interface CouponFieldIssue {
  field: string;
  rule: string;
  message: string;
}

/** A positive amount of `currency`, or the issue with it. */
function positiveAmount(value: string | number, currency: string, field: string): string | CouponFieldIssue {
  try {
    const text = decimalText(value);
    if (toMinorUnits(text, currency) <= 0n) return { field, rule: 'minimum', message: 'must be more than 0' };
    return normalizeAmount(text, currency);
  } catch (error) {
    if (error instanceof MoneyFormatError) return { field, rule: error.rule, message: error.message };
    throw error;
  }
}

/**
 * The rules the schema cannot say: a percentage in (0, 100] with at most two decimals; a fixed discount
 * and a minimum order value need a currency and fit its decimals; validUntil after validFrom. Returns
 * the normalised terms, or every issue found (each naming its field).
 */
export function parseCouponInput(
  input: CouponInput,
  now: Date,
): { ok: true; terms: CouponTermsInput } | { ok: false; issues: CouponFieldIssue[] } {
  const issues: CouponFieldIssue[] = [];
  const currency = input.currency ?? null;
  let value = '';
  if (input.kind === 'PERCENTAGE') {
    try {
      const points = percentToBasisPoints(decimalText(input.value));
      value = `${points / 100n}.${String(points % 100n).padStart(2, '0')}`;
    } catch (error) {
      if (!(error instanceof RangeError || error instanceof MoneyFormatError)) throw error;
      issues.push({
        field: 'body.value',
        rule: 'percentage',
        message: 'must be a percentage in (0, 100] with at most two decimals, e.g. 10 or 12.5',
      });
    }
  } else if (currency === null) {
    issues.push({ field: 'body.currency', rule: 'required', message: 'is required for a FIXED discount' });
  } else {
    const amount = positiveAmount(input.value, currency, 'body.value');
    if (typeof amount === 'string') value = amount;
    else issues.push(amount);
  }

  let minimumOrderValue: string | null = null;
  if (input.minimumOrderValue !== undefined) {
    if (currency === null) {
      issues.push({
        field: 'body.currency',
        rule: 'required',
        message: 'is required with a minimumOrderValue',
      });
    } else {
      const amount = positiveAmount(input.minimumOrderValue, currency, 'body.minimumOrderValue');
      if (typeof amount === 'string') minimumOrderValue = amount;
      else issues.push(amount);
    }
  }

  const validFrom = input.validFrom === undefined ? now : new Date(input.validFrom);
  const validUntil = input.validUntil === undefined ? null : new Date(input.validUntil);
  if (validUntil !== null && validUntil <= validFrom) {
    issues.push({ field: 'body.validUntil', rule: 'after', message: 'must be later than validFrom' });
  }
  if (issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    terms: {
      code: normalizeCouponCode(input.code),
      kind: input.kind,
      value,
      currency,
      validFrom,
      validUntil,
      minimumOrderValue,
      usageLimit: input.usageLimit ?? null,
      perCustomerLimit: input.perCustomerLimit ?? null,
      active: input.active ?? true,
    },
  };
}
