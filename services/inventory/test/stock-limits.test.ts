import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, InventoryHarness, newProduct, SERVICE, stock, stockOf } from './harness.js';

// The most units one location may be set to through PUT /inventory/{productId}/locations/{warehouseId}.
const NEAR_MAXIMUM = 1_000_000_000;
const INT32_MAX = 2_147_483_647;

let h: InventoryHarness;

beforeAll(async () => {
  h = await InventoryHarness.start('limits');
});
afterAll(async () => {
  await h?.stop();
});

const adjust = (productId: string, warehouseId: string, quantityChange: number) =>
  h.app.inject({
    method: 'POST',
    url: '/api/v1/inventory/adjust',
    headers: { authorization: ADMIN },
    payload: { productId, warehouseId, quantityChange, reason: 'RESTOCK' },
  });

describe('stock arithmetic beyond 32 bits', () => {
  it('keeps every change of a product working when three locations are near the maximum', async () => {
    const productId = newProduct();
    for (const warehouseId of ['wh-a', 'wh-b', 'wh-c']) {
      await stock(h, productId, warehouseId, NEAR_MAXIMUM);
    }

    const adjusted = await adjust(productId, 'wh-a', -5);
    expect(adjusted.statusCode, adjusted.body).toBe(201);

    const reserved = await h.app.inject({
      method: 'POST',
      url: '/api/v1/inventory/reserve',
      headers: { authorization: SERVICE },
      payload: { orderId: randomUUID(), items: [{ productId, quantity: 2 }] },
    });
    expect(reserved.statusCode, reserved.body).toBe(201);

    expect(await stockOf(h, productId)).toMatchObject({
      onHand: 3 * NEAR_MAXIMUM - 5,
      reserved: 2,
      available: 3 * NEAR_MAXIMUM - 7,
    });

    // The event's totalAvailable is a 32-bit Avro int: it says "at least this many" past that.
    const updates = await h.waitForPublished('InventoryUpdated', (e) => e.productId === productId, 5);
    expect(updates.map((u) => u.totalAvailable)).toEqual([
      NEAR_MAXIMUM,
      2 * NEAR_MAXIMUM,
      INT32_MAX,
      INT32_MAX,
      INT32_MAX,
    ]);
  });

  it('refuses units on hand past what one location can hold with a 422, not a database error', async () => {
    const productId = newProduct();
    await stock(h, productId, 'wh-a', NEAR_MAXIMUM);
    expect((await adjust(productId, 'wh-a', NEAR_MAXIMUM)).statusCode).toBe(201);

    const over = await adjust(productId, 'wh-a', NEAR_MAXIMUM);
    expect(over.statusCode, over.body).toBe(422);
    expect(over.json().error).toMatchObject({
      code: 'UNPROCESSABLE_ENTITY',
      details: { reason: 'STOCK_LIMIT_EXCEEDED', productId, warehouseId: 'wh-a', maximum: INT32_MAX },
    });
    expect(await stockOf(h, productId)).toMatchObject({ onHand: 2 * NEAR_MAXIMUM });
  });
});
