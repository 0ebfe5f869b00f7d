import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isLocalDevelopment, LOCAL_DEVELOPMENT_JWT_SECRET, signToken } from '@fv/service-kit';
import { createStorefront } from './server.js';

/**
 * `npm start` of the storefront. Outside local development (NODE_ENV other than development or test) it needs STOREFRONT_PUBLISHABLE_KEY (created by an admin,
 * see the product-catalog README) and JWT_SECRET. In local development it creates its own key with an
 * admin token signed with the local secret, keeps it under the state folder, and lists a few demo
 * products (with stock) when the catalog is empty.
 */
const env = process.env;
const production = !isLocalDevelopment(env);
const port = Number(env.PORT ?? 8088);
const host = env.HOST ?? '127.0.0.1';
const catalogUrl = env.CATALOG_URL ?? 'http://127.0.0.1:8082';
const ordersUrl = env.ORDERS_URL ?? 'http://127.0.0.1:8084';
const inventoryUrl = env.INVENTORY_URL ?? 'http://127.0.0.1:8083';
const jwtSecret = env.JWT_SECRET ?? LOCAL_DEVELOPMENT_JWT_SECRET;
const repository = fileURLToPath(new URL('../../../', import.meta.url));
const keyFile = path.join(
  env.FV_STATE_DIR ?? path.join(repository, '.local'),
  'storefront',
  'publishable-key',
);

if (production && (!env.STOREFRONT_PUBLISHABLE_KEY || !env.JWT_SECRET)) {
  console.error(
    'STOREFRONT_PUBLISHABLE_KEY and JWT_SECRET are required unless NODE_ENV is development or test',
  );
  process.exit(1);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const admin = () =>
  `Bearer ${signToken(jwtSecret, { sub: 'storefront-setup', roles: ['admin'], expiresIn: 300 })}`;

async function api(method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(5000),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** The kept key when the catalog still accepts it, else a new one (development only). */
async function developmentKey(): Promise<string> {
  const kept = await readFile(keyFile, 'utf8').then(
    (text) => text.trim(),
    () => null,
  );
  if (kept) {
    const probe = await api('GET', `${catalogUrl}/api/v1/products?pageSize=1`, undefined, {
      'x-publishable-api-key': kept,
    });
    if (probe.status === 200) return kept;
  }
  const created = await api(
    'POST',
    `${catalogUrl}/api/v1/publishable-keys`,
    { name: 'Reference storefront (local development)' },
    { authorization: admin() },
  );
  if (created.status !== 201) throw new Error(`creating a publishable key answered ${created.status}`);
  await mkdir(path.dirname(keyFile), { recursive: true });
  await writeFile(keyFile, `${created.body.key}\n`, { mode: 0o600 });
  return created.body.key as string;
}

const DEMO_PRODUCTS = [
  { sku: 'DEMO-LAMP', name: 'Walnut desk lamp', price: '49.99', stock: 25 },
  { sku: 'DEMO-MUG', name: 'Stoneware mug', price: '14.50', stock: 40 },
  { sku: 'DEMO-NOTEBOOK', name: 'Dot-grid notebook', price: '9.95', stock: 60 },
  { sku: 'DEMO-CHAIR', name: 'Oak reading chair', price: '329.00', stock: 0 },
];

/** A few products with stock in wh-001, when the catalog has none (development only). */
async function listDemoProducts(key: string): Promise<void> {
  const listed = await api('GET', `${catalogUrl}/api/v1/products?pageSize=1`, undefined, {
    'x-publishable-api-key': key,
  });
  if (listed.status !== 200 || listed.body.items.length > 0) return;
  for (const product of DEMO_PRODUCTS) {
    const created = await api(
      'POST',
      `${catalogUrl}/api/v1/products`,
      { sku: product.sku, name: product.name, price: product.price, currency: 'USD', status: 'ACTIVE' },
      { authorization: admin(), 'x-idempotency-key': `storefront-demo-${product.sku}` },
    );
    if (created.status !== 201 && created.status !== 200) continue;
    await api(
      'PUT',
      `${inventoryUrl}/api/v1/inventory/${created.body.id}/locations/wh-001`,
      { onHand: product.stock },
      { authorization: admin() },
    );
  }
  console.log(`listed ${DEMO_PRODUCTS.length} demo products`);
}

let key: Promise<string>;
if (env.STOREFRONT_PUBLISHABLE_KEY) {
  key = Promise.resolve(env.STOREFRONT_PUBLISHABLE_KEY);
} else {
  // The catalog may still be starting: keep trying in the background; the page waits for /config.json.
  key = (async () => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        const created = await developmentKey();
        if (env.STOREFRONT_DEMO_PRODUCTS !== 'false') {
          await listDemoProducts(created).catch((error) => console.error('demo products not listed', error));
        }
        return created;
      } catch (error) {
        if (attempt === 1 || attempt % 12 === 0) console.error(`no publishable key yet: ${String(error)}`);
        await sleep(5000);
      }
    }
  })();
}
let ready: string | null = null;
void key.then((value) => (ready = value));

const storefront = await createStorefront({
  catalogUrl,
  ordersUrl,
  jwtSecret,
  publishableKey: async () => ready ?? Promise.reject(new Error('not ready')),
});
const url = await storefront.listen(port, host);
console.log(`storefront listening at ${url} (catalog ${catalogUrl}, orders ${ordersUrl})`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void storefront.close().then(() => process.exit(0));
  });
}
