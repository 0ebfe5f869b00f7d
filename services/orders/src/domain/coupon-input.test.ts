import { describe, expect, it } from 'vitest';
import { parseCouponInput } from './coupon-input.js';

const now = new Date('2026-12-01T00:00:00Z');

describe('parseCouponInput', () => {
  it('normalises a percentage coupon: code upper case, value with two decimals, valid from now', () => {
    const parsed = parseCouponInput({ code: ' spring10 ', kind: 'PERCENTAGE', value: 12.5 }, now);
    expect(parsed).toEqual({
      ok: true,
      terms: {
        code: 'SPRING10',
        kind: 'PERCENTAGE',
        value: '12.50',
        currency: null,
        validFrom: now,
        validUntil: null,
        minimumOrderValue: null,
        usageLimit: null,
        perCustomerLimit: null,
        active: true,
      },
    });
  });

  it('normalises a fixed discount and a minimum order value in the currency', () => {
    const parsed = parseCouponInput(
      {
        code: 'TENOFF',
        kind: 'FIXED',
        value: '10',
        currency: 'USD',
        minimumOrderValue: '50.5',
        usageLimit: 100,
        perCustomerLimit: 1,
        validUntil: '2027-01-01T00:00:00Z',
      },
      now,
    );
    expect(parsed.ok && parsed.terms).toMatchObject({
      value: '10.00',
      minimumOrderValue: '50.50',
      usageLimit: 100,
      perCustomerLimit: 1,
      validUntil: new Date('2027-01-01T00:00:00Z'),
    });
  });

  it('names every field at fault', () => {
    expect(parseCouponInput({ code: 'X', kind: 'PERCENTAGE', value: '101' }, now)).toEqual({
      ok: false,
      issues: [expect.objectContaining({ field: 'body.value', rule: 'percentage' })],
    });
    expect(parseCouponInput({ code: 'X', kind: 'PERCENTAGE', value: '0' }, now)).toMatchObject({ ok: false });
    expect(parseCouponInput({ code: 'X', kind: 'PERCENTAGE', value: '5.125' }, now)).toMatchObject({
      ok: false,
    });
    const fixed = parseCouponInput({ code: 'X', kind: 'FIXED', value: '5', minimumOrderValue: '20' }, now);
    expect(fixed.ok ? [] : fixed.issues.map((issue) => issue.field)).toEqual([
      'body.currency',
      'body.currency',
    ]);
    const scale = parseCouponInput({ code: 'X', kind: 'FIXED', value: '5.001', currency: 'USD' }, now);
    expect(scale.ok ? null : scale.issues[0]).toMatchObject({ field: 'body.value', rule: 'scale' });
    const zero = parseCouponInput({ code: 'X', kind: 'FIXED', value: 0, currency: 'USD' }, now);
    expect(zero.ok ? null : zero.issues[0]).toMatchObject({ field: 'body.value', rule: 'minimum' });
    const dates = parseCouponInput(
      {
        code: 'X',
        kind: 'PERCENTAGE',
        value: '5',
        validFrom: '2027-01-01T00:00:00Z',
        validUntil: '2026-12-31T00:00:00Z',
      },
      now,
    );
    expect(dates.ok ? null : dates.issues[0]).toMatchObject({ field: 'body.validUntil', rule: 'after' });
  });

  it('checks a minimum order value like an amount of the currency', () => {
    const format = parseCouponInput(
      { code: 'X', kind: 'PERCENTAGE', value: '5', currency: 'USD', minimumOrderValue: 'twenty' },
      now,
    );
    expect(format).toEqual({
      ok: false,
      issues: [expect.objectContaining({ field: 'body.minimumOrderValue', rule: 'format' })],
    });
    const zero = parseCouponInput(
      { code: 'X', kind: 'PERCENTAGE', value: '5', currency: 'JPY', minimumOrderValue: '0' },
      now,
    );
    expect(zero.ok ? null : zero.issues).toEqual([
      { field: 'body.minimumOrderValue', rule: 'minimum', message: 'must be more than 0' },
    ]);
    const yen = parseCouponInput(
      { code: 'X', kind: 'PERCENTAGE', value: '5', currency: 'JPY', minimumOrderValue: 1500 },
      now,
    );
    expect(yen.ok ? yen.terms.minimumOrderValue : null).toBe('1500');
  });
});
