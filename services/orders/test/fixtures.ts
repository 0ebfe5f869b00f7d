import { randomUUID } from 'node:crypto';
import type { EventName, EventPayload } from '@fv/contracts';
import { EXAMPLE_SHIPPING_ADDRESS } from '@fv/contracts/fixtures';
import { waitFor } from '@fv/testing';
import { expect } from 'vitest';
import { bearer, type OrdersHarness } from './harness.js';

export interface Product {
  productId: string;
  sku: string;
  price: string;
  currency: string;
}

/** Lists products the way the catalog does (ProductCreated) and waits until the price list has them. */
export async function listProducts(
  h: OrdersHarness,
  products: { price: string; currency?: string; status?: string }[],
): Promise<Product[]> {
  const listed: Product[] = [];
  for (const product of products) {
    const productId = randomUUID();
    const sku = `SKU-${productId.slice(0, 8)}`;
    const currency = product.currency ?? 'USD';
    await h.publish(
      'ProductCreated',
      {
        productId,
        sku,
        name: `Product ${sku}`,
        description: null,
        categoryId: null,
        price: product.price,
        currency,
        status: product.status ?? 'ACTIVE',
        attributes: {},
      },
      { correlationId: productId, producer: 'product-catalog' },
    );
    listed.push({ productId, sku, price: product.price, currency });
  }
  await waitFor(
    async () =>
      (await h.prisma.productPrice.count({
        where: { productId: { in: listed.map((p) => p.productId) } },
      })) === listed.length,
    {
      description: 'the price list to receive the products',
    },
  );
  return listed;
}

export const address = { ...EXAMPLE_SHIPPING_ADDRESS, phone: '+12125550100' };

export function orderBody(
  lines: { product: Product; quantity: number; unitPrice?: string | number }[],
  overrides: Record<string, unknown> = {},
) {
  return {
    currency: 'USD',
    items: lines.map((line) => ({
      productId: line.product.productId,
      quantity: line.quantity,
      ...(line.unitPrice === undefined ? { unitPrice: line.product.price } : { unitPrice: line.unitPrice }),
      warehouseId: 'wh-001',
    })),
    paymentMethod: { type: 'CREDIT_CARD', token: 'tok_visa_4242' },
    shippingAddress: address,
    shippingMethod: 'STANDARD',
    ...overrides,
  };
}

/** An order as `POST /api/v1/orders` answers it. */
export interface PlacedOrder {
  orderId: string;
  customerId: string;
  items: { productId: string; quantity: number }[];
}

/** The body fields that pay with one card of the payment provider's test `token`. */
export function paidBy(token: string) {
  return { paymentMethod: { type: 'CREDIT_CARD', token } };
}

/**
 * Submits an order of `lines` through the API as the customer `customerId` (a new one by default),
 * with `overrides` of the body; the service must accept it (202).
 */
export async function submitOrder<T extends PlacedOrder = PlacedOrder>(
  h: OrdersHarness,
  lines: { product: Product; quantity: number }[],
  overrides: Record<string, unknown> = {},
  customerId: string = randomUUID(),
): Promise<T> {
  const response = await h.runtime.app.inject({
    method: 'POST',
    url: '/api/v1/orders',
    headers: { authorization: bearer(customerId, ['customer']) },
    payload: orderBody(lines, overrides),
  });
  expect(response.statusCode, response.body).toBe(202);
  return response.json();
}

/** What inventory publishes once it holds every line of an order. */
export function reservationOf(order: { orderId: string; items: { productId: string; quantity: number }[] }) {
  return {
    orderId: order.orderId,
    reservationId: randomUUID(),
    items: order.items.map((item) => ({
      productId: item.productId,
      quantity: item.quantity,
      warehouseId: 'wh-001',
    })),
    expiresAt: Date.now() + 15 * 60_000,
  };
}

/** An order as an operator reads it (`GET /api/v1/orders/{id}`), which must answer 200. */
export async function orderOf(h: OrdersHarness, orderId: string) {
  const response = await h.runtime.app.inject({
    url: `/api/v1/orders/${orderId}`,
    headers: { authorization: bearer('operator-1', ['admin']) },
  });
  expect(response.statusCode).toBe(200);
  return response.json();
}

/** Publishes the reservation of every line of `order`, as inventory would. */
export function reserve(
  h: OrdersHarness,
  order: { orderId: string; items: { productId: string; quantity: number }[] },
) {
  return h.publish('InventoryReserved', reservationOf(order), {
    correlationId: order.orderId,
    producer: 'inventory',
  });
}

/** Reserves `order` as inventory would and waits for the service to confirm it; returns the reservation. */
export async function confirm(h: OrdersHarness, order: PlacedOrder) {
  const reserved = await reserve(h, order);
  await h.receivedFor('OrderConfirmed', order.orderId);
  return reserved;
}

/** Publishes the shipment of `order`, as delivery would once its label exists. */
export function ship(h: OrdersHarness, order: { orderId: string; customerId: string }) {
  return h.publish('DeliveryScheduled', deliveryOf(order), {
    correlationId: order.orderId,
    producer: 'delivery',
  });
}

/** Ships a confirmed `order` and waits for the service to complete it (its payment captured). */
export async function complete(h: OrdersHarness, order: { orderId: string; customerId: string }) {
  await ship(h, order);
  await h.receivedFor('OrderCompleted', order.orderId);
}

/**
 * Publishes `payload` as the same event twice (a redelivery: the same event id), then again under a
 * new event id (the producer announcing it once more), and waits until the service has consumed the
 * last one. Returns the first and the last event.
 */
export async function publishRepeatedly<N extends EventName>(
  h: OrdersHarness,
  name: N,
  payload: EventPayload<N>,
  meta: { correlationId: string; producer: string },
) {
  const first = await h.publish(name, payload, meta);
  await h.publish(name, payload, { ...meta, eventId: first.eventId });
  const repeated = await h.publish(name, payload, meta);
  await h.consumed(repeated.eventId);
  return { first, repeated };
}

/** What delivery publishes once the label exists. */
export function deliveryOf(order: { orderId: string; customerId: string }) {
  return {
    orderId: order.orderId,
    customerId: order.customerId,
    shipmentId: randomUUID(),
    labelNumber: `LBL-${order.orderId.slice(0, 8)}`,
    trackingId: `TRK-${order.orderId.slice(0, 8)}`,
    carrier: 'SIMULATED',
    serviceLevel: 'STANDARD',
    shippingAddress: { ...address },
    estimatedDeliveryAt: null,
    labelUrl: null,
  };
}

/** Publishes a compensation request, as the coordination service would. */
export function requestCompensation(h: OrdersHarness, request: ReturnType<typeof compensation>) {
  return h.publish('CompensationRequested', request, {
    correlationId: request.orderId,
    producer: 'platform-coordination',
  });
}

export function compensation(
  orderId: string,
  action: 'VOID_PAYMENT' | 'REFUND_PAYMENT' | 'CANCEL_ORDER' | 'RELEASE_INVENTORY',
  reason = 'PAYMENT_FAILED',
  attempt = 1,
) {
  return {
    sagaId: randomUUID(),
    workflowId: randomUUID(),
    orderId,
    action,
    attempt,
    reason,
    parameters: {},
  };
}
