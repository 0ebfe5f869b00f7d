import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSku, startCatalog, tokens, type Catalog } from './support.js';

let catalog: Catalog;

beforeAll(async () => {
  catalog = await startCatalog('catalog-categories');
});
afterAll(async () => {
  await catalog?.stop();
});

async function createCategory(name: string, parentId: string | null = null) {
  const response = await catalog.request({
    method: 'POST',
    url: '/api/v1/categories',
    payload: { name, parentId },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { id: string; name: string; parentId: string | null };
}

interface Node {
  id: string;
  name: string;
  children: Node[];
}
const shape = (nodes: Node[]): unknown => nodes.map((node) => [node.name, shape(node.children)]);

describe('the category tree', () => {
  it('is served nested, to any authenticated caller', async () => {
    const home = await createCategory('Home');
    const furniture = await createCategory('Furniture', home.id);
    await createCategory('Desks', `cat-${furniture.id}`);
    await createCategory('Lighting', home.id);
    await createCategory('Garden');

    const tree = await catalog.request({ url: '/api/v1/categories', token: tokens.customer });
    expect(tree.statusCode).toBe(200);
    expect(shape(tree.json().items)).toEqual([
      ['Garden', []],
      [
        'Home',
        [
          ['Furniture', [['Desks', []]]],
          ['Lighting', []],
        ],
      ],
    ]);
    const subtree = await catalog.request({
      url: `/api/v1/categories/${furniture.id}`,
      token: tokens.customer,
    });
    expect(subtree.json()).toMatchObject({
      id: furniture.id,
      parentId: home.id,
      children: [{ name: 'Desks', children: [] }],
    });
  });

  it('refuses a move that would make a category its own ancestor, and changes nothing', async () => {
    const a = await createCategory('Cycle A');
    const b = await createCategory('Cycle B', a.id);
    const c = await createCategory('Cycle C', b.id);
    for (const parentId of [c.id, a.id]) {
      const response = await catalog.request({
        method: 'PUT',
        url: `/api/v1/categories/${a.id}`,
        payload: { parentId },
      });
      expect(response.statusCode).toBe(400);
      expect(response.json().error.details.fields[0]).toMatchObject({
        field: 'body.parentId',
        rule: 'acyclic',
      });
    }
    const unchanged = await catalog.request({ url: `/api/v1/categories/${a.id}` });
    expect(unchanged.json()).toMatchObject({
      parentId: null,
      children: [{ id: b.id, children: [{ id: c.id }] }],
    });

    const moved = await catalog.request({
      method: 'PUT',
      url: `/api/v1/categories/${c.id}`,
      payload: { parentId: null, name: 'Cycle C2' },
    });
    expect(moved.statusCode).toBe(200);
    expect(moved.json()).toMatchObject({ parentId: null, name: 'Cycle C2' });
  });

  it('refuses an unknown parent, a duplicate sibling name, and bad ids', async () => {
    const parent = await createCategory('Kitchen');
    await createCategory('Pans', parent.id);
    const before = await catalog.prisma.category.count();
    const unknown = await catalog.request({
      method: 'POST',
      url: '/api/v1/categories',
      payload: { name: 'X', parentId: randomUUID() },
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.details.fields[0].field).toBe('body.parentId');
    const duplicate = await catalog.request({
      method: 'POST',
      url: '/api/v1/categories',
      payload: { name: 'pans', parentId: parent.id },
    });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json().error.details.reason).toBe('DUPLICATE_CATEGORY_NAME');
    const malformed = await catalog.request({ url: '/api/v1/categories/kitchen' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.details.fields[0].field).toBe('params.id');
    const customer = await catalog.request({
      method: 'POST',
      url: '/api/v1/categories',
      payload: { name: 'Y' },
      token: tokens.customer,
    });
    expect(customer.statusCode).toBe(403);
    expect(await catalog.prisma.category.count()).toBe(before);
  });

  it('creates a category once per X-Idempotency-Key', async () => {
    const headers = { 'x-idempotency-key': randomUUID() };
    const send = () =>
      catalog.request({ method: 'POST', url: '/api/v1/categories', payload: { name: 'Bathroom' }, headers });
    const first = await send();
    expect(first.statusCode).toBe(201);
    const again = await send();
    expect(again.statusCode).toBe(201);
    expect(again.json().id).toBe(first.json().id);
    expect(await catalog.prisma.category.count({ where: { name: 'Bathroom' } })).toBe(1);
  });

  it('deletes only an empty category', async () => {
    const parent = await createCategory('Outdoor');
    const child = await createCategory('Tents', parent.id);
    const product = await catalog.request({
      method: 'POST',
      url: '/api/v1/products',
      payload: { sku: newSku(), name: 'Tent', price: '199.00', currency: 'USD', categoryId: child.id },
    });
    expect(product.statusCode).toBe(201);

    const withChild = await catalog.request({ method: 'DELETE', url: `/api/v1/categories/${parent.id}` });
    expect(withChild.statusCode).toBe(409);
    const withProduct = await catalog.request({ method: 'DELETE', url: `/api/v1/categories/${child.id}` });
    expect(withProduct.statusCode).toBe(409);
    expect(withProduct.json().error.details).toMatchObject({ reason: 'CATEGORY_NOT_EMPTY', products: 1 });

    expect(
      (await catalog.request({ method: 'DELETE', url: `/api/v1/products/${product.json().id}` })).statusCode,
    ).toBe(204);
    expect(
      (await catalog.request({ method: 'DELETE', url: `/api/v1/categories/${child.id}` })).statusCode,
    ).toBe(204);
    expect(
      (await catalog.request({ method: 'DELETE', url: `/api/v1/categories/${parent.id}` })).statusCode,
    ).toBe(204);
    expect((await catalog.request({ url: `/api/v1/categories/${parent.id}` })).statusCode).toBe(404);
  });
});

describe('the API document', () => {
  it('describes every catalog route', async () => {
    const response = await catalog.request({ url: '/docs/json', token: null });
    expect(response.statusCode).toBe(200);
    expect(Object.keys(response.json().paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/products',
        '/api/v1/products/search',
        '/api/v1/products/{id}',
        '/api/v1/products/{id}/prices',
        '/api/v1/categories',
        '/api/v1/categories/{id}',
      ]),
    );
  });
});
