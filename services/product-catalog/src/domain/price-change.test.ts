import { describe, expect, it } from 'vitest';
import { planPriceChange } from './price-change.js';

const current = { amount: '19.99', currency: 'USD' };

describe('planPriceChange', () => {
  it('is a change when the amount differs', () => {
    expect(planPriceChange(current, { amount: '17.49' })).toEqual({
      previous: { amount: '19.99', currency: 'USD' },
      next: { amount: '17.49', currency: 'USD' },
    });
  });

  it('is a change when only the currency differs', () => {
    expect(planPriceChange(current, { currency: 'EUR' })).toEqual({
      previous: current,
      next: { amount: '19.99', currency: 'EUR' },
    });
  });

  it('is no change for the same amount written another way, or nothing asked', () => {
    expect(planPriceChange({ amount: '20.00', currency: 'USD' }, { amount: '20.0' })).toBeNull();
    expect(planPriceChange(current, {})).toBeNull();
    expect(planPriceChange(current, { amount: '19.99', currency: 'USD' })).toBeNull();
  });
});
