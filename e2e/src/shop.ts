import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { orderRequest, waitFor } from '@fv/testing';
import { call, token, type Platform } from './platform.js';

export interface Order {
  orderId: string;
  status: string;
  totalAmount: string;
}

/** What the scenarios do as a storefront and as an operator, over HTTP, on a running platform. */
export function shop(platform: Pick<Platform, 'url'>) {
  const admin = token('e2e-operator', ['admin']);

  /** A product in the catalog (so the order service learns its price) with `units` in warehouse wh-001. */
  async function stockedProduct(units: number, price = '49.99'): Promise<string> {
    const created = await call<{ id: string }>(
      'POST',
      `${platform.url('product-catalog')}/api/v1/products`,
      admin,
      {
        sku: `E2E-${randomUUID().slice(0, 8)}`,
        name: 'Walnut desk lamp',
        price,
        currency: 'USD',
        status: 'ACTIVE',
      },
    );
    expect(created.status).toBe(201);
    const productId = created.body.id;
    const stocked = await call(
      'PUT',
      `${platform.url('inventory')}/api/v1/inventory/${productId}/locations/wh-001`,
      admin,
      { onHand: units },
    );
    expect(stocked.status).toBe(201);
    return productId;
  }

  async function placeOrder(
    customerId: string,
    productId: string,
    quantity: number,
    cardToken: string,
    headers: Record<string, string> = {},
    /** More fields of the order request (e.g. couponCode). */
    extra: Record<string, unknown> = {},
  ) {
    const customer = token(customerId, ['customer']);
    // The order service learns prices from catalog events: wait until it accepts the product.
    return waitFor(
      async () => {
        const placed = await call<Order & { error?: { details?: { reason?: string } } }>(
          'POST',
          `${platform.url('orders')}/api/v1/orders`,
          customer,
          {
            ...orderRequest({
              customerEmail: 'ada@example.com',
              items: [{ productId, quantity }],
              // A split payment (extra.paymentMethods) replaces the single card.
              cardToken: extra.paymentMethods ? null : cardToken,
            }),
            ...extra,
          },
          { 'x-idempotency-key': `e2e-${productId}-${customerId}`, ...headers },
        );
        if (placed.status === 422 && placed.body.error?.details?.reason === 'UNKNOWN_PRODUCT')
          return undefined;
        // 202 Accepted (seed 003): the order exists (PENDING) and its saga runs on its own.
        expect(placed.status).toBe(202);
        expect(placed.headers.get('location')).toBe(`/api/v1/orders/${placed.body.orderId}`);
        return placed.body;
      },
      { timeoutMs: 60_000, intervalMs: 500, description: 'the order service to know the product' },
    );
  }

  async function orderStatus(orderId: string) {
    return (await call<Order>('GET', `${platform.url('orders')}/api/v1/orders/${orderId}`, admin)).body
      .status;
  }

  async function stockOf(productId: string) {
    const { body } = await call<{ onHand: number; reserved: number; available: number }>(
      'GET',
      `${platform.url('inventory')}/api/v1/inventory/${productId}`,
      admin,
    );
    return { onHand: body.onHand, reserved: body.reserved, available: body.available };
  }

  /** Waits for the order to reach `status`. */
  async function orderReaches(orderId: string, status: string, timeoutMs = 60_000) {
    await waitFor(async () => (await orderStatus(orderId)) === status, {
      timeoutMs,
      intervalMs: 250,
      description: `order ${orderId} to be ${status}`,
    });
  }

  return { admin, stockedProduct, placeOrder, orderStatus, stockOf, orderReaches };
}
