import { randomUUID } from 'node:crypto';
import { dlqTopicOf, topicOf, type EventPayload } from '@fv/contracts';
import { waitFor } from '@fv/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { externalEvent, newSku, startCatalog, type Catalog } from './support.js';

let catalog: Catalog;
const dlqTopic = dlqTopicOf(topicOf('InventoryUpdated'));

beforeAll(async () => {
  catalog = await startCatalog('catalog-inventory');
});
afterAll(async () => {
  await catalog?.stop();
});

function inventoryUpdated(productId: string, totalAvailable: number, occurredAt: number) {
  const payload: EventPayload<'InventoryUpdated'> = {
    productId,
    warehouseId: 'wh-001',
    onHand: totalAvailable + 1,
    reserved: 1,
    available: totalAvailable,
    totalAvailable,
    changeReason: 'ADJUSTED',
  };
  return externalEvent<'InventoryUpdated'>(payload, { occurredAt });
}

async function createProduct() {
  const response = await catalog.request({
    method: 'POST',
    url: '/api/v1/products',
    payload: { sku: newSku('STOCK'), name: 'Camping stove', price: '39.90', currency: 'USD' },
  });
  expect(response.statusCode).toBe(201);
  return response.json() as { id: string; sku: string };
}

async function stockOf(id: string) {
  const response = await catalog.request({ url: `/api/v1/products/${id}` });
  const { stockStatus, availableQuantity } = response.json();
  return { stockStatus, availableQuantity } as { stockStatus: string; availableQuantity: number };
}

/** Waits until the catalog has applied (or skipped as a duplicate) the event with this id. */
function processed(eventId: string) {
  return waitFor(
    async () => {
      const rows = await catalog.prisma.processedEvent.count({ where: { eventId } });
      return rows > 0;
    },
    { timeoutMs: 30_000, description: `InventoryUpdated ${eventId} to be processed` },
  );
}

describe('stock status from InventoryUpdated', () => {
  it('follows the stock, publishes ProductOutOfStock once, and applies a redelivered event once', async () => {
    const product = await createProduct();
    expect(await stockOf(product.id)).toEqual({ stockStatus: 'OUT_OF_STOCK', availableQuantity: 0 });
    const t0 = Date.now();

    const restocked = inventoryUpdated(product.id, 5, t0);
    await catalog.publish('InventoryUpdated', restocked, {}, { key: product.id });
    await processed(restocked.eventId);
    expect(await stockOf(product.id)).toEqual({ stockStatus: 'IN_STOCK', availableQuantity: 5 });
    expect(await catalog.outboxCount('ProductOutOfStock', product.id)).toBe(0);

    const soldOut = inventoryUpdated(product.id, 0, t0 + 1000);
    const duplicatesBefore = catalog.runtime.consumers[0]!.stats().duplicates;
    await catalog.publish('InventoryUpdated', soldOut, {}, { key: product.id });
    await catalog.publish('InventoryUpdated', soldOut, {}, { key: product.id });
    await processed(soldOut.eventId);
    await waitFor(() => catalog.runtime.consumers[0]!.stats().duplicates > duplicatesBefore, {
      timeoutMs: 30_000,
      description: 'the redelivered event to be recognised',
    });
    expect(await stockOf(product.id)).toEqual({ stockStatus: 'OUT_OF_STOCK', availableQuantity: 0 });

    const event = await catalog.received('ProductOutOfStock', (e) => e.productId === product.id);
    expect(event).toMatchObject({
      sku: product.sku,
      causationId: soldOut.eventId,
      correlationId: soldOut.correlationId,
    });
    expect(await catalog.outboxCount('ProductOutOfStock', product.id)).toBe(1);

    // Still nothing available: no second ProductOutOfStock.
    const stillOut = inventoryUpdated(product.id, 0, t0 + 2000);
    await catalog.publish('InventoryUpdated', stillOut, {}, { key: product.id });
    await processed(stillOut.eventId);
    expect(await catalog.outboxCount('ProductOutOfStock', product.id)).toBe(1);
  });

  it('ignores a report older than the one already applied', async () => {
    const product = await createProduct();
    const t0 = Date.now();
    const latest = inventoryUpdated(product.id, 3, t0);
    await catalog.publish('InventoryUpdated', latest, {}, { key: product.id });
    await processed(latest.eventId);
    const late = inventoryUpdated(product.id, 0, t0 - 60_000);
    await catalog.publish('InventoryUpdated', late, {}, { key: product.id });
    await processed(late.eventId);
    expect(await stockOf(product.id)).toEqual({ stockStatus: 'IN_STOCK', availableQuantity: 3 });
    expect(await catalog.outboxCount('ProductOutOfStock', product.id)).toBe(0);
  });

  it.each([
    ['a product the catalog does not have', (): string => randomUUID(), 0, 'PRODUCT_NOT_FOUND'],
    ['a malformed product id', (): string => 'not-a-product', 0, 'INVALID_EVENT'],
    ['negative stock', null, -3, 'INVALID_EVENT'],
  ] as const)(
    'sends an event about %s to the dead-letter topic and changes nothing',
    async (_, productIdOf, total, code) => {
      const product = await createProduct();
      const productId = productIdOf ? productIdOf() : product.id;
      const key = randomUUID();
      const event = inventoryUpdated(productId, total, Date.now());
      await catalog.publish('InventoryUpdated', event, {}, { key });
      const dead = await catalog.deadLetters.waitFor((m) => m.topic === dlqTopic && m.key === key, {
        timeoutMs: 30_000,
        description: 'the event on the dead-letter topic',
      });
      expect(dead.headers['dlq-error-code']).toBe(code);
      expect(dead.headers['dlq-attempts']).toBe('1');
      expect(await stockOf(product.id)).toEqual({ stockStatus: 'OUT_OF_STOCK', availableQuantity: 0 });
      expect(await catalog.prisma.processedEvent.count({ where: { eventId: event.eventId } })).toBe(0);
    },
  );
});
