import { describe, expect, it } from 'vitest';
import { fromMinor, toMinor } from './money.js';

describe('money in minor units', () => {
  it('reads decimal strings with at most the currency decimals', () => {
    expect(toMinor('1499.97', 'USD')).toBe(149997n);
    expect(toMinor('10', 'USD')).toBe(1000n);
    expect(toMinor('1.5', 'EUR')).toBe(150n);
    expect(toMinor('500', 'JPY')).toBe(500n);
    expect(toMinor('1.5', 'JPY')).toBeNull();
    expect(toMinor('1.999', 'USD')).toBeNull();
    expect(toMinor('0.00', 'USD')).toBeNull();
    expect(toMinor('-1', 'USD')).toBeNull();
    expect(toMinor('1e3', 'USD')).toBeNull();
  });

  it('writes minor units back with the currency decimals', () => {
    expect(fromMinor(149997n, 'USD')).toBe('1499.97');
    expect(fromMinor(5n, 'USD')).toBe('0.05');
    expect(fromMinor(500n, 'JPY')).toBe('500');
    expect(fromMinor(1234n, 'KWD')).toBe('1.234');
  });
});
