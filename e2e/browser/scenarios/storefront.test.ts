import { randomUUID } from 'node:crypto';
import { JWT_SECRET, call, token } from '@fv/e2e';
import { sharedPlatform } from '@fv/e2e/shared-platform';
import { createStorefront, customerIdOf, type Storefront } from '@fv/storefront-example/server';
import { waitFor } from '@fv/testing';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../src/chromium.js';

/**
 * The customer journey in a real browser: the reference storefront served on a port of its own, calling
 * the catalog (with a publishable key) and the order service (with the customer's token) across
 * origins, against the whole platform as processes. Each outcome is checked on the page and through
 * the APIs.
 */
const platform = sharedPlatform();
let storefront: Storefront;
let shopUrl: string;
let browser: Browser;
let page: Page;
let publishableKey: string;
const admin = token('browser-e2e-operator', ['admin']);
const suffix = randomUUID().slice(0, 6).toUpperCase();

interface Listed {
  id: string;
  sku: string;
  name: string;
}
let lamp: Listed;
let chair: Listed;
let mug: Listed;

async function listProduct(name: string, price: string, units: number): Promise<Listed> {
  const sku = `SHOP-${name.split(' ')[0]!.toUpperCase()}-${suffix}`;
  const created = await call<{ id: string }>(
    'POST',
    `${platform.url('product-catalog')}/api/v1/products`,
    admin,
    {
      sku,
      name: `${name} ${suffix}`,
      price,
      currency: 'USD',
      status: 'ACTIVE',
    },
  );
  expect(created.status).toBe(201);
  await setStock(created.body.id, units);
  return { id: created.body.id, sku, name: `${name} ${suffix}` };
}

async function setStock(productId: string, units: number) {
  const stocked = await call(
    'PUT',
    `${platform.url('inventory')}/api/v1/inventory/${productId}/locations/wh-001`,
    admin,
    {
      onHand: units,
    },
  );
  expect([200, 201]).toContain(stocked.status);
}

async function stockOf(productId: string) {
  const { body } = await call<{ onHand: number; reserved: number; available: number }>(
    'GET',
    `${platform.url('inventory')}/api/v1/inventory/${productId}`,
    admin,
  );
  return { onHand: body.onHand, reserved: body.reserved, available: body.available };
}

/** The product as the storefront reads it: with the publishable key, no token. */
async function catalogProduct(productId: string) {
  const response = await fetch(`${platform.url('product-catalog')}/api/v1/products/${productId}`, {
    headers: { 'x-publishable-api-key': publishableKey },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { stockStatus: string; availableQuantity: number };
}

/** Waits until the order service has the product's price (it learns it from the catalog's events). */
async function orderable(product: Listed) {
  await waitFor(
    async () => {
      // A deliberately wrong price: refused for a known product (PRICE_MISMATCH), UNKNOWN_PRODUCT before.
      const probe = await call<{ error: { details?: { reason?: string; fields?: { reason?: string }[] } } }>(
        'POST',
        `${platform.url('orders')}/api/v1/orders`,
        token(randomUUID(), ['customer']),
        {
          currency: 'USD',
          items: [{ productId: product.id, quantity: 1, unitPrice: '0.01' }],
          paymentMethod: { type: 'CREDIT_CARD', token: 'tok_visa_4242' },
          shippingAddress: { street: '1 Probe St', city: 'Springfield', zipCode: '12345', country: 'US' },
          shippingMethod: 'STANDARD',
        },
      );
      expect(probe.status).toBeGreaterThanOrEqual(400);
      return !JSON.stringify(probe.body).includes('UNKNOWN_PRODUCT');
    },
    { timeoutMs: 60_000, intervalMs: 500, description: `the order service to know ${product.sku}` },
  );
}

async function orderOf(orderId: string) {
  const { status, body } = await call<{
    status: string;
    customerId: string;
    totalAmount: string;
    payment: { status: string; failureCode: string | null } | null;
    failure: { code: string } | null;
    shipment: { shipmentId: string } | null;
    history: { to: string }[];
  }>('GET', `${platform.url('orders')}/api/v1/orders/${orderId}`, admin);
  expect(status).toBe(200);
  return body;
}

beforeAll(async () => {
  const key = await call<{ key: string }>(
    'POST',
    `${platform.url('product-catalog')}/api/v1/publishable-keys`,
    admin,
    {
      name: 'browser tests',
    },
  );
  expect(key.status).toBe(201);
  publishableKey = key.body.key;

  lamp = await listProduct('Walnut lamp', '49.99', 10);
  chair = await listProduct('Oak chair', '329.00', 0);
  mug = await listProduct('Stoneware mug', '14.50', 1);
  await waitFor(async () => (await catalogProduct(lamp.id)).stockStatus === 'IN_STOCK', {
    timeoutMs: 60_000,
    description: 'the catalog to learn the stock',
  });
  await waitFor(async () => (await catalogProduct(mug.id)).stockStatus === 'IN_STOCK', { timeoutMs: 60_000 });
  for (const product of [lamp, mug]) await orderable(product);

  storefront = await createStorefront({
    catalogUrl: platform.url('product-catalog'),
    ordersUrl: platform.url('orders'),
    publishableKey,
    jwtSecret: JWT_SECRET,
  });
  // On the one origin the platform's services admit from a browser (set by the global set-up).
  shopUrl = await storefront.listen(Number(new URL(platform.shopOrigin).port));
  expect(shopUrl).toBe(platform.shopOrigin);
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
});

afterAll(async () => {
  await browser?.close();
  await storefront?.close();
});

beforeEach(async () => {
  // A fresh profile per test: no cart or session left by another.
  const context = await browser.newContext();
  page = await context.newPage();
  page.on('pageerror', (error) => console.error('page error:', error));
});
afterEach(async () => {
  await page?.context().close();
});

async function addToCart(product: Listed) {
  const card = page.locator(`[data-testid="product"][data-sku="${product.sku}"]`);
  await card.getByTestId('add-to-cart').click();
  await expect.poll(() => card.getByTestId('add-to-cart').textContent()).toContain('Added');
}

/** Fills in the checkout and places the order; answers the order id from the page's address. */
async function checkout(email: string, card: string): Promise<string> {
  await page.goto(`${shopUrl}/#/cart`);
  const form = page.getByTestId('checkout');
  await form.locator('input[name="email"]').fill(email);
  await form.locator('input[name="name"]').fill('Ada Lovelace');
  await form.locator('input[name="street"]').fill('12 Analytical Row');
  await form.locator('input[name="city"]').fill('London');
  await form.locator('input[name="zipCode"]').fill('N1 9GU');
  await form.locator('input[name="country"]').fill('GB');
  await page.getByTestId('card').selectOption(card);
  await page.getByTestId('place-order').click();
  await page.waitForURL(/#\/orders\/[0-9a-f-]{36}$/, { timeout: 30_000 });
  const orderId = new URL(page.url()).hash.split('/').at(-1)!;
  await expect.poll(() => page.getByTestId('cart-count').textContent()).toBe('0');
  return orderId;
}

const status = () => page.getByTestId('order-status').textContent();
const stepClass = (step: string) =>
  page.locator(`[data-testid="progress"] li[data-step="${step}"]`).getAttribute('class');

describe('the reference storefront in Chromium', () => {
  it('browses with the publishable key, then places an order that is followed live to COMPLETED', async () => {
    // What the page relies on, through the API: the key lists products, no key and no token is 401.
    const anonymous = await fetch(`${platform.url('product-catalog')}/api/v1/products`);
    expect(anonymous.status).toBe(401);

    await page.goto(shopUrl);
    await expect
      .poll(() => page.getByTestId('product').count(), { timeout: 20_000 })
      .toBeGreaterThanOrEqual(3);
    await page.getByTestId('search').fill(`Walnut ${suffix}`);
    await page.getByTestId('search').press('Enter');
    await expect
      .poll(() => page.getByTestId('product-name').allTextContents(), { timeout: 20_000 })
      .toEqual([lamp.name]);
    await addToCart(lamp);
    await page.goto(`${shopUrl}/#/cart`);
    await page.getByTestId('quantity').fill('2');
    await page.getByTestId('quantity').dispatchEvent('change');
    await expect.poll(() => page.getByTestId('cart-total').textContent()).toBe('$99.98');
    const before = await stockOf(lamp.id);

    const email = `ada-${suffix.toLowerCase()}@example.com`;
    const orderId = await checkout(email, 'tok_visa_4242');

    // On the page: every step done, the final status, and the stream closed by the server.
    await expect.poll(status, { timeout: 90_000 }).toBe('COMPLETED');
    for (const step of [
      'PLACED',
      'INVENTORY_RESERVED',
      'PAYMENT_AUTHORIZED',
      'SHIPPING_LABEL_CREATED',
      'PAYMENT_CAPTURED',
    ]) {
      expect(await stepClass(step)).toBe('done');
    }
    expect(await page.getByTestId('order-notice').textContent()).toBe('Your order is on its way.');
    await expect.poll(() => page.getByTestId('connection').getAttribute('data-state')).toBe('ended');
    expect(await page.getByTestId('event-log').locator('li').allTextContents()).toEqual([
      'status: PENDING',
      'step: INVENTORY_RESERVED',
      'step: PAYMENT_AUTHORIZED',
      'status: CONFIRMED',
      'step: SHIPPING_LABEL_CREATED',
      'step: PAYMENT_CAPTURED',
      'status: COMPLETED',
      'end: COMPLETED',
    ]);
    expect(await page.getByTestId('order-total').textContent()).toBe('$99.98');

    // Through the APIs: the signed-in customer's order, paid, shipped, and the stock deducted.
    const order = await orderOf(orderId);
    expect(order).toMatchObject({
      status: 'COMPLETED',
      customerId: customerIdOf(email),
      totalAmount: '99.98',
      payment: { status: 'CAPTURED' },
    });
    expect(order.shipment?.shipmentId).toBeTruthy();
    expect(order.history.map((change) => change.to)).toEqual(['PENDING', 'CONFIRMED', 'COMPLETED']);
    await waitFor(async () => (await stockOf(lamp.id)).onHand === before.onHand - 2, {
      timeoutMs: 60_000,
      description: 'the stock to be deducted',
    });

    // The order history shows it.
    await page.goto(`${shopUrl}/#/orders`);
    const row = page.locator(`[data-testid="order-row"][data-order-id="${orderId}"]`);
    await expect
      .poll(() => row.getByTestId('order-row-status').textContent(), { timeout: 20_000 })
      .toBe('COMPLETED');
    expect(await page.getByTestId('signed-in-as').textContent()).toBe(email);
  });

  it('shows a declined card with its reason; the order fails and nothing is kept', async () => {
    await page.goto(shopUrl);
    await expect
      .poll(() => page.getByTestId('product').count(), { timeout: 20_000 })
      .toBeGreaterThanOrEqual(3);
    await addToCart(lamp);
    await waitFor(async () => (await stockOf(lamp.id)).reserved === 0, { timeoutMs: 60_000 });
    const before = await stockOf(lamp.id);
    const orderId = await checkout(`grace-${suffix.toLowerCase()}@example.com`, 'tok_decline');

    const notice = page.getByTestId('order-notice');
    await expect.poll(() => notice.getAttribute('data-code'), { timeout: 90_000 }).toBe('PAYMENT_DECLINED');
    expect(await notice.textContent()).toBe('Your card was declined.');
    expect(await stepClass('INVENTORY_RESERVED')).toBe('done');
    expect(await stepClass('PAYMENT_AUTHORIZED')).toBe('failed');
    expect(await stepClass('PAYMENT_CAPTURED')).toBeNull();
    expect(['PAYMENT_FAILED', 'FAILED']).toContain(await status());

    const order = await orderOf(orderId);
    expect(['PAYMENT_FAILED', 'FAILED']).toContain(order.status);
    expect(order.failure?.code).toBe('PAYMENT_DECLINED');
    expect(order.payment).toMatchObject({ status: 'FAILED', failureCode: 'PAYMENT_DECLINED' });
    await waitFor(async () => (await stockOf(lamp.id)).reserved === 0, {
      timeoutMs: 60_000,
      description: 'the reservation to be released',
    });
    expect(await stockOf(lamp.id)).toEqual(before);
  });

  it('cannot add a product that is out of stock, and reports one that sold out before checkout', async () => {
    await page.goto(shopUrl);
    const chairCard = page.locator(`[data-testid="product"][data-sku="${chair.sku}"]`);
    await expect
      .poll(() => chairCard.getByTestId('stock').textContent(), { timeout: 20_000 })
      .toBe('Out of stock');
    expect(await chairCard.getByTestId('add-to-cart').isDisabled()).toBe(true);
    expect(await catalogProduct(chair.id)).toMatchObject({
      stockStatus: 'OUT_OF_STOCK',
      availableQuantity: 0,
    });

    // The last mug is in the cart when someone else takes it.
    const mugCard = page.locator(`[data-testid="product"][data-sku="${mug.sku}"]`);
    expect(await mugCard.getByTestId('stock').textContent()).toBe('In stock (1)');
    await addToCart(mug);
    await setStock(mug.id, 0);
    const orderId = await checkout(`alan-${suffix.toLowerCase()}@example.com`, 'tok_visa_4242');

    const notice = page.getByTestId('order-notice');
    await expect.poll(() => notice.getAttribute('data-code'), { timeout: 90_000 }).toBe('INSUFFICIENT_STOCK');
    expect(await notice.textContent()).toBe('Not enough stock: an item of this order sold out.');
    expect(await stepClass('INVENTORY_RESERVED')).toBe('failed');
    expect(await stepClass('PAYMENT_AUTHORIZED')).toBeNull();
    // The platform ends the failed order FAILED, and the stream ends with it.
    await expect.poll(status, { timeout: 90_000 }).toBe('FAILED');
    await expect.poll(() => page.getByTestId('connection').getAttribute('data-state')).toBe('ended');

    const order = await orderOf(orderId);
    expect(order).toMatchObject({
      status: 'FAILED',
      failure: { reason: 'INVENTORY_ERROR', code: 'INSUFFICIENT_STOCK' },
      payment: null,
    });
    expect(order.history.map((change) => change.to)).toEqual(['PENDING', 'INVENTORY_FAILED', 'FAILED']);
    expect(await stockOf(mug.id)).toEqual({ onHand: 0, reserved: 0, available: 0 });
    await waitFor(async () => (await catalogProduct(mug.id)).stockStatus === 'OUT_OF_STOCK', {
      timeoutMs: 60_000,
    });
  });
});
