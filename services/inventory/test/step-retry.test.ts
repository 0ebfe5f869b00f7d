import { randomUUID } from 'node:crypto';
import type { EventPayload } from '@fv/contracts';
import { stepRetryRequested, waitFor } from '@fv/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InventoryHarness, newProduct, orderCreated, stock, stockOf } from './harness.js';

let h: InventoryHarness;

beforeAll(async () => {
  h = await InventoryHarness.start('step-retry');
});
afterAll(async () => {
  await h?.stop();
});

/** StepRetryRequested as the coordination service sends it: the order's lines as JSON. */
function retryOf(
  orderId: string,
  items: { productId: string; quantity: number; warehouseId: string | null }[],
  attempt = 2,
  stepName = 'INVENTORY_RESERVATION',
): EventPayload<'StepRetryRequested'> {
  return stepRetryRequested(orderId, stepName, {
    attempt,
    reason: 'MANUAL_RETRY: stock arrived',
    parameters: { items: JSON.stringify(items), customerId: randomUUID() },
  });
}

async function consumed(eventId: string) {
  await waitFor(async () => (await h.prisma.processedEvent.count({ where: { eventId } })) > 0, {
    description: `event ${eventId} to be consumed`,
  });
}

describe('StepRetryRequested for INVENTORY_RESERVATION', () => {
  it('reserves the stock of an order whose reservation failed, once, however often the request is delivered', async () => {
    const product = newProduct();
    await stock(h, product, 'wh-1', 2);
    const orderId = randomUUID();
    const lines = [{ productId: product, quantity: 3, warehouseId: 'wh-1' }];
    await h.publish('OrderCreated', orderCreated(orderId, lines), { correlationId: orderId });
    await h.waitForPublished('InventoryReservationFailed', (e) => e.orderId === orderId);

    await stock(h, product, 'wh-1', 5);
    const retry = await h.publish('StepRetryRequested', retryOf(orderId, lines), { correlationId: orderId });
    const [reserved] = await h.waitForPublished('InventoryReserved', (e) => e.orderId === orderId);
    expect(reserved!).toMatchObject({
      orderId,
      causationId: retry.eventId,
      items: [{ productId: product, warehouseId: 'wh-1', quantity: 3 }],
    });
    expect(await stockOf(h, product)).toMatchObject({ onHand: 5, reserved: 3, available: 2 });

    // The same request delivered again, then a retry of another service's step behind it on the same key.
    await h.publish('StepRetryRequested', retryOf(orderId, lines), {
      correlationId: orderId,
      eventId: retry.eventId,
    });
    const other = await h.publish('StepRetryRequested', retryOf(orderId, lines, 2, 'PAYMENT_PROCESSING'), {
      correlationId: orderId,
    });
    await consumed(other.eventId);
    expect(await h.published('InventoryReserved', (e) => e.orderId === orderId)).toHaveLength(1);
    expect(await h.prisma.reservation.count({ where: { orderId } })).toBe(1);
    expect(await stockOf(h, product)).toMatchObject({ reserved: 3, available: 2 });

    // A later attempt finds the stock held: the same reservation is announced again, nothing more is held.
    await h.publish('StepRetryRequested', retryOf(orderId, lines, 3), { correlationId: orderId });
    const both = await h.waitForPublished('InventoryReserved', (e) => e.orderId === orderId, 2);
    expect(both.map((item) => item.reservationId)).toEqual([
      reserved!.reservationId,
      reserved!.reservationId,
    ]);
    expect(await stockOf(h, product)).toMatchObject({ reserved: 3, available: 2 });
  });

  it('answers InventoryReservationFailed again while the stock is still short', async () => {
    const product = newProduct();
    await stock(h, product, 'wh-1', 1);
    const orderId = randomUUID();
    const lines = [{ productId: product, quantity: 4, warehouseId: null }];
    await h.publish('OrderCreated', orderCreated(orderId, lines), { correlationId: orderId });
    await h.waitForPublished('InventoryReservationFailed', (e) => e.orderId === orderId);
    const retry = await h.publish('StepRetryRequested', retryOf(orderId, lines), { correlationId: orderId });
    const failures = await h.waitForPublished('InventoryReservationFailed', (e) => e.orderId === orderId, 2);
    expect(failures[1]!).toMatchObject({
      causationId: retry.eventId,
      reason: 'INSUFFICIENT_STOCK',
      unavailableItems: [{ productId: product, requestedQuantity: 4, availableQuantity: 1 }],
    });
    expect(await stockOf(h, product)).toMatchObject({ reserved: 0, available: 1 });
  });
});
