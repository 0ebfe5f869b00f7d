import { describe, expect, it } from 'vitest';
import { checkReceivedItems, checkReturnItems, checkReturnWindow } from './returns.js';

const day = 24 * 60 * 60 * 1000;
const deliveredAt = new Date('2026-03-01T12:00:00Z');

describe('return window', () => {
  it('allows a return of a delivered shipment within the window', () => {
    expect(
      checkReturnWindow({
        status: 'DELIVERED',
        deliveredAt,
        now: new Date(deliveredAt.getTime() + 30 * day),
        windowDays: 30,
      }),
    ).toBeNull();
  });

  it('refuses after the window', () => {
    const refusal = checkReturnWindow({
      status: 'DELIVERED',
      deliveredAt,
      now: new Date(deliveredAt.getTime() + 30 * day + 1),
      windowDays: 30,
    });
    expect(refusal?.reason).toBe('RETURN_WINDOW_EXPIRED');
  });

  it('refuses a shipment that is not delivered', () => {
    expect(
      checkReturnWindow({ status: 'IN_TRANSIT', deliveredAt: null, now: deliveredAt, windowDays: 30 })
        ?.reason,
    ).toBe('SHIPMENT_NOT_DELIVERED');
  });
});

describe('return items', () => {
  const shipped = [
    { productId: 'a', quantity: 2 },
    { productId: 'b', quantity: 1 },
  ];

  it('accepts lines within what was shipped', () => {
    expect(
      checkReturnItems({ shipped, alreadyReturned: new Map(), requested: [{ productId: 'a', quantity: 2 }] }),
    ).toEqual([]);
  });

  it('names unknown products, duplicates and excess quantities', () => {
    const issues = checkReturnItems({
      shipped,
      alreadyReturned: new Map([['a', 1]]),
      requested: [
        { productId: 'a', quantity: 2 },
        { productId: 'c', quantity: 1 },
        { productId: 'b', quantity: 1 },
        { productId: 'b', quantity: 1 },
      ],
    });
    expect(issues.map((issue) => [issue.field, issue.reason])).toEqual([
      ['body.items[0].quantity', 'QUANTITY_EXCEEDS_RETURNABLE'],
      ['body.items[1].productId', 'PRODUCT_NOT_IN_SHIPMENT'],
      ['body.items[3].productId', 'DUPLICATE_PRODUCT'],
    ]);
  });

  it('requires the condition of every requested product on receipt, and nothing else', () => {
    expect(checkReceivedItems({ requested: [{ productId: 'a' }], received: [{ productId: 'a' }] })).toEqual(
      [],
    );
    expect(
      checkReceivedItems({
        requested: [{ productId: 'a' }, { productId: 'b' }],
        received: [{ productId: 'a' }, { productId: 'z' }],
      }).map((i) => i.message),
    ).toEqual(['product z is not part of this return', 'the condition of returned product b is missing']);
  });

  it('refuses a product inspected twice on receipt', () => {
    expect(
      checkReceivedItems({
        requested: [{ productId: 'a' }],
        received: [{ productId: 'a' }, { productId: 'a' }],
      }),
    ).toEqual([
      { field: 'body.items[1].productId', reason: 'DUPLICATE_PRODUCT', message: 'product a is listed twice' },
    ]);
  });
});
