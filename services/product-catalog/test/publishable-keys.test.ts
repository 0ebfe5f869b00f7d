import { signToken, createLogger } from '@fv/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSku, startCatalog, tokens, type Catalog } from './support.js';

/** Every line the catalog logs during the suite, to prove keys never reach a log. */
const logLines: string[] = [];
let catalog: Catalog;
let productId: string;
let categoryId: string;

beforeAll(async () => {
  const logger = createLogger({
    service: 'product-catalog',
    version: 'test',
    level: 'debug',
    pretty: false,
    destination: { write: (line: string) => void logLines.push(line) },
  });
  catalog = await startCatalog('catalog-publishable-keys', { logger, logLevel: 'debug' });
  const category = await catalog.request({
    method: 'POST',
    url: '/api/v1/categories',
    payload: { name: `Lamps ${newSku()}` },
  });
  expect(category.statusCode, category.body).toBe(201);
  categoryId = category.json().id;
  const product = await catalog.request({
    method: 'POST',
    url: '/api/v1/products',
    payload: {
      sku: newSku('LAMP'),
      name: 'Walnut desk lamp',
      description: 'A lamp of oiled walnut',
      price: '49.99',
      currency: 'USD',
      status: 'ACTIVE',
      categoryId,
    },
  });
  expect(product.statusCode, product.body).toBe(201);
  productId = product.json().id;
});
afterAll(async () => {
  await catalog?.stop();
});

interface CreatedKey {
  id: string;
  key: string;
  keyPrefix: string;
  scopes: string[];
  rateLimitPerMinute: number;
  revokedAt: string | null;
}

async function createKey(payload: Record<string, unknown> = { name: 'Reference storefront' }) {
  const response = await catalog.request({ method: 'POST', url: '/api/v1/publishable-keys', payload });
  expect(response.statusCode, response.body).toBe(201);
  return { response, key: response.json() as CreatedKey };
}

const withKey = (url: string, key: string) =>
  catalog.request({ url, token: null, headers: { 'x-publishable-api-key': key } });

describe('publishable keys', () => {
  it('are created by an admin, shown once, and listed by prefix only', async () => {
    const { response, key } = await createKey({ name: '  Storefront EU ', rateLimitPerMinute: 120 });
    expect(key.key).toMatch(/^pk_[A-Za-z0-9_-]{43}$/);
    expect(key).toMatchObject({
      name: 'Storefront EU',
      keyPrefix: key.key.slice(0, 11),
      scopes: ['catalog:read'],
      rateLimitPerMinute: 120,
      createdBy: 'catalog-admin',
      revokedAt: null,
    });
    expect(response.headers.location).toBe(`/api/v1/publishable-keys/${key.id}`);
    expect(response.headers['cache-control']).toBe('no-store');

    const listed = await catalog.request({ url: '/api/v1/publishable-keys' });
    expect(listed.statusCode).toBe(200);
    expect(listed.body).not.toContain(key.key);
    const item = listed.json().items.find((k: CreatedKey) => k.id === key.id);
    expect(item).toMatchObject({ name: 'Storefront EU', keyPrefix: key.keyPrefix });
    expect(item).not.toHaveProperty('key');
    expect(item).not.toHaveProperty('keyHash');
    const one = await catalog.request({ url: `/api/v1/publishable-keys/${key.id}` });
    expect(one.json()).toEqual(item);

    // Only the hash is stored.
    const rows = await catalog.prisma.$queryRaw<{ row: string }[]>`
      select row_to_json(k)::text as row from publishable_keys k where id = ${key.id}::uuid`;
    expect(rows[0]!.row).not.toContain(key.key.slice(3));
  });

  it('default to the configured rate limit', async () => {
    const { key } = await createKey();
    expect(key.rateLimitPerMinute).toBe(600);
  });

  it('open catalog list, search, product and category reads to a caller without a token', async () => {
    const { key } = await createKey();
    const list = await withKey('/api/v1/products', key.key);
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json().items.map((p: { id: string }) => p.id)).toContain(productId);
    expect(list.headers['x-ratelimit-limit']).toBe('600');
    expect(list.headers['x-ratelimit-remaining']).toBe('599');

    const search = await withKey('/api/v1/products/search?q=walnut', key.key);
    expect(search.statusCode, search.body).toBe(200);
    expect(search.json().items.map((p: { id: string }) => p.id)).toContain(productId);
    expect((await withKey(`/api/v1/products/${productId}`, key.key)).json()).toMatchObject({
      id: productId,
      price: '49.99',
    });
    expect((await withKey('/api/v1/categories', key.key)).statusCode).toBe(200);
    expect((await withKey(`/api/v1/categories/${categoryId}`, key.key)).json()).toMatchObject({
      id: categoryId,
    });
  });

  it('keep the reads open to any valid token, and closed to everyone else', async () => {
    const customer = await catalog.request({ url: '/api/v1/products', token: tokens.customer });
    expect(customer.statusCode).toBe(200);

    const anonymous = await catalog.request({ url: '/api/v1/products', token: null });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json()).toMatchObject({
      error: { code: 'AUTHENTICATION_REQUIRED', message: expect.stringMatching(/X-Publishable-Api-Key/) },
    });
    const { key } = await createKey();
    for (const wrong of ['pk_unknown', `pk_${'A'.repeat(43)}`, key.key.slice(0, -1), `${key.key} extra`]) {
      const response = await withKey('/api/v1/products', wrong);
      expect(response.statusCode, wrong).toBe(401);
      expect(response.json().error.code).toBe('AUTHENTICATION_REQUIRED');
      expect(response.body).not.toContain(wrong);
    }
    // A request that sends a token is judged by it: a bad token is refused whatever key comes with it.
    const expired = signToken('catalog-test-secret-0123456789', {
      sub: 'shopper-1',
      roles: ['customer'],
      expiresIn: 1,
      clockTimestamp: Date.now() - 60_000,
    });
    const badToken = await catalog.request({
      url: '/api/v1/products',
      token: `Bearer ${expired}`,
      headers: { 'x-publishable-api-key': key.key },
    });
    expect(badToken.statusCode).toBe(401);
    expect(badToken.json().error.message).toMatch(/expired/);
  });

  it('open nothing but the storefront reads', async () => {
    const { key } = await createKey();
    for (const url of [`/api/v1/products/${productId}/prices`, '/api/v1/publishable-keys']) {
      expect((await withKey(url, key.key)).statusCode, url).toBe(401);
    }
    const write = await catalog.request({
      method: 'POST',
      url: '/api/v1/products',
      token: null,
      headers: { 'x-publishable-api-key': key.key },
      payload: { sku: newSku(), name: 'Nope', price: '1.00', currency: 'USD' },
    });
    expect(write.statusCode).toBe(401);
  });

  it('stop working as soon as they are revoked', async () => {
    const { key } = await createKey();
    expect((await withKey('/api/v1/products', key.key)).statusCode).toBe(200);
    const revoked = await catalog.request({ method: 'DELETE', url: `/api/v1/publishable-keys/${key.id}` });
    expect(revoked.statusCode).toBe(204);
    const refused = await withKey('/api/v1/products', key.key);
    expect(refused.statusCode).toBe(401);
    expect(refused.json().error.message).toMatch(/revoked/);

    const shown = (await catalog.request({ url: `/api/v1/publishable-keys/${key.id}` })).json();
    expect(shown.revokedAt).toEqual(expect.any(String));
    const again = await catalog.request({ method: 'DELETE', url: `/api/v1/publishable-keys/${key.id}` });
    expect(again.statusCode).toBe(204);
    expect((await catalog.request({ url: `/api/v1/publishable-keys/${key.id}` })).json().revokedAt).toBe(
      shown.revokedAt,
    );
    const active = (await catalog.request({ url: '/api/v1/publishable-keys?active=true' })).json();
    expect(active.items.map((k: CreatedKey) => k.id)).not.toContain(key.id);
  });

  it('are limited per key', async () => {
    const { key: limited } = await createKey({ name: 'Tiny storefront', rateLimitPerMinute: 3 });
    const { key: other } = await createKey({ name: 'Other storefront' });
    for (let i = 0; i < 3; i += 1) {
      expect((await withKey('/api/v1/products', limited.key)).statusCode).toBe(200);
    }
    const refused = await withKey('/api/v1/categories', limited.key);
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({
      error: { code: 'RATE_LIMIT_EXCEEDED', details: { limit: 3, callerClass: 'publishable-key' } },
    });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.headers['x-ratelimit-remaining']).toBe('0');
    expect((await withKey('/api/v1/products', other.key)).statusCode).toBe(200);
    // A signed-in customer is not held back by the storefront's key.
    expect((await catalog.request({ url: '/api/v1/products', token: tokens.customer })).statusCode).toBe(200);
  });

  it('are managed by admins only, with bad input refused', async () => {
    const asCustomer = await catalog.request({
      method: 'POST',
      url: '/api/v1/publishable-keys',
      token: tokens.customer,
      payload: { name: 'Mine' },
    });
    expect(asCustomer.statusCode).toBe(403);
    for (const payload of [
      {},
      { name: '   ' },
      { name: 'x', rateLimitPerMinute: 0 },
      { name: 'x', scopes: ['orders:admin'] },
      { name: 'x', scopes: [] },
      { name: 'x', extra: true },
    ]) {
      const response = await catalog.request({ method: 'POST', url: '/api/v1/publishable-keys', payload });
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.json().error.code).toBe('INVALID_REQUEST');
    }
    const missing = await catalog.request({
      method: 'DELETE',
      url: '/api/v1/publishable-keys/7d0c6a43-5f43-4a2a-9a55-0a0f8a7e2f10',
    });
    expect(missing.statusCode).toBe(404);
    expect((await catalog.request({ url: '/api/v1/publishable-keys/not-a-uuid' })).statusCode).toBe(400);
  });

  it('never reach a log line', async () => {
    const { key } = await createKey();
    await withKey('/api/v1/products', key.key);
    await withKey('/api/v1/products', `${key.key}x`);
    await catalog.request({ method: 'DELETE', url: `/api/v1/publishable-keys/${key.id}` });
    await withKey('/api/v1/products', key.key);
    const logs = logLines.join('');
    expect(logs).toContain('publishable key created');
    expect(logs).toContain('request completed');
    expect(logs).not.toContain(key.key.slice(3));
  });
});
