import { randomUUID } from 'node:crypto';
import { purgeIdempotentRequests } from '@fv/service-runtime';
import { waitFor } from '@fv/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { address, listProducts, orderBody, type Product } from './fixtures.js';
import { bearer, startOrders, type OrdersHarness } from './harness.js';

let h: OrdersHarness;
let lamp: Product;
let desk: Product;
const customerId = randomUUID();
const customer = bearer(customerId, ['customer']);
const admin = bearer('operator-1', ['admin']);

beforeAll(async () => {
  h = await startOrders('api');
  const products = await listProducts(h, [{ price: '599.99' }, { price: '299.99' }]);
  lamp = products[0]!;
  desk = products[1]!;
});
afterAll(async () => {
  await h?.stop();
});

async function post(url: string, payload: unknown, options: { auth?: string; key?: string } = {}) {
  return h.runtime.app.inject({
    method: 'POST',
    url,
    headers: {
      authorization: options.auth ?? customer,
      ...(options.key ? { 'x-idempotency-key': options.key } : {}),
    },
    payload: payload as object,
  });
}

async function counts() {
  return { orders: await h.prisma.order.count(), outbox: await h.prisma.outboxEvent.count() };
}

describe('POST /api/v1/orders', () => {
  it('prices the order with decimals, stores it PENDING and publishes OrderCreated', async () => {
    const response = await post(
      '/api/v1/orders',
      orderBody([
        { product: lamp, quantity: 2 },
        { product: desk, quantity: 1, unitPrice: 299.99 },
      ]),
    );
    // Accepted (seed 003): the order exists, PENDING; its saga runs on its own, followed at the monitor.
    expect(response.statusCode).toBe(202);
    const order = response.json();
    expect(response.headers.location).toBe(`/api/v1/orders/${order.orderId}`);
    expect(response.headers.link).toBe(`</api/v1/orders/${order.orderId}/status>; rel="monitor"`);
    const monitor = await h.runtime.app.inject({
      url: `/api/v1/orders/${order.orderId}/status`,
      headers: { authorization: customer },
    });
    expect(monitor.statusCode).toBe(200);
    expect(monitor.json()).toMatchObject({ status: 'PENDING' });
    expect(order).toMatchObject({
      customerId,
      status: 'PENDING',
      totalAmount: '1499.97',
      currency: 'USD',
      items: [
        {
          lineNumber: 1,
          productId: lamp.productId,
          sku: lamp.sku,
          quantity: 2,
          unitPrice: '599.99',
          lineTotal: '1199.98',
        },
        { lineNumber: 2, productId: desk.productId, quantity: 1, unitPrice: '299.99', lineTotal: '299.99' },
      ],
      payment: null,
      shippingAddress: address,
      history: [{ from: null, to: 'PENDING' }],
    });
    expect(JSON.stringify(order)).not.toContain('tok_visa_4242');

    const event = await h.receivedFor('OrderCreated', order.orderId, 'OrderCreated of the new order');
    expect(event).toMatchObject({
      correlationId: order.orderId,
      causationId: null,
      producer: 'orders',
      customerId,
      totalAmount: '1499.97',
      currency: 'USD',
      paymentMethod: 'CREDIT_CARD',
      shippingMethod: 'STANDARD',
      items: [
        { productId: lamp.productId, sku: lamp.sku, quantity: 2, unitPrice: '599.99', warehouseId: 'wh-001' },
        { productId: desk.productId, quantity: 1, unitPrice: '299.99' },
      ],
    });
    expect(JSON.stringify(event)).not.toContain('tok_');

    const fetched = await h.runtime.app.inject({
      url: `/api/v1/orders/ord-${order.orderId}`,
      headers: { authorization: customer },
    });
    expect(fetched.statusCode).toBe(200);
    expect(fetched.json()).toEqual(order);
  });

  it('takes the catalog price when the request sends none, and checks a declared payment amount', async () => {
    const priced = await post('/api/v1/orders', {
      ...orderBody([{ product: desk, quantity: 3 }]),
      items: [{ productId: desk.productId, quantity: 3 }],
    });
    expect(priced.statusCode).toBe(202);
    expect(priced.json().totalAmount).toBe('899.97');

    const before = await counts();
    const wrongAmount = await post(
      '/api/v1/orders',
      orderBody([{ product: desk, quantity: 3 }], {
        paymentMethod: { type: 'CREDIT_CARD', token: 'tok_visa_4242', amount: '899.96' },
      }),
    );
    expect(wrongAmount.statusCode).toBe(422);
    expect(wrongAmount.json().error.details).toMatchObject({
      field: 'body.paymentMethod.amount',
      reason: 'AMOUNT_MISMATCH',
      expected: '899.97',
      given: '899.96',
    });
    expect(await counts()).toEqual(before);
  });

  describe('refuses bad input with a 4xx naming the field, and changes nothing', () => {
    const cases: [string, () => Record<string, unknown>, number, string][] = [
      ['a zero quantity', () => orderBody([{ product: lamp, quantity: 0 }]), 400, 'body.items[0].quantity'],
      [
        'a negative quantity',
        () => orderBody([{ product: lamp, quantity: -2 }]),
        400,
        'body.items[0].quantity',
      ],
      [
        'a quantity over the per-line maximum',
        () => orderBody([{ product: lamp, quantity: 101 }]),
        400,
        'body.items[0].quantity',
      ],
      [
        'a fractional quantity',
        () => orderBody([{ product: lamp, quantity: 1.5 }]),
        400,
        'body.items[0].quantity',
      ],
      ['no items', () => orderBody([]), 400, 'body.items'],
      [
        'an unsupported currency',
        () => orderBody([{ product: lamp, quantity: 1 }], { currency: 'JPY' }),
        400,
        'body.currency',
      ],
      [
        'a country that is not ISO alpha-2',
        () =>
          orderBody([{ product: lamp, quantity: 1 }], { shippingAddress: { ...address, country: 'USA' } }),
        400,
        'body.shippingAddress.country',
      ],
      [
        'a missing street',
        () =>
          orderBody([{ product: lamp, quantity: 1 }], { shippingAddress: { ...address, street: undefined } }),
        400,
        'body.shippingAddress.street',
      ],
      [
        'a blank city',
        () => orderBody([{ product: lamp, quantity: 1 }], { shippingAddress: { ...address, city: '   ' } }),
        400,
        'body.shippingAddress.city',
      ],
      [
        'a phone that is not E.164',
        () =>
          orderBody([{ product: lamp, quantity: 1 }], { shippingAddress: { ...address, phone: '555-1234' } }),
        400,
        'body.shippingAddress.phone',
      ],
      [
        'a malformed zip code',
        () => orderBody([{ product: lamp, quantity: 1 }], { shippingAddress: { ...address, zipCode: '!' } }),
        400,
        'body.shippingAddress.zipCode',
      ],
      [
        'a malformed product id',
        () => ({
          ...orderBody([{ product: lamp, quantity: 1 }]),
          items: [{ productId: 'lamp', quantity: 1 }],
        }),
        400,
        'body.items[0].productId',
      ],
      [
        'a unit price with too many decimals',
        () => orderBody([{ product: lamp, quantity: 1, unitPrice: '599.999' }]),
        400,
        'body.items[0].unitPrice',
      ],
      [
        'a negative unit price',
        () => orderBody([{ product: lamp, quantity: 1, unitPrice: -1 }]),
        400,
        'body.items[0].unitPrice',
      ],
      [
        'the same product twice',
        () =>
          orderBody([
            { product: lamp, quantity: 1 },
            { product: lamp, quantity: 2 },
          ]),
        400,
        'body.items[1].productId',
      ],
      [
        'an unknown payment method type',
        () =>
          orderBody([{ product: lamp, quantity: 1 }], {
            paymentMethod: { type: 'CASH', token: 'tok_visa_4242' },
          }),
        400,
        'body.paymentMethod.type',
      ],
      [
        'no shipping method',
        () => orderBody([{ product: lamp, quantity: 1 }], { shippingMethod: undefined }),
        400,
        'body.shippingMethod',
      ],
      [
        'two different currencies',
        () =>
          orderBody([{ product: lamp, quantity: 1 }], {
            paymentMethod: { type: 'CREDIT_CARD', token: 'tok_visa_4242', currency: 'EUR' },
          }),
        400,
        'body.paymentMethod.currency',
      ],
    ];
    it.each(cases)('%s', async (_, body, status, field) => {
      const before = await counts();
      const response = await post('/api/v1/orders', body());
      expect(response.statusCode).toBe(status);
      const { error } = response.json();
      expect(error.code).toBe('INVALID_REQUEST');
      expect(error.details.fields.map((f: { field: string }) => f.field)).toContain(field);
      expect(await counts()).toEqual(before);
    });

    it('an unknown product: 422 naming the line', async () => {
      const before = await counts();
      const unknown = randomUUID();
      const response = await post('/api/v1/orders', {
        ...orderBody([{ product: lamp, quantity: 1 }]),
        items: [
          { productId: lamp.productId, quantity: 1 },
          { productId: unknown, quantity: 1, unitPrice: '10.00' },
        ],
      });
      expect(response.statusCode).toBe(422);
      expect(response.json().error).toMatchObject({
        code: 'UNPROCESSABLE_ENTITY',
        details: {
          reason: 'UNKNOWN_PRODUCT',
          lines: [{ field: 'body.items[1].productId', productId: unknown, reason: 'UNKNOWN_PRODUCT' }],
        },
      });
      expect(await counts()).toEqual(before);
    });

    it('a price that disagrees with the catalog: 422 naming the line, expected and given', async () => {
      const before = await counts();
      const response = await post(
        '/api/v1/orders',
        orderBody([
          { product: lamp, quantity: 1 },
          { product: desk, quantity: 1, unitPrice: '199.99' },
        ]),
      );
      expect(response.statusCode).toBe(422);
      expect(response.json().error.details).toEqual({
        reason: 'PRICE_MISMATCH',
        lines: [
          expect.objectContaining({
            field: 'body.items[1].unitPrice',
            productId: desk.productId,
            expected: '299.99',
            given: '199.99',
          }),
        ],
      });
      expect(await counts()).toEqual(before);
    });

    it('a product priced in another currency: 422', async () => {
      const response = await post(
        '/api/v1/orders',
        orderBody([{ product: lamp, quantity: 1, unitPrice: undefined }], {
          currency: 'EUR',
          items: [{ productId: lamp.productId, quantity: 1 }],
        }),
      );
      expect(response.statusCode).toBe(422);
      expect(response.json().error.details.reason).toBe('CURRENCY_MISMATCH');
    });

    it('no token: 401; a customer ordering for someone else: 403', async () => {
      const before = await counts();
      const anonymous = await h.runtime.app.inject({
        method: 'POST',
        url: '/api/v1/orders',
        payload: orderBody([{ product: lamp, quantity: 1 }]),
      });
      expect(anonymous.statusCode).toBe(401);
      const forOther = await post(
        '/api/v1/orders',
        orderBody([{ product: lamp, quantity: 1 }], { customerId: randomUUID() }),
      );
      expect(forOther.statusCode).toBe(403);
      const staffWithoutCustomer = await post('/api/v1/orders', orderBody([{ product: lamp, quantity: 1 }]), {
        auth: admin,
      });
      expect(staffWithoutCustomer.statusCode).toBe(400);
      expect(staffWithoutCustomer.json().error.details.fields[0].field).toBe('body.customerId');
      expect(await counts()).toEqual(before);
    });
  });

  describe('X-Idempotency-Key', () => {
    it('returns the first result for the same key and body, and 409 for the same key with another body', async () => {
      const key = `checkout-${randomUUID()}`;
      const body = orderBody([{ product: lamp, quantity: 1 }]);
      const first = await post('/api/v1/orders', body, { key });
      expect(first.statusCode).toBe(202);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      const before = await counts();

      // The replay answers as the placement did: 202 with the order, its Location and its monitor.
      const again = await post('/api/v1/orders', { ...body, items: [...body.items] }, { key });
      expect(again.statusCode).toBe(202);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.headers.location).toBe(first.headers.location);
      expect(again.headers.link).toBe(first.headers.link);
      expect(again.json()).toEqual(first.json());

      const other = await post('/api/v1/orders', orderBody([{ product: lamp, quantity: 2 }]), { key });
      expect(other.statusCode).toBe(409);
      expect(other.json().error).toMatchObject({
        code: 'CONFLICT',
        details: { field: 'headers.x-idempotency-key', reason: 'IDEMPOTENCY_KEY_REUSED' },
      });
      expect(await counts()).toEqual(before);

      const committed = await h.committed('OrderCreated', first.json().orderId);
      expect(committed).toHaveLength(1);
    });

    it('stores 202 with the answer, and replays an answer stored as 201 (before 202) as 202', async () => {
      const key = `stored-${randomUUID()}`;
      const body = orderBody([{ product: lamp, quantity: 1 }]);
      const first = await post('/api/v1/orders', body, { key });
      expect(first.statusCode).toBe(202);
      const stored = { where: { key }, select: { operation: true, statusCode: true } };
      expect(await h.prisma.idempotentRequest.findMany(stored)).toEqual([
        { operation: 'create-order', statusCode: 202 },
      ]);

      // An answer stored while POST /orders answered 201 is replayed as the accepted placement it was.
      await h.prisma.idempotentRequest.updateMany({ where: { key }, data: { statusCode: 201 } });
      const again = await post('/api/v1/orders', body, { key });
      expect(again.statusCode).toBe(202);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.headers.location).toBe(`/api/v1/orders/${first.json().orderId}`);
      expect(again.json()).toEqual(first.json());
    });

    it('creates one order when the same request races itself', async () => {
      const key = `race-${randomUUID()}`;
      const body = orderBody([{ product: desk, quantity: 2 }]);
      const responses = await Promise.all([
        post('/api/v1/orders', body, { key }),
        post('/api/v1/orders', body, { key }),
      ]);
      expect(responses.map((r) => r.statusCode)).toEqual([202, 202]);
      expect(new Set(responses.map((r) => r.json().orderId)).size).toBe(1);
    });

    it('keeps keys of different callers apart, and refuses a malformed key', async () => {
      const key = `shared-${randomUUID()}`;
      const mine = await post('/api/v1/orders', orderBody([{ product: lamp, quantity: 1 }]), { key });
      const other = bearer(randomUUID(), ['customer']);
      const theirs = await post('/api/v1/orders', orderBody([{ product: lamp, quantity: 1 }]), {
        key,
        auth: other,
      });
      expect(theirs.statusCode).toBe(202);
      expect(theirs.json().orderId).not.toBe(mine.json().orderId);

      const malformed = await post('/api/v1/orders', orderBody([{ product: lamp, quantity: 1 }]), {
        key: 'has spaces in it',
      });
      expect(malformed.statusCode).toBe(400);
      expect(malformed.json().error.details.fields[0].field).toBe('headers.x-idempotency-key');
    });
  });
});

it('forgets idempotency keys once they expire', async () => {
  const key = `expiring-${randomUUID()}`;
  const first = await post('/api/v1/orders', orderBody([{ product: lamp, quantity: 1 }]), { key });
  expect(first.statusCode).toBe(202);
  await h.prisma.idempotentRequest.updateMany({
    where: { key },
    data: { createdAt: new Date(Date.now() - 25 * 3_600_000) },
  });
  expect(
    await purgeIdempotentRequests(h.prisma, new Date(Date.now() - 24 * 3_600_000)),
  ).toBeGreaterThanOrEqual(1);
  const again = await post('/api/v1/orders', orderBody([{ product: lamp, quantity: 1 }]), { key });
  expect(again.statusCode).toBe(202);
  expect(again.json().orderId).not.toBe(first.json().orderId);
});

describe('reading orders', () => {
  it('lets the coordinator read an order and refuses a refund from notifications (finding 1)', async () => {
    const orderId = randomUUID();
    const refund = await h.runtime.app.inject({
      method: 'POST',
      url: `/api/v1/orders/${orderId}/refund`,
      headers: { authorization: bearer('notifications', ['service']) },
      payload: {},
    });
    expect(refund.statusCode).toBe(403);
    expect(refund.json().error.code).toBe('INSUFFICIENT_PERMISSIONS');
    const unknownService = await h.runtime.app.inject({
      url: `/api/v1/orders/${orderId}`,
      headers: { authorization: bearer('svc', ['service']) },
    });
    expect(unknownService.statusCode).toBe(403);
    const coordinator = await h.runtime.app.inject({
      url: `/api/v1/orders/${orderId}`,
      headers: { authorization: bearer('platform-coordination', ['service']) },
    });
    expect(coordinator.statusCode).toBe(404);
  });

  it("hides another customer's order behind a 404 and shows it to staff", async () => {
    const created = await post('/api/v1/orders', orderBody([{ product: lamp, quantity: 1 }]));
    const { orderId } = created.json();
    const stranger = await h.runtime.app.inject({
      url: `/api/v1/orders/${orderId}`,
      headers: { authorization: bearer(randomUUID(), ['customer']) },
    });
    expect(stranger.statusCode).toBe(404);
    expect(stranger.json().error.code).toBe('NOT_FOUND');
    const staff = await h.runtime.app.inject({
      url: `/api/v1/orders/${orderId}`,
      headers: { authorization: bearer('platform-coordination', ['service']) },
    });
    expect(staff.statusCode).toBe(200);
    const missing = await h.runtime.app.inject({
      url: `/api/v1/orders/${randomUUID()}`,
      headers: { authorization: admin },
    });
    expect(missing.statusCode).toBe(404);
    const malformed = await h.runtime.app.inject({
      url: '/api/v1/orders/not-an-id',
      headers: { authorization: admin },
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.details.fields[0].field).toBe('params.id');
  });

  it('lists with filters and paging; customers see only their own orders', async () => {
    const buyer = randomUUID();
    const auth = bearer(`cust-${buyer}`, ['customer']);
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const response = await post('/api/v1/orders', orderBody([{ product: desk, quantity: i + 1 }]), {
        auth,
      });
      expect(response.statusCode).toBe(202);
      ids.push(response.json().orderId);
    }
    const page0 = await h.runtime.app.inject({
      url: '/api/v1/orders?size=2&page=0',
      headers: { authorization: auth },
    });
    expect(page0.statusCode).toBe(200);
    expect(page0.json().pagination).toEqual({ page: 0, size: 2, totalElements: 3, totalPages: 2 });
    expect(page0.json().orders.map((o: { orderId: string }) => o.orderId)).toEqual([ids[2], ids[1]]);
    const page1 = await h.runtime.app.inject({
      url: '/api/v1/orders?size=2&page=1',
      headers: { authorization: auth },
    });
    expect(page1.json().orders.map((o: { orderId: string }) => o.orderId)).toEqual([ids[0]]);

    const byTotal = await h.runtime.app.inject({
      url: '/api/v1/orders?sort=totalAmount,asc&status=PENDING',
      headers: { authorization: auth },
    });
    expect(byTotal.json().orders.map((o: { totalAmount: string }) => o.totalAmount)).toEqual([
      '299.99',
      '599.98',
      '899.97',
    ]);

    const staffView = await h.runtime.app.inject({
      url: `/api/v1/orders?customerId=cust-${buyer}`,
      headers: { authorization: admin },
    });
    expect(staffView.json().pagination.totalElements).toBe(3);
    const none = await h.runtime.app.inject({
      url: `/api/v1/orders?status=COMPLETED&customerId=${buyer}`,
      headers: { authorization: admin },
    });
    expect(none.json().orders).toEqual([]);

    const snooping = await h.runtime.app.inject({
      url: `/api/v1/orders?customerId=${customerId}`,
      headers: { authorization: auth },
    });
    expect(snooping.statusCode).toBe(403);
    const badStatus = await h.runtime.app.inject({
      url: '/api/v1/orders?status=SHIPPED',
      headers: { authorization: auth },
    });
    expect(badStatus.statusCode).toBe(400);
    expect(badStatus.json().error.details.fields[0].field).toMatch(/^query\.status/);
    const badSize = await h.runtime.app.inject({
      url: '/api/v1/orders?size=1000',
      headers: { authorization: auth },
    });
    expect(badSize.statusCode).toBe(400);
  });

  it("answers an order's status to its customer and staff, with the time of each change, and 404 to others", async () => {
    const created = await post('/api/v1/orders', orderBody([{ product: lamp, quantity: 1 }]));
    const { orderId } = created.json();
    const own = await h.runtime.app.inject({
      url: `/api/v1/orders/${orderId}/status`,
      headers: { authorization: customer },
    });
    expect(own.statusCode).toBe(200);
    const body = own.json();
    expect(body).toMatchObject({
      orderId,
      status: 'PENDING',
      final: false,
      failure: null,
      cancellation: null,
      saga: { steps: [], waitingFor: 'INVENTORY_RESERVATION' },
      statusHistory: [{ status: 'PENDING', previousStatus: null, reason: 'ORDER_PLACED' }],
    });
    expect(Date.parse(body.statusHistory[0].at)).toBeGreaterThan(0);

    const stranger = await h.runtime.app.inject({
      url: `/api/v1/orders/${orderId}/status`,
      headers: { authorization: bearer(randomUUID(), ['customer']) },
    });
    expect(stranger.statusCode).toBe(404);
    expect(stranger.json().error.code).toBe('NOT_FOUND');
    const staff = await h.runtime.app.inject({
      url: `/api/v1/orders/${orderId}/status`,
      headers: { authorization: bearer('platform-coordination', ['service']) },
    });
    expect(staff.statusCode).toBe(200);
    const unknownService = await h.runtime.app.inject({
      url: `/api/v1/orders/${orderId}/status`,
      headers: { authorization: bearer('inventory', ['service']) },
    });
    expect(unknownService.statusCode).toBe(403);
    const malformed = await h.runtime.app.inject({
      url: '/api/v1/orders/not-an-id/status',
      headers: { authorization: admin },
    });
    expect(malformed.statusCode).toBe(400);
  });

  it('documents every route in the OpenAPI document', async () => {
    const doc = (await h.runtime.app.inject({ url: '/docs/json' })).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/orders',
        '/api/v1/orders/{id}',
        '/api/v1/orders/{id}/status',
        '/api/v1/orders/{id}/cancel',
        '/api/v1/orders/{id}/refund',
      ]),
    );
  });
});

describe('the price list kept from catalog events', () => {
  it('follows PriceChanged, ignores an older change arriving late, and forgets deleted products', async () => {
    const [chair] = await listProducts(h, [{ price: '49.99' }]);
    const product = chair!;
    const changed = await h.publish(
      'PriceChanged',
      {
        productId: product.productId,
        sku: product.sku,
        previousPrice: '49.99',
        newPrice: '44.50',
        currency: 'USD',
        previousCurrency: null,
      },
      { correlationId: product.productId, producer: 'product-catalog' },
    );
    await waitFor(
      async () =>
        (await h.prisma.productPrice.findUnique({ where: { productId: product.productId } }))?.price.toFixed(
          2,
        ) === '44.50',
      {
        description: 'the new price',
      },
    );
    // A change that happened before the one applied arrives late: it must not win.
    const older = await h.publish(
      'PriceChanged',
      {
        productId: product.productId,
        sku: product.sku,
        previousPrice: '49.99',
        newPrice: '1.00',
        currency: 'USD',
        previousCurrency: null,
      },
      {
        correlationId: product.productId,
        producer: 'product-catalog',
        occurredAt: changed.occurredAt - 60_000,
      },
    );
    await waitFor(
      async () => (await h.prisma.processedEvent.count({ where: { eventId: older.eventId } })) === 1,
      { description: 'the late change to be consumed' },
    );
    expect(
      (await h.prisma.productPrice.findUnique({ where: { productId: product.productId } }))!.price.toFixed(2),
    ).toBe('44.50');

    const oldPrice = await post('/api/v1/orders', orderBody([{ product, quantity: 1, unitPrice: '49.99' }]));
    expect(oldPrice.statusCode).toBe(422);
    expect(oldPrice.json().error.details.lines[0]).toMatchObject({ expected: '44.50', given: '49.99' });
    const newPrice = await post('/api/v1/orders', orderBody([{ product, quantity: 2, unitPrice: '44.5' }]));
    expect(newPrice.statusCode).toBe(202);
    expect(newPrice.json().totalAmount).toBe('89.00');

    const deleted = await h.publish(
      'ProductDeleted',
      { productId: product.productId, sku: product.sku },
      { correlationId: product.productId, producer: 'product-catalog' },
    );
    await waitFor(
      async () => (await h.prisma.processedEvent.count({ where: { eventId: deleted.eventId } })) === 1,
      { description: 'the deletion to be consumed' },
    );
    const gone = await post('/api/v1/orders', orderBody([{ product, quantity: 1, unitPrice: '44.50' }]));
    expect(gone.statusCode).toBe(422);
    expect(gone.json().error.details.reason).toBe('UNKNOWN_PRODUCT');
  });

  it('does not sell a product the catalog has not activated, and dead-letters a price it cannot hold', async () => {
    const [draft] = await listProducts(h, [{ price: '10.00', status: 'DRAFT' }]);
    const response = await post('/api/v1/orders', orderBody([{ product: draft!, quantity: 1 }]));
    expect(response.statusCode).toBe(422);
    expect(response.json().error.details.reason).toBe('PRODUCT_UNAVAILABLE');

    const bad = await h.publish(
      'PriceChanged',
      {
        productId: draft!.productId,
        sku: draft!.sku,
        previousPrice: '10.00',
        newPrice: '10.001',
        currency: 'USD',
        previousCurrency: null,
      },
      { correlationId: draft!.productId, producer: 'product-catalog' },
    );
    const dead = await h.deadLetters.waitFor((message) => message.headers['event-id'] === bad.eventId, {
      description: 'the bad price in the DLQ',
    });
    expect(dead.headers['dlq-error-code']).toBe('INVALID_PRICE');
    expect(
      (await h.prisma.productPrice.findUnique({ where: { productId: draft!.productId } }))!.price.toFixed(2),
    ).toBe('10.00');
  });
});
