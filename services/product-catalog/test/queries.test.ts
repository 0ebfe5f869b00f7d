import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSku, startCatalog, tokens, type Catalog } from './support.js';

let catalog: Catalog;
const ids: Record<string, string> = {};
let furnitureId: string;
let desksId: string;

async function post(url: string, payload: Record<string, unknown>) {
  const response = await catalog.request({ method: 'POST', url, payload });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { id: string };
}

beforeAll(async () => {
  catalog = await startCatalog('catalog-queries');
  furnitureId = (await post('/api/v1/categories', { name: 'Furniture' })).id;
  desksId = (await post('/api/v1/categories', { name: 'Desks', parentId: furnitureId })).id;
  const lightingId = (await post('/api/v1/categories', { name: 'Lighting' })).id;
  const products: Array<[string, Record<string, unknown>]> = [
    [
      'desk',
      {
        name: 'Walnut standing desk',
        price: '499.00',
        categoryId: desksId,
        attributes: { material: 'walnut', color: 'brown' },
      },
    ],
    [
      'chair',
      { name: 'Office chair', price: '149.99', categoryId: furnitureId, attributes: { color: 'black' } },
    ],
    [
      'shelf',
      {
        name: 'Oak shelf',
        price: '89.50',
        categoryId: furnitureId,
        description: 'Pairs well with a walnut desk',
        attributes: { material: 'oak' },
      },
    ],
    [
      'lamp',
      { name: 'Brass desk lamp', price: '59.00', categoryId: lightingId, attributes: { color: 'brass' } },
    ],
    ['bulb', { name: 'LED bulb', price: '4.99', categoryId: lightingId }],
    ['draft', { name: 'Walnut prototype', price: '999.00', categoryId: desksId, status: 'DRAFT' }],
  ];
  for (const [key, fields] of products) {
    ids[key] = (await post('/api/v1/products', { sku: newSku(key), currency: 'USD', ...fields })).id;
  }
  // The desk and the chair are in stock.
  await catalog.prisma.product.updateMany({
    where: { id: { in: [ids.desk!, ids.chair!] } },
    data: { stockStatus: 'IN_STOCK', availableQuantity: 4 },
  });
});
afterAll(async () => {
  await catalog?.stop();
});

async function list(query: string) {
  const response = await catalog.request({ url: `/api/v1/products${query}`, token: tokens.customer });
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as {
    items: Array<{ id: string; price: string }>;
    pageInfo: Record<string, unknown>;
  };
}

const names = (items: Array<{ id: string }>) =>
  items.map((item) => Object.entries(ids).find(([, id]) => id === item.id)?.[0] ?? item.id);

describe('listing products', () => {
  it('filters by category, including the categories below it', async () => {
    // Oak shelf, Office chair, Walnut standing desk
    expect(names((await list(`?categoryId=${furnitureId}&sort=name_asc`)).items)).toEqual([
      'shelf',
      'chair',
      'desk',
    ]);
    expect(names((await list(`?categoryId=cat-${desksId}`)).items)).toEqual(['desk']);
  });

  it('filters by price range, attribute and stock, and by status', async () => {
    expect(names((await list('?minPrice=50&maxPrice=150&sort=price_asc')).items)).toEqual([
      'lamp',
      'shelf',
      'chair',
    ]);
    expect(names((await list('?attribute=material:walnut')).items)).toEqual(['desk']);
    expect(names((await list('?attribute=color:brown&attribute=material:walnut')).items)).toEqual(['desk']);
    expect(names((await list('?attribute=color:brown&attribute=material:oak')).items)).toEqual([]);
    expect(names((await list('?inStock=true&sort=price_desc')).items)).toEqual(['desk', 'chair']);
    expect(names((await list('?inStock=false&maxPrice=60&sort=price_asc')).items)).toEqual(['bulb', 'lamp']);
    expect(names((await list('?status=DRAFT')).items)).toEqual(['draft']);
  });

  it('pages by number and by cursor, with totals', async () => {
    const first = await list('?sort=price_asc&pageSize=2');
    expect(names(first.items)).toEqual(['bulb', 'lamp']);
    expect(first.pageInfo).toMatchObject({ page: 1, pageSize: 2, totalItems: 5, totalPages: 3 });
    const third = await list('?sort=price_asc&pageSize=2&page=3');
    expect(names(third.items)).toEqual(['desk']);
    expect(third.pageInfo.nextCursor).toBeNull();

    const seen: string[] = [];
    let cursor = first.pageInfo.nextCursor as string | null;
    seen.push(...names(first.items));
    while (cursor) {
      const page = await list(`?sort=price_asc&pageSize=2&cursor=${encodeURIComponent(cursor)}`);
      expect(page.pageInfo.page).toBeNull();
      seen.push(...names(page.items));
      cursor = page.pageInfo.nextCursor as string | null;
    }
    expect(seen).toEqual(['bulb', 'lamp', 'shelf', 'chair', 'desk']);
  });

  it.each([
    ['?pageSize=101', 'query.pageSize'],
    ['?minPrice=-1', 'query.minPrice'],
    ['?minPrice=100&maxPrice=10', 'query.minPrice'],
    ['?currency=ABC', 'query.currency'],
    ['?categoryId=123', 'query.categoryId'],
    ['?categoryId=0b8e7d1c-4f5a-4c3b-9a2d-1e0f9c8b7a65', 'query.categoryId'],
    ['?attribute=color', 'query.attribute[0]'],
    ['?cursor=bogus', 'query.cursor'],
    ['?sort=cheapest', 'query.sort'],
    ['?inStock=maybe', 'query.inStock'],
  ])('refuses %s naming %s', async (query, field) => {
    const response = await catalog.request({ url: `/api/v1/products${query}` });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.details.fields.map((f: { field: string }) => f.field)).toContain(field);
  });
});

describe('searching products', () => {
  it('ranks a name match above a description match, and leaves out drafts', async () => {
    const response = await catalog.request({
      url: '/api/v1/products/search?q=walnut%20desk',
      token: tokens.customer,
    });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(names(body.items)).toEqual(['desk', 'shelf']);
    expect(body.items[0].rank).toBeGreaterThan(body.items[1].rank);
    expect(body.pageInfo).toMatchObject({ totalItems: 2, page: 1 });
  });

  it('understands stemming, phrases and exclusions', async () => {
    const search = async (q: string) =>
      names(
        (await catalog.request({ url: `/api/v1/products/search?q=${encodeURIComponent(q)}` })).json().items,
      );
    expect(await search('lamps')).toEqual(['lamp']);
    expect(await search('desk -lamp')).toEqual(['desk', 'shelf']);
    expect(await search('"office chair"')).toEqual(['chair']);
    expect(await search('sofa')).toEqual([]);
  });

  it('refuses an empty query or page size over 100', async () => {
    for (const [query, field] of [
      ['', 'query.q'],
      ['?q=%20%20', 'query.q'],
      ['?q=desk&pageSize=500', 'query.pageSize'],
    ]) {
      const response = await catalog.request({ url: `/api/v1/products/search${query}` });
      expect(response.statusCode).toBe(400);
      expect(response.json().error.details.fields[0].field).toBe(field);
    }
  });
});
