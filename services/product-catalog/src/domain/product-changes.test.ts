import { describe, expect, it } from 'vitest';
import { applyProductPatch, duplicateSkus } from './product-changes.js';
import type { ProductState } from './product-state.js';

const lamp: ProductState = {
  name: 'Desk lamp',
  description: 'Brass',
  categoryId: null,
  price: '49.00',
  currency: 'USD',
  status: 'ACTIVE',
  attributes: { color: 'brass', finish: 'matte' },
  variants: [{ sku: 'LAMP-S', name: 'Small', attributes: { size: 'S' } }],
};

describe('applyProductPatch', () => {
  it('changes only the fields sent and lists those that differ', () => {
    const { next, changedFields } = applyProductPatch(lamp, { price: '39.00', name: 'Desk lamp' });
    expect(changedFields).toEqual(['price']);
    expect(next).toEqual({ ...lamp, price: '39.00' });
  });

  it('sees no change in equal values written differently', () => {
    expect(
      applyProductPatch(lamp, {
        price: '49.0',
        attributes: { finish: 'matte', color: 'brass' },
        variants: [{ sku: 'LAMP-S', name: 'Small', attributes: { size: 'S' } }],
      }).changedFields,
    ).toEqual([]);
  });

  it('clears a field set to null and notices changed variants and attributes', () => {
    const { next, changedFields } = applyProductPatch(lamp, {
      description: null,
      attributes: { color: 'brass' },
      variants: [{ sku: 'LAMP-S', name: 'Small', attributes: { size: 'M' } }],
    });
    expect(next.description).toBeNull();
    expect(changedFields).toEqual(['description', 'attributes', 'variants']);
  });
});

describe('duplicateSkus', () => {
  it('finds a variant SKU used twice or equal to the product SKU', () => {
    const variant = (sku: string) => ({ sku, name: sku, attributes: {} });
    expect(duplicateSkus('LAMP', [variant('LAMP-S'), variant('LAMP-M')])).toEqual([]);
    expect(duplicateSkus('LAMP', [variant('LAMP-S'), variant('LAMP-S'), variant('LAMP')])).toEqual([
      'LAMP-S',
      'LAMP',
    ]);
  });
});
