import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { waitFor } from '@fv/testing';
import { call, shop, token } from '../src/index.js';
import { sharedPlatform } from '../src/shared-platform.js';

/**
 * The two workflows besides the order saga, across the services as processes: a delivered order's return
 * refunded and restocked (RETURN_PROCESSING), and a low location replenished from the supplier
 * (INVENTORY_REPLENISHMENT), each followed to COMPLETED by the coordination service.
 */
const platform = sharedPlatform();
const { admin, stockedProduct, placeOrder, orderReaches, stockOf } = shop(platform);

interface Workflow {
  workflowId: string;
  workflowType: string;
  status: string;
  steps: { name: string; status: string }[];
}

/** The coordination service's workflow of a return, an order or a replenishment, once it is `status`. */
async function workflowReaching(id: string, status: string, timeoutMs = 90_000): Promise<Workflow> {
  return waitFor(
    async () => {
      const found = await call<Workflow>(
        'GET',
        `${platform.url('platform-coordination')}/api/v1/workflows/${id}/status`,
        admin,
      );
      return found.status === 200 && found.body.status === status ? found.body : undefined;
    },
    { timeoutMs, intervalMs: 500, description: `the workflow of ${id} to be ${status}` },
  );
}

const stepsOf = (workflow: Workflow) =>
  Object.fromEntries(workflow.steps.map((step) => [step.name, step.status]));

/** Carries an order's shipment to the customer: dispatched, in transit, delivered. */
async function deliver(orderId: string): Promise<string> {
  const delivery = platform.url('delivery');
  const shipment = await waitFor(
    async () => {
      const listed = await call<{ content: { shipmentId: string }[] }>(
        'GET',
        `${delivery}/api/v1/shipments?orderId=${orderId}`,
        admin,
      );
      return listed.body.content[0];
    },
    { timeoutMs: 30_000, description: `the shipment of order ${orderId}` },
  );
  for (const status of ['DISPATCHED', 'IN_TRANSIT']) {
    const scanned = await call(
      'POST',
      `${delivery}/api/v1/shipments/${shipment.shipmentId}/tracking-events`,
      admin,
      {
        status,
        occurredAt: new Date().toISOString(),
      },
    );
    expect(scanned.status).toBe(200);
  }
  const delivered = await call<{ status: string }>(
    'POST',
    `${delivery}/api/v1/shipments/${shipment.shipmentId}/delivery-confirmation`,
    admin,
    { signedBy: 'Ada Lovelace' },
  );
  expect(delivered.body.status).toBe('DELIVERED');
  return shipment.shipmentId;
}

describe('RETURN_PROCESSING', () => {
  it('refunds the returned line, puts it back in stock, tells the customer, and completes the workflow', async () => {
    const customerId = randomUUID();
    const productId = await stockedProduct(10, '20.00');
    const order = await placeOrder(customerId, productId, 3, 'tok_visa_4242');
    await orderReaches(order.orderId, 'COMPLETED');
    const shipmentId = await deliver(order.orderId);

    const requested = await call<{ returnId: string; status: string }>(
      'POST',
      `${platform.url('delivery')}/api/v1/returns`,
      token(customerId, ['customer']),
      { shipmentId, reason: 'NO_LONGER_NEEDED', items: [{ productId, quantity: 1 }] },
      { 'x-idempotency-key': `e2e-return-${order.orderId}` },
    );
    expect(requested.status).toBe(201);
    const { returnId } = requested.body;
    const before = await stockOf(productId);

    const received = await call<{ status: string }>(
      'POST',
      `${platform.url('delivery')}/api/v1/returns/${returnId}/receive`,
      admin,
      { warehouseId: 'wh-001', items: [{ productId, condition: 'RESELLABLE' }] },
    );
    expect(received.status).toBe(200);

    const workflow = await workflowReaching(returnId, 'COMPLETED');
    expect(workflow.workflowType).toBe('RETURN_PROCESSING');
    expect(stepsOf(workflow)).toEqual({
      RETURN_REQUEST: 'COMPLETED',
      RETURN_RECEIPT: 'COMPLETED',
      REFUND_PROCESSING: 'COMPLETED',
      RESTOCK: 'COMPLETED',
      CUSTOMER_NOTIFICATION: 'COMPLETED',
    });
    // One of three units came back: its price refunded, the order partly refunded, the unit on hand again.
    await orderReaches(order.orderId, 'PARTIALLY_REFUNDED');
    const refunded = await call<{ refunds: { amount: string }[] }>(
      'GET',
      `${platform.url('orders')}/api/v1/orders/${order.orderId}`,
      admin,
    );
    expect(refunded.body.refunds.map((refund) => refund.amount)).toEqual(['20.00']);
    expect((await stockOf(productId)).onHand).toBe(before.onHand + 1);
  });
});

describe('INVENTORY_REPLENISHMENT', () => {
  it('orders a low location from the supplier, receives the goods and completes the workflow', async () => {
    const productId = await stockedProduct(12);
    const inventory = platform.url('inventory');
    const settings = await call(
      'PUT',
      `${inventory}/api/v1/inventory/${productId}/locations/wh-001/replenishment`,
      admin,
      { reorderQuantity: 30, lowStockThreshold: 8 },
    );
    expect(settings.status).toBe(200);

    // Seven units found damaged: 5 left, under the threshold of 8.
    const adjusted = await call(
      'POST',
      `${inventory}/api/v1/inventory/adjust`,
      admin,
      { productId, warehouseId: 'wh-001', quantityChange: -7, reason: 'DAMAGED' },
      { 'x-idempotency-key': `e2e-damaged-${productId}` },
    );
    expect(adjusted.status).toBeLessThan(300);

    const replenishment = await waitFor(
      async () => {
        const listed = await call<{ items: { replenishmentId: string; status: string; quantity: number }[] }>(
          'GET',
          `${inventory}/api/v1/inventory/replenishments?productId=${productId}`,
          admin,
        );
        const found = listed.body.items?.[0];
        return found?.status === 'RECEIVED' ? found : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 500, description: 'the replenishment to be received' },
    );
    expect(replenishment.quantity).toBe(30);
    expect((await stockOf(productId)).onHand).toBe(5 + 30);

    const workflow = await workflowReaching(replenishment.replenishmentId, 'COMPLETED');
    expect(workflow.workflowType).toBe('INVENTORY_REPLENISHMENT');
    expect(stepsOf(workflow)).toEqual({
      REPLENISHMENT_REQUEST: 'COMPLETED',
      PURCHASE_ORDER: 'COMPLETED',
      SUPPLIER_CONFIRMATION: 'COMPLETED',
      GOODS_RECEIPT: 'COMPLETED',
    });
  });
});
