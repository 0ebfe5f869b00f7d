import { randomUUID } from 'node:crypto';
import { startSupplier, type TestSupplier } from '@fv/supplier/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, InventoryHarness, newProduct, stock, stockOf } from './harness.js';

let supplier: TestSupplier;
let h: InventoryHarness;
const WH = 'wh-repl';

beforeAll(async () => {
  supplier = await startSupplier('inventory-replenishment', {
    CONFIRM_DELAY_MS: '300',
    DELIVERY_DELAY_MS: '2500',
  });
  h = await InventoryHarness.start('replenishment', {
    SUPPLIER_URL: supplier.url,
    REPLENISHMENT_POLL_INTERVAL_MS: '100',
    SUPPLIER_MAX_ATTEMPTS: '3',
    SUPPLIER_TIMEOUT_MS: '1000',
    DEFAULT_REORDER_QUANTITY: '40',
  });
});
afterAll(async () => {
  await h?.stop();
  await supplier?.close();
});

/** Puts 20 units at the location (threshold 10), then damages 12: available 8, a LowStockAlert. */
async function runLow(productId: string) {
  await stock(h, productId, WH, 20, 10);
  const adjusted = await h.app.inject({
    method: 'POST',
    url: '/api/v1/inventory/adjust',
    headers: { authorization: ADMIN },
    payload: { productId, warehouseId: WH, quantityChange: -12, reason: 'DAMAGED' },
  });
  expect(adjusted.statusCode).toBe(201);
  await h.waitForPublished('LowStockAlert', (e) => e.productId === productId);
}

async function replenishmentsOf(productId: string) {
  const response = await h.app.inject({
    url: `/api/v1/inventory/replenishments?productId=${productId}`,
    headers: { authorization: ADMIN },
  });
  expect(response.statusCode).toBe(200);
  return response.json().items as { replenishmentId: string; status: string; failureReason: string | null }[];
}

async function eventsOf(replenishmentId: string) {
  const names = [
    'ReplenishmentRequested',
    'PurchaseOrderPlaced',
    'PurchaseOrderConfirmed',
    'ReplenishmentCompleted',
    'ReplenishmentFailed',
  ] as const;
  const found = await Promise.all(
    names.map(async (name) =>
      (
        await h.published(name, (e) => (e as { replenishmentId: string }).replenishmentId === replenishmentId)
      ).map((event) => ({ name, event })),
    ),
  );
  return found.flat();
}

describe('replenishment', () => {
  it('a low-stock alert is replenished: purchase order, confirmation, goods received, stock up, events in order', async () => {
    const productId = newProduct();
    const settings = await h.app.inject({
      method: 'PUT',
      url: `/api/v1/inventory/${productId}/locations/${WH}/replenishment`,
      headers: { authorization: ADMIN },
      payload: { reorderQuantity: 30, supplierId: 'acme' },
    });
    expect(settings.statusCode).toBe(404);
    await stock(h, productId, WH, 20, 10);
    const saved = await h.app.inject({
      method: 'PUT',
      url: `/api/v1/inventory/${productId}/locations/${WH}/replenishment`,
      headers: { authorization: ADMIN },
      payload: { reorderQuantity: 30, supplierId: 'acme', lowStockThreshold: 10 },
    });
    expect(saved.json()).toMatchObject({
      reorderQuantity: 30,
      supplierId: 'acme',
      lowStockThreshold: 10,
      defaults: false,
    });

    await runLow(productId);
    const [completed] = await h.waitForPublished('ReplenishmentCompleted', (e) => e.productId === productId);
    const replenishmentId = completed!.replenishmentId;
    expect(completed!).toMatchObject({ warehouseId: WH, receivedQuantity: 30, newQuantity: 38 });

    const events = await eventsOf(replenishmentId);
    expect(events.map((e) => e.name)).toEqual([
      'ReplenishmentRequested',
      'PurchaseOrderPlaced',
      'PurchaseOrderConfirmed',
      'ReplenishmentCompleted',
    ]);
    expect(events.map((e) => e.event.occurredAt)).toEqual([...events.map((e) => e.event.occurredAt)].sort());
    expect(events.every((e) => e.event.correlationId === replenishmentId)).toBe(true);
    const [requested, placed] = events;
    expect(requested!.event).toMatchObject({
      quantity: 30,
      availableQuantity: 8,
      threshold: 10,
      supplierId: 'acme',
    });
    const purchaseOrderId = (placed!.event as { purchaseOrderId: string }).purchaseOrderId;
    const [restock] = await h.waitForPublished(
      'InventoryAdjusted',
      (e) => e.productId === productId && e.reference === purchaseOrderId,
    );
    expect(restock!).toMatchObject({ reason: 'RESTOCK', quantityChange: 30, newQuantity: 38 });
    expect((await stockOf(h, productId)).onHand).toBe(38);

    const got = await h.app.inject({
      url: `/api/v1/inventory/replenishments/${replenishmentId}`,
      headers: { authorization: ADMIN },
    });
    expect(got.json()).toMatchObject({ status: 'RECEIVED', purchaseOrderId, quantity: 30 });
    const atSupplier = await supplier.app.inject({ url: `/v1/purchase-orders?reference=${replenishmentId}` });
    expect(atSupplier.json().purchaseOrders).toHaveLength(1);
  });

  it('concurrent alerts for the same location open one replenishment', async () => {
    const productId = newProduct();
    await stock(h, productId, WH, 5, 10);
    await Promise.all(
      Array.from({ length: 6 }, () =>
        h.publish(
          'LowStockAlert',
          { productId, warehouseId: WH, availableQuantity: 5, threshold: 10 },
          { correlationId: randomUUID() },
          { key: randomUUID() },
        ),
      ),
    );
    await h.waitForPublished('ReplenishmentRequested', (e) => e.productId === productId);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await h.published('ReplenishmentRequested', (e) => e.productId === productId)).toHaveLength(1);
    expect(await replenishmentsOf(productId)).toHaveLength(1);
  });

  it('a supplier rejection fails the replenishment, and a new alert may open another', async () => {
    const productId = newProduct();
    await supplier.behave(productId, 'REJECT');
    await runLow(productId);
    const mine = await h.waitForPublished('ReplenishmentRequested', (e) => e.productId === productId);
    const failedMine = await h.waitForPublished(
      'ReplenishmentFailed',
      (e) => e.replenishmentId === mine[0]!.replenishmentId,
    );
    expect(failedMine[0]!).toMatchObject({ reason: 'SUPPLIER_REJECTED', purchaseOrderId: null });
    expect(failedMine[0]!.reasonDetails).toContain('PRODUCT_DISCONTINUED');
    expect(await replenishmentsOf(productId)).toMatchObject([
      { status: 'FAILED', failureReason: 'SUPPLIER_REJECTED' },
    ]);

    await supplier.behave(productId, 'NORMAL');
    await h.publish(
      'LowStockAlert',
      { productId, warehouseId: WH, availableQuantity: 8, threshold: 10 },
      { correlationId: randomUUID() },
      { key: productId },
    );
    await h.waitForPublished('ReplenishmentRequested', (e) => e.productId === productId, 2);
  });

  it('an unavailable supplier fails the replenishment after the last attempt', async () => {
    const productId = newProduct();
    await supplier.behave(productId, 'UNAVAILABLE');
    await runLow(productId);
    const [requested] = await h.waitForPublished('ReplenishmentRequested', (e) => e.productId === productId);
    const [failed] = await h.waitForPublished(
      'ReplenishmentFailed',
      (e) => e.replenishmentId === requested!.replenishmentId,
    );
    expect(failed!.reason).toBe('SUPPLIER_UNAVAILABLE');
    expect(failed!.reasonDetails).toContain('3 attempts');
  });

  it('an ORDERED replenishment resumes after inventory and the supplier restart', async () => {
    const productId = newProduct();
    await runLow(productId);
    const [placed] = await h.waitForPublished('PurchaseOrderPlaced', (e) => e.productId === productId);
    const replenishmentId = placed!.replenishmentId;
    await supplier.stop();
    await h.restart();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const [open] = await replenishmentsOf(productId);
    expect(['ORDERED', 'CONFIRMED']).toContain(open!.status);
    await supplier.start();
    const [completed] = await h.waitForPublished(
      'ReplenishmentCompleted',
      (e) => e.replenishmentId === replenishmentId,
    );
    expect(completed!).toMatchObject({ receivedQuantity: 40, newQuantity: 48 });
    expect((await eventsOf(replenishmentId)).map((e) => e.name)).toEqual([
      'ReplenishmentRequested',
      'PurchaseOrderPlaced',
      'PurchaseOrderConfirmed',
      'ReplenishmentCompleted',
    ]);
    expect((await stockOf(h, productId)).onHand).toBe(48);
  });

  it('refuses bad input with the error envelope', async () => {
    const bad = await h.app.inject({
      method: 'PUT',
      url: `/api/v1/inventory/${newProduct()}/locations/${WH}/replenishment`,
      headers: { authorization: ADMIN },
      payload: { reorderQuantity: 0 },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('INVALID_REQUEST');
    const unknown = await h.app.inject({
      url: `/api/v1/inventory/replenishments/${randomUUID()}`,
      headers: { authorization: ADMIN },
    });
    expect(unknown.statusCode).toBe(404);
    const badStatus = await h.app.inject({
      url: '/api/v1/inventory/replenishments?status=LOST',
      headers: { authorization: ADMIN },
    });
    expect(badStatus.statusCode).toBe(400);
  });
});

describe('returns', () => {
  it('a ReturnReceived restocks its lines once, whatever redeliveries happen', async () => {
    const productId = newProduct();
    const other = newProduct();
    await stock(h, productId, WH, 30, 0);
    const returnId = `ret-${randomUUID()}`;
    const received = {
      returnId,
      orderId: randomUUID(),
      customerId: randomUUID(),
      items: [
        { productId, quantity: 2, reason: 'NO_LONGER_NEEDED', condition: 'RESELLABLE' },
        { productId: other, quantity: 1, reason: 'OTHER', condition: 'RESELLABLE' },
      ],
      warehouseId: WH,
    };
    const eventId = randomUUID();
    await h.publish('ReturnReceived', received, { correlationId: returnId, eventId });
    await h.publish('ReturnReceived', received, { correlationId: returnId, eventId });
    await h.publish('ReturnReceived', received, { correlationId: returnId });
    const adjusted = await h.waitForPublished('InventoryAdjusted', (e) => e.reference === returnId, 2);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await h.published('InventoryAdjusted', (e) => e.reference === returnId)).toHaveLength(2);
    expect(adjusted.map((a) => a.reason)).toEqual(['RETURN', 'RETURN']);
    expect((await stockOf(h, productId)).onHand).toBe(32);
    expect((await stockOf(h, other)).onHand).toBe(1);
  });
});
