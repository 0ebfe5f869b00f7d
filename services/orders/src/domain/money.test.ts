import { describe, expect, it } from 'vitest';
import {
  currencyExponent,
  decimalText,
  fromMinorUnits,
  MoneyFormatError,
  normalizeAmount,
  sumMinor,
  toMinorUnits,
} from './money.js';

describe('money', () => {
  it('converts decimal strings to minor units and back without rounding', () => {
    expect(toMinorUnits('599.99', 'USD')).toBe(59999n);
    expect(toMinorUnits('600', 'USD')).toBe(60000n);
    expect(toMinorUnits('0.5', 'EUR')).toBe(50n);
    expect(toMinorUnits('0.10', 'GBP')).toBe(10n);
    expect(fromMinorUnits(59999n, 'USD')).toBe('599.99');
    expect(fromMinorUnits(5n, 'USD')).toBe('0.05');
    expect(fromMinorUnits(0n, 'USD')).toBe('0.00');
    expect(fromMinorUnits(-150n, 'USD')).toBe('-1.50');
  });

  it('sums what floating point gets wrong', () => {
    // 0.1 + 0.2 in floating point is 0.30000000000000004
    expect(fromMinorUnits(sumMinor([toMinorUnits('0.1', 'USD'), toMinorUnits('0.2', 'USD')]), 'USD')).toBe(
      '0.30',
    );
    const line = toMinorUnits('599.99', 'USD') * 3n;
    expect(fromMinorUnits(line + toMinorUnits('299.99', 'USD'), 'USD')).toBe('2099.96');
  });

  it('uses the currency decimal places', () => {
    expect(currencyExponent('USD')).toBe(2);
    expect(currencyExponent('JPY')).toBe(0);
    expect(currencyExponent('KWD')).toBe(3);
    expect(toMinorUnits('1500', 'JPY')).toBe(1500n);
    expect(fromMinorUnits(1500n, 'JPY')).toBe('1500');
    expect(normalizeAmount('12.5', 'USD')).toBe('12.50');
    expect(normalizeAmount('12.500', 'USD')).toBe('12.50');
  });

  it('refuses malformed amounts, too many decimal places and amounts that cannot be stored', () => {
    const rule = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return (error as MoneyFormatError).rule;
      }
      return null;
    };
    expect(rule(() => toMinorUnits('-1.00', 'USD'))).toBe('format');
    expect(rule(() => toMinorUnits('1,00', 'USD'))).toBe('format');
    expect(rule(() => toMinorUnits('', 'USD'))).toBe('format');
    expect(rule(() => toMinorUnits('1.', 'USD'))).toBe('format');
    expect(rule(() => toMinorUnits('1.001', 'USD'))).toBe('scale');
    expect(rule(() => toMinorUnits('1.5', 'JPY'))).toBe('scale');
    expect(rule(() => toMinorUnits('10000000000', 'USD'))).toBe('maximum');
    expect(toMinorUnits('9999999999.99', 'USD')).toBe(999999999999n);
  });

  it('reads JSON numbers by their exact decimal text and refuses exponent notation', () => {
    expect(decimalText(599.99)).toBe('599.99');
    expect(decimalText(0.1)).toBe('0.1');
    expect(decimalText(' 12.30 ')).toBe('12.30');
    expect(() => decimalText(1e21)).toThrow(MoneyFormatError);
    expect(() => decimalText(Number.NaN)).toThrow(MoneyFormatError);
  });
});
