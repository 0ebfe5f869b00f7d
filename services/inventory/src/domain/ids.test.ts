import { describe, expect, it } from 'vitest';
import { idPattern, isWarehouseId, parseId } from './ids.js';

const ID = '6f1c2a9e-3b7d-4c1e-9a2b-0c4d5e6f7a8b';

describe('ids', () => {
  it('accepts the plain and the prefixed form and returns the plain lower-case UUID', () => {
    expect(parseId('order', ID)).toBe(ID);
    expect(parseId('order', `ord-${ID.toUpperCase()}`)).toBe(ID);
    expect(parseId('product', `prod-${ID}`)).toBe(ID);
  });

  it('refuses other prefixes and anything that is not a UUID', () => {
    expect(parseId('order', `prod-${ID}`)).toBeNull();
    expect(parseId('product', 'abc')).toBeNull();
    expect(parseId('product', `${ID}0`)).toBeNull();
  });

  it('knows warehouse codes', () => {
    expect(isWarehouseId('wh-001')).toBe(true);
    expect(isWarehouseId('WH_2.east')).toBe(true);
    expect(isWarehouseId('-wh')).toBe(false);
    expect(isWarehouseId('wh 1')).toBe(false);
    expect(isWarehouseId('w'.repeat(65))).toBe(false);
  });

  it('describes in its schema pattern the same ids it accepts', () => {
    const order = new RegExp(idPattern('order'));
    expect(order.test(ID)).toBe(true);
    expect(order.test(`ord-${ID}`)).toBe(true);
    expect(order.test(`res-${ID}`)).toBe(false);
    expect(new RegExp(idPattern('reservation')).test(`res-${ID}`)).toBe(true);
    expect(new RegExp(idPattern('product')).test('abc')).toBe(false);
  });
});
