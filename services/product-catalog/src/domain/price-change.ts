import { compareAmounts } from './money.js';

export interface Price {
  /** Canonical decimal string, e.g. "19.99". */
  amount: string;
  currency: string;
}

export interface PriceChangePlan {
  previous: Price;
  next: Price;
}

/**
 * What a request does to a product's price: null when the price stays as it is (the same amount in the
 * same currency, however it was written), otherwise the previous and the new price, which become a row
 * of the price history and a PriceChanged event.
 */
export function planPriceChange(
  current: Price,
  requested: { amount?: string; currency?: string },
): PriceChangePlan | null {
  const next: Price = {
    amount: requested.amount ?? current.amount,
    currency: requested.currency ?? current.currency,
  };
  if (next.currency === current.currency && compareAmounts(next.amount, current.amount) === 0) return null;
  return { previous: { ...current }, next };
}
