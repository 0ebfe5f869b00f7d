import { AppError } from '@fv/service-kit';
import { describe, expect, it } from 'vitest';
import { parseCreateProduct, parseUpdateProduct } from './product-input.js';

const currencies = ['USD', 'EUR'];

function refusedFields(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return ((error as AppError).details.fields as { field: string }[]).map((f) => f.field);
  }
  throw new Error('expected the input to be refused');
}

describe('parseCreateProduct', () => {
  it('normalises a valid product', () => {
    expect(
      parseCreateProduct(
        {
          sku: 'LAMP-1',
          name: '  Desk lamp ',
          price: 49.5,
          currency: 'usd',
          categoryId: 'cat-0B8E7D1C-4F5A-4C3B-9A2D-1E0F9C8B7A65',
        },
        currencies,
      ),
    ).toEqual({
      sku: 'LAMP-1',
      state: {
        name: 'Desk lamp',
        description: null,
        categoryId: '0b8e7d1c-4f5a-4c3b-9a2d-1e0f9c8b7a65',
        price: '49.50',
        currency: 'USD',
        status: 'ACTIVE',
        attributes: {},
        variants: [],
      },
    });
  });

  it('names every offending field', () => {
    expect(
      refusedFields(() =>
        parseCreateProduct(
          {
            sku: 'LAMP-1',
            name: ' ',
            price: '-3',
            currency: 'JPY',
            variants: [
              { sku: 'LAMP-1', name: 'Same as product' },
              { sku: 'V', name: 'ok' },
            ],
          },
          currencies,
        ),
      ),
    ).toEqual(['body.name', 'body.price', 'body.currency', 'body.variants[0].sku']);
  });

  it('trims the description, and keeps a blank one as no description', () => {
    const base = { sku: 'LAMP-1', name: 'Lamp', price: '10', currency: 'USD' };
    expect(parseCreateProduct({ ...base, description: '  Warm light  ' }, currencies).state.description).toBe(
      'Warm light',
    );
    expect(parseCreateProduct({ ...base, description: '   ' }, currencies).state.description).toBeNull();
    expect(parseCreateProduct({ ...base, description: null }, currencies).state.description).toBeNull();
    expect(
      parseUpdateProduct({ description: ' ' }, { sku: 'LAMP-1' }, currencies).patch.description,
    ).toBeNull();
  });
});

describe('parseUpdateProduct', () => {
  it('keeps only the fields sent', () => {
    expect(
      parseUpdateProduct({ price: '10', description: null, version: 3 }, { sku: 'LAMP-1' }, currencies),
    ).toEqual({
      patch: { price: '10.00', description: null },
      expectedVersion: 3,
    });
  });

  it('refuses a new SKU but accepts the same one', () => {
    expect(refusedFields(() => parseUpdateProduct({ sku: 'OTHER' }, { sku: 'LAMP-1' }, currencies))).toEqual([
      'body.sku',
    ]);
    expect(parseUpdateProduct({ sku: 'LAMP-1', name: 'x' }, { sku: 'LAMP-1' }, currencies).patch).toEqual({
      name: 'x',
    });
  });
});
