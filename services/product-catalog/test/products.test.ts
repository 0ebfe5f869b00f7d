import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSku, startCatalog, tokens, type Catalog } from './support.js';

let catalog: Catalog;

beforeAll(async () => {
  catalog = await startCatalog('catalog-products');
});
afterAll(async () => {
  await catalog?.stop();
});

async function createProduct(overrides: Record<string, unknown> = {}) {
  const response = await catalog.request({
    method: 'POST',
    url: '/api/v1/products',
    payload: { sku: newSku(), name: 'Walnut desk', price: '249.00', currency: 'USD', ...overrides },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

async function productCount() {
  return catalog.prisma.product.count();
}

describe('creating a product', () => {
  it('stores it with its variants and first price, and publishes ProductCreated', async () => {
    const sku = newSku('DESK');
    const product = await createProduct({
      sku,
      description: 'Solid walnut, oiled',
      price: 249.5,
      attributes: { material: 'walnut' },
      variants: [
        { sku: `${sku}-S`, name: 'Small', attributes: { width: '120' } },
        { sku: `${sku}-L`, name: 'Large', attributes: { width: '160' } },
      ],
    });
    expect(product).toMatchObject({
      sku,
      name: 'Walnut desk',
      price: '249.50',
      currency: 'USD',
      status: 'ACTIVE',
      attributes: { material: 'walnut' },
      stockStatus: 'OUT_OF_STOCK',
      availableQuantity: 0,
      version: 1,
    });
    expect(product.variants.map((v: { sku: string }) => v.sku)).toEqual([`${sku}-S`, `${sku}-L`]);

    const event = await catalog.received('ProductCreated', (e) => e.productId === product.id);
    expect(event).toMatchObject({
      sku,
      name: 'Walnut desk',
      description: 'Solid walnut, oiled',
      price: '249.50',
      currency: 'USD',
      status: 'ACTIVE',
      attributes: { material: 'walnut' },
      producer: 'product-catalog',
      correlationId: product.id,
    });

    for (const token of [tokens.customer, tokens.service, tokens.admin]) {
      const read = await catalog.request({ url: `/api/v1/products/prod-${product.id}`, token });
      expect(read.statusCode).toBe(200);
      expect(read.json()).toEqual(product);
    }
    const prices = await catalog.request({
      url: `/api/v1/products/${product.id}/prices`,
      token: tokens.customer,
    });
    expect(prices.json().items).toEqual([
      expect.objectContaining({
        price: '249.50',
        currency: 'USD',
        previousPrice: null,
        changedBy: 'catalog-admin',
      }),
    ]);
  });

  it('answers a repeated X-Idempotency-Key with the first product, and refuses the key for another body', async () => {
    const key = randomUUID();
    const payload = { sku: newSku(), name: 'Oak shelf', price: '79.00', currency: 'EUR' };
    const send = (body: unknown) =>
      catalog.request({
        method: 'POST',
        url: '/api/v1/products',
        payload: body,
        headers: { 'x-idempotency-key': key },
      });
    const first = await send(payload);
    expect(first.statusCode).toBe(201);
    const before = await productCount();
    const again = await send({ ...payload });
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    expect(await productCount()).toBe(before);

    const other = await send({ ...payload, price: '80.00' });
    expect(other.statusCode).toBe(409);
    expect(other.json().error).toMatchObject({
      code: 'CONFLICT',
      details: { reason: 'IDEMPOTENCY_KEY_REUSED' },
    });
    expect(await productCount()).toBe(before);
    expect(await catalog.outboxCount('ProductCreated', first.json().id)).toBe(1);
  });

  it('refuses a SKU that is taken, by a product or a variant', async () => {
    const existing = await createProduct({ variants: [{ sku: newSku('VAR'), name: 'Blue' }] });
    const before = await productCount();
    for (const payload of [
      { sku: existing.sku, name: 'Copy', price: '1.00', currency: 'USD' },
      {
        sku: newSku(),
        name: 'Copy',
        price: '1.00',
        currency: 'USD',
        variants: [{ sku: existing.variants[0].sku, name: 'Blue' }],
      },
      { sku: existing.variants[0].sku, name: 'Copy', price: '1.00', currency: 'USD' },
    ]) {
      const response = await catalog.request({ method: 'POST', url: '/api/v1/products', payload });
      expect(response.statusCode).toBe(409);
      expect(response.json().error).toMatchObject({ code: 'CONFLICT', details: { reason: 'DUPLICATE_SKU' } });
    }
    expect(await productCount()).toBe(before);
  });

  it.each([
    ['a negative price', { price: '-1.00' }, 'body.price'],
    ['a price with three decimals', { price: '1.005' }, 'body.price'],
    ['an unsupported currency', { currency: 'JPY' }, 'body.currency'],
    ['an unknown category', { categoryId: randomUUID() }, 'body.categoryId'],
    ['a malformed category id', { categoryId: 'furniture' }, 'body.categoryId'],
    ['a missing name', { name: undefined }, 'body.name'],
    ['a malformed SKU', { sku: 'has spaces' }, 'body.sku'],
    ['an attribute that is not text', { attributes: { size: { width: 120 } } }, 'body.attributes.size'],
    ['an attribute name with spaces', { attributes: { 'the size': 'L' } }, 'body.attributes'],
    ['a variant without a name', { variants: [{ sku: newSku('V') }] }, 'body.variants[0].name'],
  ])('refuses %s with 400 naming the field, and creates nothing', async (_, overrides, field) => {
    const before = await productCount();
    const response = await catalog.request({
      method: 'POST',
      url: '/api/v1/products',
      payload: { sku: newSku(), name: 'Bad', price: '10.00', currency: 'USD', ...overrides },
    });
    expect(response.statusCode).toBe(400);
    const { error } = response.json();
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.details.fields.map((f: { field: string }) => f.field)).toContain(field);
    expect(error.traceId).toEqual(expect.any(String));
    expect(await productCount()).toBe(before);
  });

  it('is for administrators only, and reads need a token', async () => {
    const payload = { sku: newSku(), name: 'Lamp', price: '10.00', currency: 'USD' };
    const asCustomer = await catalog.request({
      method: 'POST',
      url: '/api/v1/products',
      payload,
      token: tokens.customer,
    });
    expect(asCustomer.statusCode).toBe(403);
    expect(asCustomer.json().error.code).toBe('INSUFFICIENT_PERMISSIONS');
    const anonymous = await catalog.request({ url: '/api/v1/products', token: null });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().error.code).toBe('AUTHENTICATION_REQUIRED');
  });
});

describe('changing a product', () => {
  it('records a new price in the history and publishes PriceChanged and ProductUpdated', async () => {
    const product = await createProduct({ price: '100.00' });
    const response = await catalog.request({
      method: 'PUT',
      url: `/api/v1/products/${product.id}`,
      payload: { price: '89.99', name: 'Walnut desk, oiled', version: 1 },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ price: '89.99', name: 'Walnut desk, oiled', version: 2 });

    const priceChanged = await catalog.received('PriceChanged', (e) => e.productId === product.id);
    expect(priceChanged).toMatchObject({
      sku: product.sku,
      previousPrice: '100.00',
      newPrice: '89.99',
      currency: 'USD',
      previousCurrency: null,
    });
    const updated = await catalog.received('ProductUpdated', (e) => e.productId === product.id);
    expect(updated).toMatchObject({
      name: 'Walnut desk, oiled',
      price: '89.99',
      changedFields: ['name', 'price'],
    });

    const history = await catalog.request({
      url: `/api/v1/products/${product.id}/prices`,
      token: tokens.customer,
    });
    expect(
      history
        .json()
        .items.map((e: { price: string; previousPrice: string | null }) => [e.price, e.previousPrice]),
    ).toEqual([
      ['89.99', '100.00'],
      ['100.00', null],
    ]);
  });

  it('writes and publishes nothing when nothing changes, and no price change for a rename', async () => {
    const product = await createProduct({ price: '15.00' });
    const same = await catalog.request({
      method: 'PUT',
      url: `/api/v1/products/${product.id}`,
      payload: { price: 15, name: product.name },
    });
    expect(same.statusCode).toBe(200);
    expect(same.json().version).toBe(1);
    expect(await catalog.outboxCount('ProductUpdated', product.id)).toBe(0);

    const renamed = await catalog.request({
      method: 'PUT',
      url: `/api/v1/products/${product.id}`,
      payload: { name: 'Renamed' },
    });
    expect(renamed.statusCode).toBe(200);
    expect(await catalog.outboxCount('ProductUpdated', product.id)).toBe(1);
    expect(await catalog.outboxCount('PriceChanged', product.id)).toBe(0);
  });

  it('refuses a stale version, a new SKU, a bad price or currency, and changes nothing', async () => {
    const product = await createProduct({ price: '20.00' });
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ price: '25.00', version: 7 }, 409, 'CONFLICT'],
      [{ sku: newSku() }, 400, 'INVALID_REQUEST'],
      [{ price: '-2' }, 400, 'INVALID_REQUEST'],
      [{ currency: 'XXX' }, 400, 'INVALID_REQUEST'],
      [{ categoryId: randomUUID() }, 400, 'INVALID_REQUEST'],
      [{}, 400, 'INVALID_REQUEST'],
    ];
    for (const [payload, status, code] of cases) {
      const response = await catalog.request({
        method: 'PUT',
        url: `/api/v1/products/${product.id}`,
        payload,
      });
      expect(response.statusCode, JSON.stringify(payload)).toBe(status);
      expect(response.json().error.code).toBe(code);
    }
    const after = await catalog.request({ url: `/api/v1/products/${product.id}` });
    expect(after.json()).toEqual(product);
    expect(await catalog.outboxCount('ProductUpdated', product.id)).toBe(0);
  });

  it('answers 404 for an unknown product and 400 for a malformed id', async () => {
    const missing = await catalog.request({
      method: 'PUT',
      url: `/api/v1/products/${randomUUID()}`,
      payload: { name: 'x' },
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('NOT_FOUND');
    const malformed = await catalog.request({ url: '/api/v1/products/12345' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.details.fields[0].field).toBe('params.id');
  });
});

describe('deleting a product', () => {
  it('hides it, keeps its SKU, and publishes ProductDeleted', async () => {
    const product = await createProduct();
    const deleted = await catalog.request({ method: 'DELETE', url: `/api/v1/products/${product.id}` });
    expect(deleted.statusCode).toBe(204);
    const event = await catalog.received('ProductDeleted', (e) => e.productId === product.id);
    expect(event.sku).toBe(product.sku);

    expect((await catalog.request({ url: `/api/v1/products/${product.id}` })).statusCode).toBe(404);
    expect(
      (await catalog.request({ method: 'DELETE', url: `/api/v1/products/${product.id}` })).statusCode,
    ).toBe(404);
    const listed = await catalog.request({ url: '/api/v1/products?pageSize=100' });
    expect(listed.json().items.map((p: { id: string }) => p.id)).not.toContain(product.id);
    const reuse = await catalog.request({
      method: 'POST',
      url: '/api/v1/products',
      payload: { sku: product.sku, name: 'Again', price: '1.00', currency: 'USD' },
    });
    expect(reuse.statusCode).toBe(409);
    expect(await catalog.outboxCount('ProductDeleted', product.id)).toBe(1);
  });

  it('is for administrators only', async () => {
    const product = await createProduct();
    const response = await catalog.request({
      method: 'DELETE',
      url: `/api/v1/products/${product.id}`,
      token: tokens.service,
    });
    expect(response.statusCode).toBe(403);
    expect((await catalog.request({ url: `/api/v1/products/${product.id}` })).statusCode).toBe(200);
  });
});
