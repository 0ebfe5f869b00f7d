import { randomUUID } from 'node:crypto';
import { signToken } from '@fv/service-kit';
import { waitFor } from '@fv/testing';
import { callJson, orderRequest } from '@fv/testing/platform-requests';
import { JWT_SECRET, type BenchPlatform } from './platform.js';
import { admin, CARD } from './measure.js';

/** A JSON call of the seeding, given up after 15 s. */
const call = <T = Record<string, unknown>>(
  method: string,
  url: string,
  bearer: string,
  body?: unknown,
  headers: Record<string, string> = {},
) => callJson<T>(method, url, bearer, body, headers, { timeoutMs: 15_000 });

/**
 * Products in the catalog with plenty of stock in wh-001, through the services' HTTP APIs, and one order of
 * each placed and completed: the order service has learnt every price (from the catalog's events) and the
 * whole saga has run once before anything is measured.
 */
export async function seedProducts(
  platform: BenchPlatform,
  options: { count: number; unitsEach: number; runId: string },
): Promise<string[]> {
  const token = admin();
  const productIds: string[] = [];
  for (let i = 0; i < options.count; i += 1) {
    const sku = `BENCH-${options.runId}-${i + 1}`;
    const created = await call<{ id: string }>(
      'POST',
      `${platform.url('product-catalog')}/api/v1/products`,
      token,
      {
        sku,
        name: `Benchmark product ${i + 1}`,
        price: `${10 + i}.99`,
        currency: 'USD',
        status: 'ACTIVE',
      },
      { 'x-idempotency-key': `bench-product-${sku}` },
    );
    if (created.status !== 201)
      throw new Error(`creating ${sku} answered ${created.status}: ${JSON.stringify(created.body)}`);
    const stocked = await call(
      'PUT',
      `${platform.url('inventory')}/api/v1/inventory/${created.body.id}/locations/wh-001`,
      token,
      { onHand: options.unitsEach },
    );
    if (stocked.status !== 201 && stocked.status !== 200)
      throw new Error(`stocking ${sku} answered ${stocked.status}: ${JSON.stringify(stocked.body)}`);
    productIds.push(created.body.id);
  }
  const orderIds: string[] = [];
  for (const productId of productIds) {
    const customer = signToken(JWT_SECRET, { sub: randomUUID(), roles: ['customer'], expiresIn: 3600 });
    const placed = await waitFor(
      async () => {
        const answer = await call<{ orderId?: string; error?: { details?: { reason?: string } } }>(
          'POST',
          `${platform.url('orders')}/api/v1/orders`,
          customer,
          orderRequest({
            customerEmail: 'seed@example.com',
            items: [{ productId, quantity: 1, warehouseId: 'wh-001' }],
            cardToken: CARD,
          }),
          { 'x-idempotency-key': `bench-seed-${options.runId}-${productId}` },
        );
        if (answer.status === 422 && answer.body.error?.details?.reason === 'UNKNOWN_PRODUCT')
          return undefined;
        if (answer.status !== 201 && answer.status !== 202)
          throw new Error(`the seed order answered ${answer.status}: ${JSON.stringify(answer.body)}`);
        return answer.body.orderId;
      },
      {
        timeoutMs: 120_000,
        intervalMs: 500,
        description: 'the order service to know the benchmark products',
      },
    );
    orderIds.push(placed!);
  }
  for (const orderId of orderIds) {
    await waitFor(
      async () => {
        const { body } = await call<{ status: string }>(
          'GET',
          `${platform.url('orders')}/api/v1/orders/${orderId}`,
          token,
        );
        if (['PENDING', 'CONFIRMED', 'COMPLETED'].includes(body.status)) return body.status === 'COMPLETED';
        throw new Error(`the seed order ${orderId} ended ${body.status}; see ${platform.logsDir}`);
      },
      { timeoutMs: 120_000, intervalMs: 250, description: `seed order ${orderId} to complete` },
    );
  }
  return productIds;
}
