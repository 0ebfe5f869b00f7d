import { AppError } from '@fv/service-kit';
import { describe, expect, it } from 'vitest';
import {
  buildCursorCondition,
  buildProductOrder,
  buildProductWhere,
  cursorAfter,
  decodeCursor,
  encodeCursor,
  parseProductListQuery,
  type ProductListQuery,
} from './product-filters.js';

const currencies = ['USD', 'EUR'];
const id = '0b8e7d1c-4f5a-4c3b-9a2d-1e0f9c8b7a65';

function fieldsOf(query: ProductListQuery): string[] {
  try {
    parseProductListQuery(query, currencies);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('INVALID_REQUEST');
    return ((error as AppError).details.fields as { field: string }[]).map((f) => f.field);
  }
  throw new Error('expected the query to be refused');
}

describe('parseProductListQuery', () => {
  it('defaults to active products, newest first, page 1 of 20', () => {
    expect(parseProductListQuery({}, currencies)).toEqual({
      filter: {
        categoryId: null,
        minPrice: null,
        maxPrice: null,
        currency: null,
        attributes: [],
        inStock: null,
        status: 'ACTIVE',
      },
      sort: 'newest',
      pageSize: 20,
      page: 1,
      cursor: null,
    });
  });

  it('reads every filter', () => {
    const request = parseProductListQuery(
      {
        categoryId: `cat-${id.toUpperCase()}`,
        minPrice: '10',
        maxPrice: '99.5',
        currency: 'eur',
        attribute: ['color:red', 'size:XL:tall'],
        inStock: true,
        status: 'DISCONTINUED',
        sort: 'price_asc',
        page: 3,
        pageSize: 50,
      },
      currencies,
    );
    expect(request.filter).toEqual({
      categoryId: id,
      minPrice: '10.00',
      maxPrice: '99.50',
      currency: 'EUR',
      attributes: [
        ['color', 'red'],
        ['size', 'XL:tall'],
      ],
      inStock: true,
      status: 'DISCONTINUED',
    });
    expect(request).toMatchObject({ sort: 'price_asc', page: 3, pageSize: 50 });
  });

  it('names each parameter it refuses', () => {
    expect(fieldsOf({ minPrice: '-5' })).toEqual(['query.minPrice']);
    expect(fieldsOf({ minPrice: '50', maxPrice: '10' })).toEqual(['query.minPrice']);
    expect(fieldsOf({ currency: 'XYZ' })).toEqual(['query.currency']);
    expect(fieldsOf({ attribute: ['color'] })).toEqual(['query.attribute[0]']);
    expect(fieldsOf({ pageSize: 101 })).toEqual(['query.pageSize']);
    expect(fieldsOf({ cursor: 'not-a-cursor' })).toEqual(['query.cursor']);
    expect(
      fieldsOf({ cursor: encodeCursor({ sort: 'newest', value: new Date().toISOString(), id }), page: 2 }),
    ).toEqual(['query.cursor']);
    expect(
      fieldsOf({
        cursor: encodeCursor({ sort: 'newest', value: new Date().toISOString(), id }),
        sort: 'price_asc',
      }),
    ).toEqual(['query.cursor']);
  });

  it('pages by cursor when given one', () => {
    const cursor = cursorAfter('price_desc', { id, createdAt: new Date(), price: '12.00', name: 'Lamp' });
    const request = parseProductListQuery({ cursor, sort: 'price_desc', pageSize: 5 }, currencies);
    expect(request).toMatchObject({
      page: null,
      pageSize: 5,
      cursor: { sort: 'price_desc', value: '12.00', id },
    });
  });

  it('refuses a page before the first', () => {
    expect(fieldsOf({ page: 0 })).toEqual(['query.page']);
    expect(fieldsOf({ page: -2, pageSize: 0 })).toEqual(['query.pageSize', 'query.page']);
  });
});

describe('cursors', () => {
  it('round-trip and refuse anything else', () => {
    const cursor = { sort: 'name_asc' as const, value: 'Walnut desk', id };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
    expect(
      decodeCursor(Buffer.from(JSON.stringify(['newest', 'yesterday', id])).toString('base64url')),
    ).toBeNull();
    expect(
      decodeCursor(Buffer.from(JSON.stringify(['price_asc', '-3', id])).toString('base64url')),
    ).toBeNull();
    expect(decodeCursor(Buffer.from(JSON.stringify(['random', 'x', id])).toString('base64url'))).toBeNull();
    expect(
      decodeCursor(Buffer.from(JSON.stringify(['name_asc', 'x', 'not-a-uuid'])).toString('base64url')),
    ).toBeNull();
  });
});

describe('buildProductWhere', () => {
  it('always leaves deleted products out and keeps to the status', () => {
    const { filter } = parseProductListQuery({}, currencies);
    expect(buildProductWhere(filter, null)).toEqual({ AND: [{ deletedAt: null }, { status: 'ACTIVE' }] });
  });

  it('combines every filter with AND', () => {
    const { filter } = parseProductListQuery(
      { minPrice: '5', maxPrice: '20', currency: 'USD', inStock: false, attribute: ['color:red', 'size:M'] },
      currencies,
    );
    expect(buildProductWhere(filter, ['a', 'b'])).toEqual({
      AND: [
        { deletedAt: null },
        { status: 'ACTIVE' },
        { categoryId: { in: ['a', 'b'] } },
        { price: { gte: '5.00' } },
        { price: { lte: '20.00' } },
        { currency: 'USD' },
        { stockStatus: 'OUT_OF_STOCK' },
        { attributes: { path: ['color'], equals: 'red' } },
        { attributes: { path: ['size'], equals: 'M' } },
      ],
    });
  });

  it('keeps to products in stock when asked for them', () => {
    const { filter } = parseProductListQuery({ inStock: true }, currencies);
    expect(buildProductWhere(filter, null).AND).toContainEqual({ stockStatus: 'IN_STOCK' });
  });
});

describe('ordering and cursor conditions', () => {
  it('break ties by id in the direction of the sort', () => {
    expect(buildProductOrder('price_desc')).toEqual([{ price: 'desc' }, { id: 'desc' }]);
    expect(buildCursorCondition({ sort: 'price_desc', value: '12.00', id })).toEqual({
      OR: [{ price: { lt: '12.00' } }, { price: '12.00', id: { lt: id } }],
    });
    expect(buildCursorCondition({ sort: 'name_asc', value: 'Lamp', id })).toEqual({
      OR: [{ name: { gt: 'Lamp' } }, { name: 'Lamp', id: { gt: id } }],
    });
    const at = '2026-01-01T00:00:00.000Z';
    expect(buildCursorCondition({ sort: 'newest', value: at, id })).toEqual({
      OR: [{ createdAt: { lt: new Date(at) } }, { createdAt: new Date(at), id: { lt: id } }],
    });
  });

  it('orders newest first, by price either way, or by name, each with a unique position', () => {
    expect(buildProductOrder('newest')).toEqual([{ createdAt: 'desc' }, { id: 'desc' }]);
    expect(buildProductOrder('price_asc')).toEqual([{ price: 'asc' }, { id: 'asc' }]);
    expect(buildProductOrder('name_asc')).toEqual([{ name: 'asc' }, { id: 'asc' }]);
  });

  it('continues after the cursor upwards for an ascending price', () => {
    expect(buildCursorCondition({ sort: 'price_asc', value: '12.00', id })).toEqual({
      OR: [{ price: { gt: '12.00' } }, { price: '12.00', id: { gt: id } }],
    });
  });
});
