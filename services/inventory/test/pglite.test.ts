import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InventoryHarness, newProduct, orderCreated, SERVICE, stock, stockOf } from './harness.js';

let h: InventoryHarness;

beforeAll(async () => {
  h = await InventoryHarness.start('pglite', {}, { database: 'embedded' });
});
afterAll(async () => {
  await h?.stop();
});

describe('on the embedded database (PGlite)', () => {
  it('migrates, never oversells under concurrent reservations, and serves the saga', async () => {
    const health = (await h.app.inject({ url: '/health' })).body;
    expect(health).toContain('PGlite');

    const productId = newProduct();
    await stock(h, productId, 'wh-1', 10);
    const responses = await Promise.all(
      Array.from({ length: 30 }, () =>
        h.app.inject({
          method: 'POST',
          url: '/api/v1/inventory/reserve',
          headers: { authorization: SERVICE },
          payload: { orderId: randomUUID(), items: [{ productId, quantity: 1 }] },
        }),
      ),
    );
    expect(responses.filter((response) => response.statusCode === 201)).toHaveLength(10);
    expect(responses.filter((response) => response.statusCode === 422)).toHaveLength(20);
    expect(await stockOf(h, productId)).toMatchObject({ onHand: 10, reserved: 10, available: 0 });

    const other = newProduct();
    await stock(h, other, 'wh-1', 3);
    const orderId = randomUUID();
    await h.publish('OrderCreated', orderCreated(orderId, [{ productId: other, quantity: 3 }]), {
      correlationId: orderId,
    });
    const [reserved] = await h.waitForPublished('InventoryReserved', (e) => e.orderId === orderId);
    expect(reserved!.items).toEqual([{ productId: other, warehouseId: 'wh-1', quantity: 3 }]);
    expect(await stockOf(h, other)).toMatchObject({ reserved: 3, available: 0 });
  });
});
