import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { waitFor } from '@fv/testing';
import { SERVICES, call, token, type CollectedSpan } from '../src/index.js';
import { shop } from '../src/shop.js';
import { sharedPlatform, sharedTraces } from '../src/shared-platform.js';

/**
 * The order saga across all six services, as a storefront and an operator see it over HTTP.
 */
const platform = sharedPlatform();
// Every service of the shared platform exports its spans over OTLP/http to the set-up's collector,
// configured as in production by OTEL_* variables.
const traces = sharedTraces();

const { admin, stockedProduct, placeOrder, orderStatus, stockOf } = shop(platform);

/**
 * The order's trace: spans from all six services, every span's parent in the trace (the storefront's
 * span aside), and every consumed event a child of the relay's send of it.
 */
async function expectOneTrace(traceId: string, storefrontSpan: string) {
  const complete = (spans: CollectedSpan[]) => {
    const ids = new Set(spans.map((span) => span.spanId));
    return (
      SERVICES.every((service) => spans.some((span) => span.service === service)) &&
      spans.every((span) => span.parentSpanId === storefrontSpan || ids.has(span.parentSpanId ?? ''))
    );
  };
  // Spans still in a service's export buffer arrive within its schedule delay.
  const spans = await waitFor(
    async () => {
      const found = await traces.spans(traceId);
      return complete(found) && found;
    },
    { timeoutMs: 30_000, description: 'spans of the order from all six services, each with its parent' },
  );
  const byId = new Map(spans.map((span) => [span.spanId, span]));
  // The storefront's call (repeated while the order service does not know the product yet).
  const roots = spans.filter((span) => span.parentSpanId === storefrontSpan);
  expect(new Set(roots.map((span) => `${span.service} ${span.name}`))).toEqual(
    new Set(['orders POST /api/v1/orders']),
  );
  const processed = spans.filter((span) => span.kind === 5);
  expect(new Set(processed.map((span) => span.service)).size).toBeGreaterThanOrEqual(5);
  for (const span of processed) {
    const parent = byId.get(span.parentSpanId!)!;
    expect(parent.name.replace(/^send /, 'process '), `${span.service} ${span.name}`).toBe(span.name);
  }
}

interface Page<T> {
  content: T[];
  totalElements: number;
}

describe('the order saga, end to end', () => {
  it('takes an order to COMPLETED: stock deducted, a label created, the customer notified, one trace', async () => {
    const customerId = randomUUID();
    const productId = await stockedProduct(10);
    const traceId = randomUUID().replaceAll('-', '');
    const storefrontSpan = randomUUID().replaceAll('-', '').slice(0, 16);
    const order = await placeOrder(customerId, productId, 3, 'tok_visa_4242', {
      traceparent: `00-${traceId}-${storefrontSpan}-01`,
    });

    await waitFor(async () => (await orderStatus(order.orderId)) === 'COMPLETED', {
      timeoutMs: 90_000,
      intervalMs: 500,
      description: 'the order to complete',
    });
    await waitFor(async () => (await stockOf(productId)).onHand === 7, {
      timeoutMs: 60_000,
      description: 'the stock to be deducted',
    });
    expect(await stockOf(productId)).toEqual({ onHand: 7, reserved: 0, available: 7 });

    const shipments = await call<Page<{ orderId: string; trackingId: string | null }>>(
      'GET',
      `${platform.url('delivery')}/api/v1/shipments?orderId=${order.orderId}`,
      admin,
    );
    expect(shipments.body.content).toHaveLength(1);
    expect(shipments.body.content[0]!.trackingId).toMatch(/^SIM[0-9A-F]{16}$/i);

    const notifications = await waitFor(
      async () => {
        const { body } = await call<Page<{ status: string; channel: string }>>(
          'GET',
          `${platform.url('notifications')}/api/v1/notifications?customerId=${customerId}`,
          admin,
        );
        const sent = body.content.filter((n) => n.status === 'SENT');
        return sent.length > 0 && sent;
      },
      { timeoutMs: 60_000, description: 'a notification to the customer' },
    );
    expect(notifications.some((n) => n.channel === 'EMAIL')).toBe(true);
    await expectOneTrace(traceId, storefrontSpan);

    // The saga is linked to the trace of the first event the observer applied: the order's own.
    const workflow = await call<{ traceId?: string; traceUrl?: string }>(
      'GET',
      `${platform.url('platform-coordination')}/api/v1/workflows/${order.orderId}/status`,
      admin,
    );
    expect(workflow.body).toMatchObject({
      traceId,
      traceUrl: `http://traces.invalid/trace/${traceId}`,
    });
  });

  it('fails an order for more stock than exists (INVENTORY_ERROR), with nothing reserved and the saga compensated', async () => {
    const productId = await stockedProduct(2);
    const order = await placeOrder(randomUUID(), productId, 5, 'tok_visa_4242');
    // InventoryReservationFailed → the coordination service compensates: CANCEL_ORDER ends the order FAILED, then the customer is told.
    await waitFor(async () => (await orderStatus(order.orderId)) === 'FAILED', {
      timeoutMs: 90_000,
      intervalMs: 500,
      description: 'the order to fail',
    });
    const { body: status } = await call<{ failure: { reason: string } | null }>(
      'GET',
      `${platform.url('orders')}/api/v1/orders/${order.orderId}/status`,
      admin,
    );
    expect(status.failure?.reason).toBe('INVENTORY_ERROR');
    const workflow = await waitFor(
      async () => {
        const { status, body } = await call<{ status: string; saga: { state: string } }>(
          'GET',
          `${platform.url('platform-coordination')}/api/v1/workflows/${order.orderId}/status`,
          admin,
        );
        return status === 200 && body.saga.state === 'COMPENSATED' && body;
      },
      { timeoutMs: 90_000, intervalMs: 500, description: 'the saga to be compensated' },
    );
    expect(workflow.status).toBe('COMPENSATED');
    expect(await stockOf(productId)).toEqual({ onHand: 2, reserved: 0, available: 2 });
  });

  it('ends an order whose payment is declined FAILED (OrderFailed, PAYMENT_FAILED), its reservation released and the customer told', async () => {
    const productId = await stockedProduct(4);
    const customerId = randomUUID();
    const order = await placeOrder(customerId, productId, 2, 'tok_decline');
    const failed = await waitFor(
      async () => {
        const { body } = await call<{
          status: string;
          reservationId: string | null;
          payment: { status: string } | null;
          failure: { reason: string | null; code: string | null } | null;
        }>('GET', `${platform.url('orders')}/api/v1/orders/${order.orderId}`, admin);
        return body.status === 'FAILED' && body;
      },
      { timeoutMs: 90_000, intervalMs: 500, description: 'the order to fail on its payment' },
    );
    // FAILED is written with OrderFailed in one transaction; CANCELLED is for cancellations asked for.
    expect(failed.failure).toMatchObject({ reason: 'PAYMENT_FAILED', code: 'PAYMENT_DECLINED' });
    const { status: answered, body: status } = await call<{
      status: string;
      final: boolean;
      statusHistory: { status: string }[];
    }>(
      'GET',
      `${platform.url('orders')}/api/v1/orders/${order.orderId}/status`,
      token(customerId, ['customer']),
    );
    expect(answered).toBe(200);
    expect(status.final).toBe(true);
    expect(status.statusHistory.map((change) => change.status)).toEqual([
      'PENDING',
      'PAYMENT_FAILED',
      'FAILED',
    ]);
    const notice = await waitFor(
      async () => {
        const { body } = await call<{ content: { templateId: string; status: string }[] }>(
          'GET',
          `${platform.url('notifications')}/api/v1/notifications?orderId=${order.orderId}`,
          admin,
        );
        return body.content?.find((note) => note.templateId === 'order-failed');
      },
      { timeoutMs: 90_000, intervalMs: 500, description: 'the customer to be told the order failed' },
    );
    expect(notice.templateId).toBe('order-failed');
    // The payment was tried for stock reserved first: the order names the reservation, which held
    // this order's two units and has been released.
    expect(failed.payment?.status).toBe('FAILED');
    expect(failed.reservationId).toEqual(expect.any(String));
    const reservation = await waitFor(
      async () => {
        const { status, body } = await call<{ status: string; orderId: string; items: unknown[] }>(
          'GET',
          `${platform.url('inventory')}/api/v1/inventory/reservations/${failed.reservationId}`,
          admin,
        );
        expect(status).toBe(200);
        return body.status === 'RELEASED' && body;
      },
      { timeoutMs: 90_000, intervalMs: 500, description: 'the reservation to be released' },
    );
    expect(reservation.orderId).toBe(order.orderId);
    expect(reservation.items).toEqual([{ productId, warehouseId: 'wh-001', quantity: 2 }]);
    expect(await stockOf(productId)).toEqual({ onHand: 4, reserved: 0, available: 4 });
  });
});
