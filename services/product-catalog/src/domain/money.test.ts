import { describe, expect, it } from 'vitest';
import { compareAmounts, parseAmount, parseCurrency } from './money.js';

describe('parseAmount', () => {
  it.each([
    ['19.99', '19.99'],
    ['7.5', '7.50'],
    ['0012', '12.00'],
    [' 3.10 ', '3.10'],
    [12, '12.00'],
    [19.99, '19.99'],
    [0, '0.00'],
    ['9999999999.99', '9999999999.99'],
  ])('reads %j as %s', (input, expected) => {
    expect(parseAmount(input)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['-1', 'minimum'],
    [-0.01, 'minimum'],
    ['1.999', 'multipleOf'],
    [0.1 + 0.2, 'multipleOf'],
    ['abc', 'format'],
    ['1e3', 'format'],
    ['', 'format'],
    ['12345678901', 'maximum'],
    [Number.POSITIVE_INFINITY, 'type'],
    [true, 'type'],
  ])('refuses %j (%s)', (input, rule) => {
    const result = parseAmount(input);
    expect(result.ok).toBe(false);
    expect(result.ok ? null : result.rule).toBe(rule);
  });

  it.each(['-0', '-0.00', ' -000.0 '])(
    'reads the negative zero %j as zero, not as a negative price',
    (input) => {
      expect(parseAmount(input)).toEqual({ ok: true, value: '0.00' });
    },
  );
});

describe('compareAmounts', () => {
  it('compares exactly, whatever the number of decimals written', () => {
    expect(compareAmounts('10.10', '10.1')).toBe(0);
    expect(compareAmounts('0.30', '0.29')).toBe(1);
    expect(compareAmounts('999.99', '1000.00')).toBe(-1);
  });
});

describe('parseCurrency', () => {
  const supported = ['USD', 'EUR'];
  it('accepts a supported code in any case', () => {
    expect(parseCurrency('eur', supported)).toEqual({ ok: true, value: 'EUR' });
  });
  it('refuses an unsupported or malformed code', () => {
    expect(parseCurrency('JPY', supported)).toMatchObject({ ok: false, rule: 'enum' });
    expect(parseCurrency('US', supported)).toMatchObject({ ok: false, rule: 'format' });
  });
});
