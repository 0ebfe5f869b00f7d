import { randomUUID } from 'node:crypto';
import { waitFor } from '@fv/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InventoryHarness, newProduct, orderCreated, SERVICE, stock, stockOf } from './harness.js';

let h: InventoryHarness;

beforeAll(async () => {
  h = await InventoryHarness.start('oversell');
});
afterAll(async () => {
  await h?.stop();
});

const reserve = (items: { productId: string; quantity: number }[]) =>
  h.app.inject({
    method: 'POST',
    url: '/api/v1/inventory/reserve',
    headers: { authorization: SERVICE },
    payload: { orderId: randomUUID(), items },
  });

/** Every recorded state of the product's levels kept 0 <= reserved <= on hand. */
async function expectNeverOversold(productId: string) {
  const movements = await h.prisma.stockMovement.findMany({ where: { productId } });
  expect(movements.length).toBeGreaterThan(0);
  for (const movement of movements) {
    expect(movement.onHandAfter).toBeGreaterThanOrEqual(0);
    expect(movement.reservedAfter).toBeGreaterThanOrEqual(0);
    expect(movement.reservedAfter).toBeLessThanOrEqual(movement.onHandAfter);
  }
}

describe('never overselling', () => {
  it('lets exactly 10 of 50 simultaneous HTTP reservations take the last 10 units', async () => {
    const productId = newProduct();
    await stock(h, productId, 'wh-a', 6);
    await stock(h, productId, 'wh-b', 4);

    const responses = await Promise.all(
      Array.from({ length: 50 }, () => reserve([{ productId, quantity: 1 }])),
    );
    const statuses = responses.map((response) => response.statusCode);
    expect(statuses.filter((status) => status === 201)).toHaveLength(10);
    expect(statuses.filter((status) => status === 422)).toHaveLength(40);
    for (const refused of responses.filter((response) => response.statusCode === 422)) {
      expect(refused.json().error.details).toMatchObject({
        reason: 'INSUFFICIENT_STOCK',
        unavailableItems: [{ productId, requestedQuantity: 1, availableQuantity: 0 }],
      });
    }

    expect(await stockOf(h, productId)).toMatchObject({
      onHand: 10,
      reserved: 10,
      available: 0,
      locations: [
        { warehouseId: 'wh-a', onHand: 6, reserved: 6 },
        { warehouseId: 'wh-b', onHand: 4, reserved: 4 },
      ],
    });
    expect(
      await h.prisma.reservationItem.aggregate({ where: { productId }, _sum: { quantity: true } }),
    ).toEqual({ _sum: { quantity: 10 } });
    await expectNeverOversold(productId);
    await h.waitForPublished(
      'InventoryReserved',
      (e) => e.items.some((item) => item.productId === productId),
      10,
    );
  });

  it('locks multi-product orders in one order: opposite line orders neither deadlock nor oversell', async () => {
    const [a, b] = [newProduct(), newProduct()];
    await stock(h, a, 'wh-1', 10);
    await stock(h, b, 'wh-1', 10);
    const responses = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        reserve(
          i % 2 === 0
            ? [
                { productId: a, quantity: 1 },
                { productId: b, quantity: 1 },
              ]
            : [
                { productId: b, quantity: 1 },
                { productId: a, quantity: 1 },
              ],
        ),
      ),
    );
    const statuses = responses.map((response) => response.statusCode);
    expect(statuses.filter((status) => status === 201)).toHaveLength(10);
    expect(statuses.filter((status) => status === 422)).toHaveLength(30);
    expect(await stockOf(h, a)).toMatchObject({ reserved: 10, available: 0 });
    expect(await stockOf(h, b)).toMatchObject({ reserved: 10, available: 0 });
    await expectNeverOversold(a);
    await expectNeverOversold(b);
  });

  it('lets exactly 10 orders through when 50 OrderCreated events and 25 HTTP requests race for 10 units', async () => {
    const productId = newProduct();
    await stock(h, productId, 'wh-1', 10);
    const orderIds = Array.from({ length: 50 }, () => randomUUID());
    const [, responses] = await Promise.all([
      Promise.all(
        orderIds.map((orderId) =>
          h.publish('OrderCreated', orderCreated(orderId, [{ productId, quantity: 1 }]), {
            correlationId: orderId,
          }),
        ),
      ),
      Promise.all(Array.from({ length: 25 }, () => reserve([{ productId, quantity: 1 }]))),
    ]);

    const mine = new Set<string>(orderIds);
    const answered = async () =>
      (await h.published('InventoryReserved', (e) => mine.has(e.orderId))).length +
      (await h.published('InventoryReservationFailed', (e) => mine.has(e.orderId))).length;
    await waitFor(async () => (await answered()) === 50, {
      timeoutMs: 60_000,
      description: 'an answer to each of the 50 orders',
    });

    const byEvent = (await h.published('InventoryReserved', (e) => mine.has(e.orderId))).length;
    const byHttp = responses.filter((response) => response.statusCode === 201).length;
    expect(byEvent + byHttp).toBe(10);
    expect(responses.filter((response) => response.statusCode === 422)).toHaveLength(25 - byHttp);
    const failures = await h.published('InventoryReservationFailed', (e) => mine.has(e.orderId));
    expect(failures).toHaveLength(50 - byEvent);
    expect(failures.every((f) => f.reason === 'INSUFFICIENT_STOCK')).toBe(true);
    expect(await stockOf(h, productId)).toMatchObject({ onHand: 10, reserved: 10, available: 0 });
    await expectNeverOversold(productId);
  });
});
