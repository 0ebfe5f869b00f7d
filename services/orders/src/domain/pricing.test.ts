import { describe, expect, it } from 'vitest';
import { priceOrder, type ListedPrice } from './pricing.js';

const lamp = '11111111-1111-4111-8111-111111111111';
const desk = '22222222-2222-4222-8222-222222222222';
const prices = new Map<string, ListedPrice>([
  [
    lamp,
    {
      productId: lamp,
      sku: 'LAMP',
      name: 'Lamp',
      price: '599.99',
      currency: 'USD',
      status: 'ACTIVE',
      deleted: false,
    },
  ],
  [
    desk,
    {
      productId: desk,
      sku: 'DESK',
      name: 'Desk',
      price: '299.99',
      currency: 'USD',
      status: 'ACTIVE',
      deleted: false,
    },
  ],
]);

describe('pricing an order', () => {
  it('prices lines from the list and totals them exactly', () => {
    const result = priceOrder(
      [
        { productId: lamp, quantity: 2, unitPrice: '599.99', warehouseId: 'wh-001' },
        { productId: desk, quantity: 1, unitPrice: null, warehouseId: null },
      ],
      prices,
      'USD',
    );
    expect(result).toMatchObject({ ok: true, total: '1499.97' });
    if (!result.ok) return;
    expect(result.lines.map((line) => [line.lineNumber, line.unitPrice, line.lineTotal, line.sku])).toEqual([
      [1, '599.99', '1199.98', 'LAMP'],
      [2, '299.99', '299.99', 'DESK'],
    ]);
  });

  it('accepts an equal price written differently', () => {
    const result = priceOrder(
      [{ productId: desk, quantity: 1, unitPrice: '299.990', warehouseId: null }],
      prices,
      'USD',
    );
    expect(result.ok).toBe(true);
  });

  it('names every faulty line with what was expected and given', () => {
    const unknown = '33333333-3333-4333-8333-333333333333';
    const result = priceOrder(
      [
        { productId: lamp, quantity: 1, unitPrice: '500.00', warehouseId: null },
        { productId: unknown, quantity: 1, unitPrice: null, warehouseId: null },
      ],
      prices,
      'USD',
    );
    expect(result).toEqual({
      ok: false,
      problems: [
        expect.objectContaining({
          field: 'body.items[0].unitPrice',
          reason: 'PRICE_MISMATCH',
          expected: '599.99',
          given: '500.00',
        }),
        expect.objectContaining({
          field: 'body.items[1].productId',
          reason: 'UNKNOWN_PRODUCT',
          productId: unknown,
        }),
      ],
    });
  });

  it('refuses deleted and unsellable products and products priced in another currency', () => {
    const listed = new Map(prices);
    listed.set(lamp, { ...prices.get(lamp)!, deleted: true });
    listed.set(desk, { ...prices.get(desk)!, status: 'DISCONTINUED' });
    const reasons = (currency: string, list: Map<string, ListedPrice>) => {
      const result = priceOrder(
        [
          { productId: lamp, quantity: 1, unitPrice: null, warehouseId: null },
          { productId: desk, quantity: 1, unitPrice: null, warehouseId: null },
        ],
        list,
        currency,
      );
      return result.ok || !('problems' in result) ? [] : result.problems.map((problem) => problem.reason);
    };
    expect(reasons('USD', listed)).toEqual(['UNKNOWN_PRODUCT', 'PRODUCT_UNAVAILABLE']);
    expect(reasons('EUR', prices)).toEqual(['CURRENCY_MISMATCH', 'CURRENCY_MISMATCH']);
  });

  it('refuses a total larger than can be stored', () => {
    const expensive = new Map([[lamp, { ...prices.get(lamp)!, price: '9999999999.99' }]]);
    const result = priceOrder(
      [{ productId: lamp, quantity: 2, unitPrice: null, warehouseId: null }],
      expensive,
      'USD',
    );
    expect(result).toEqual({ ok: false, tooLarge: { total: '19999999999.98', maximum: '9999999999.99' } });
  });
});
