import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, CUSTOMER, InventoryHarness, newProduct, SERVICE, stock, stockOf, token } from './harness.js';

let h: InventoryHarness;

beforeAll(async () => {
  h = await InventoryHarness.start('http', { MAX_QUANTITY_PER_ORDER: '20' });
});
afterAll(async () => {
  await h?.stop();
});

const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
  h.app.inject({
    method: 'POST',
    url: `/api/v1${url}`,
    // Orders reserves; adjusting stock is an operator's (or delivery's) business.
    headers: { authorization: url === '/inventory/adjust' ? ADMIN : SERVICE, ...headers },
    payload: payload as object,
  });

describe('stock levels', () => {
  it('puts a product in stock at locations and reports it in total and per location', async () => {
    const productId = newProduct();
    const created = await h.app.inject({
      method: 'PUT',
      url: `/api/v1/inventory/prod-${productId}/locations/wh-east`,
      headers: { authorization: ADMIN },
      payload: { onHand: 12, lowStockThreshold: 3 },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      productId,
      warehouseId: 'wh-east',
      onHand: 12,
      reserved: 0,
      available: 12,
      lowStock: false,
    });
    await stock(h, productId, 'wh-west', 5, 2);
    const again = await h.app.inject({
      method: 'PUT',
      url: `/api/v1/inventory/${productId}/locations/wh-east`,
      headers: { authorization: ADMIN },
      payload: { onHand: 10 },
    });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ onHand: 10, lowStockThreshold: 3 });

    const read = await h.app.inject({
      url: `/api/v1/inventory/${productId}`,
      headers: { authorization: CUSTOMER },
    });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({
      productId,
      onHand: 15,
      reserved: 0,
      available: 15,
      lowStock: false,
      locations: [
        { warehouseId: 'wh-east', onHand: 10, available: 10 },
        { warehouseId: 'wh-west', onHand: 5, available: 5 },
      ],
    });

    const adjusted = await h.waitForPublished('InventoryAdjusted', (e) => e.productId === productId, 3);
    expect(adjusted.map((a) => [a.warehouseId, a.previousQuantity, a.newQuantity, a.reason])).toEqual([
      ['wh-east', 0, 12, 'RESTOCK'],
      ['wh-west', 0, 5, 'RESTOCK'],
      ['wh-east', 12, 10, 'CORRECTION'],
    ]);
    expect(adjusted.every((a) => a.adjustedBy === 'operator-1')).toBe(true);
    // Keyed by the product: the events under its key are these three.
    expect(await h.published('InventoryAdjusted', productId)).toEqual(adjusted);
  });

  it('adjusts with a reason, refuses going below what is reserved, and alerts when a location runs low', async () => {
    const productId = newProduct();
    await stock(h, productId, 'wh-1', 10, 4);
    const adjust = (quantityChange: number, reason = 'DAMAGED') =>
      post('/inventory/adjust', {
        productId,
        warehouseId: 'wh-1',
        quantityChange,
        reason,
        reference: 'count-7',
      });

    const damaged = await adjust(-5);
    expect(damaged.statusCode).toBe(201);
    expect(damaged.json()).toMatchObject({
      productId,
      quantityChange: -5,
      previousQuantity: 10,
      newQuantity: 5,
      reason: 'DAMAGED',
      reference: 'count-7',
    });
    expect(
      (await post('/inventory/reserve', { orderId: randomUUID(), items: [{ productId, quantity: 3 }] }))
        .statusCode,
    ).toBe(201);

    const tooMuch = await adjust(-3, 'LOST');
    expect(tooMuch.statusCode).toBe(422);
    expect(tooMuch.json().error).toMatchObject({
      code: 'UNPROCESSABLE_ENTITY',
      details: { reason: 'INSUFFICIENT_STOCK', onHand: 5, reserved: 3 },
    });
    expect(await stockOf(h, productId)).toMatchObject({ onHand: 5, reserved: 3, available: 2 });

    const alerts = await h.waitForPublished('LowStockAlert', (e) => e.productId === productId);
    expect(alerts[0]!).toMatchObject({ warehouseId: 'wh-1', availableQuantity: 2, threshold: 4 });
    const updates = await h.waitForPublished('InventoryUpdated', (e) => e.productId === productId, 3);
    expect(updates.map((u) => [u.changeReason, u.onHand, u.reserved, u.available, u.totalAvailable])).toEqual(
      [
        ['ADJUSTED', 10, 0, 10, 10],
        ['ADJUSTED', 5, 0, 5, 5],
        ['RESERVED', 5, 3, 2, 2],
      ],
    );
    // Reserving took the location from 5 available to 2: one alert, at the crossing, not one per change.
    expect(await h.published('LowStockAlert', (e) => e.productId === productId)).toHaveLength(1);

    const low = await h.app.inject({
      url: '/api/v1/inventory/low-stock?warehouseId=wh-1&limit=500',
      headers: { authorization: ADMIN },
    });
    expect(low.statusCode).toBe(200);
    expect(low.json().items).toContainEqual(
      expect.objectContaining({ productId, available: 2, lowStockThreshold: 4, lowStock: true }),
    );
  });

  it('answers bad input with the error envelope naming the field, and changes nothing', async () => {
    const productId = newProduct();
    await stock(h, productId, 'wh-1', 10);
    const cases: [string, () => ReturnType<typeof post>, number, string | RegExp][] = [
      [
        'zero change',
        () =>
          post('/inventory/adjust', { productId, warehouseId: 'wh-1', quantityChange: 0, reason: 'LOST' }),
        400,
        'body.quantityChange',
      ],
      [
        'fractional change',
        () =>
          post('/inventory/adjust', { productId, warehouseId: 'wh-1', quantityChange: 1.5, reason: 'LOST' }),
        400,
        'body.quantityChange',
      ],
      [
        'unknown reason',
        () =>
          post('/inventory/adjust', { productId, warehouseId: 'wh-1', quantityChange: 1, reason: 'THEFT' }),
        400,
        'body.reason',
      ],
      [
        'malformed product',
        () =>
          post('/inventory/adjust', {
            productId: 'abc',
            warehouseId: 'wh-1',
            quantityChange: 1,
            reason: 'LOST',
          }),
        400,
        'body.productId',
      ],
      [
        'unknown field',
        () =>
          post('/inventory/adjust', {
            productId,
            warehouseId: 'wh-1',
            quantityChange: 1,
            reason: 'LOST',
            note: 'x',
          }),
        400,
        'body.note',
      ],
      [
        'unknown location',
        () =>
          post('/inventory/adjust', { productId, warehouseId: 'wh-9', quantityChange: 1, reason: 'RESTOCK' }),
        404,
        'STOCK_LOCATION_NOT_FOUND',
      ],
      [
        'below zero',
        () =>
          post('/inventory/adjust', { productId, warehouseId: 'wh-1', quantityChange: -11, reason: 'LOST' }),
        422,
        'INSUFFICIENT_STOCK',
      ],
    ];
    for (const [what, send, status, names] of cases) {
      const response = await send();
      expect(response.statusCode, what).toBe(status);
      expect(response.body, what).toMatch(names);
      expect(response.json().error.traceId, what).toEqual(expect.any(String));
    }
    const put = await h.app.inject({
      method: 'PUT',
      url: `/api/v1/inventory/${productId}/locations/bad%20code`,
      headers: { authorization: ADMIN },
      payload: { onHand: -1 },
    });
    expect(put.statusCode).toBe(400);
    expect(put.body).toMatch(/params.warehouseId/);
    expect(
      (
        await h.app.inject({ url: '/api/v1/inventory/not-an-id', headers: { authorization: CUSTOMER } })
      ).json().error.details.fields[0].field,
    ).toBe('params.productId');
    expect(
      (await h.app.inject({ url: `/api/v1/inventory/${newProduct()}`, headers: { authorization: CUSTOMER } }))
        .statusCode,
    ).toBe(404);
    expect(await stockOf(h, productId)).toMatchObject({ onHand: 10, reserved: 0 });
    expect(await h.prisma.stockMovement.count({ where: { productId } })).toBe(1);
  });

  it('lets customers read stock but only admins and services change it', async () => {
    const productId = newProduct();
    await stock(h, productId, 'wh-1', 1);
    expect((await h.app.inject({ url: `/api/v1/inventory/${productId}` })).statusCode).toBe(401);
    const asCustomer = await post(
      '/inventory/reserve',
      { orderId: randomUUID(), items: [{ productId, quantity: 1 }] },
      { authorization: CUSTOMER },
    );
    expect(asCustomer.statusCode).toBe(403);
    expect(asCustomer.json().error.code).toBe('INSUFFICIENT_PERMISSIONS');
    const put = await h.app.inject({
      method: 'PUT',
      url: `/api/v1/inventory/${productId}/locations/wh-1`,
      headers: { authorization: CUSTOMER },
      payload: { onHand: 100 },
    });
    expect(put.statusCode).toBe(403);
    expect(await stockOf(h, productId)).toMatchObject({ onHand: 1, reserved: 0 });
  });

  it('lets orders reserve, and refuses services the route does not name (finding 1)', async () => {
    const productId = newProduct();
    await stock(h, productId, 'wh-1', 1);
    const reserve = { orderId: randomUUID(), items: [{ productId, quantity: 1 }] };
    const asNotifications = await post('/inventory/reserve', reserve, {
      authorization: token('notifications', ['service']),
    });
    expect(asNotifications.statusCode).toBe(403);
    expect(asNotifications.json().error.code).toBe('INSUFFICIENT_PERMISSIONS');
    const putByOrders = await h.app.inject({
      method: 'PUT',
      url: `/api/v1/inventory/${productId}/locations/wh-1`,
      headers: { authorization: SERVICE },
      payload: { onHand: 100 },
    });
    expect(putByOrders.statusCode).toBe(403);
    expect(await stockOf(h, productId)).toMatchObject({ onHand: 1, reserved: 0 });
    expect((await post('/inventory/reserve', reserve, { authorization: SERVICE })).statusCode).toBe(201);
  });

  it('documents every route in the OpenAPI document', async () => {
    const doc = (await h.app.inject({ url: '/docs/json' })).json();
    for (const path of [
      '/api/v1/inventory/{productId}',
      '/api/v1/inventory/reserve',
      '/api/v1/inventory/release',
      '/api/v1/inventory/adjust',
      '/api/v1/inventory/low-stock',
      '/api/v1/inventory/{productId}/locations/{warehouseId}',
      '/api/v1/inventory/reservations/{reservationId}',
    ]) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
  });
});

describe('reservations over HTTP', () => {
  it('reserves all lines or none, and releases', async () => {
    const [a, b] = [newProduct(), newProduct()];
    await stock(h, a, 'wh-1', 5);
    await stock(h, b, 'wh-1', 2);
    const orderId = randomUUID();

    const short = await post('/inventory/reserve', {
      orderId,
      items: [
        { productId: a, quantity: 2 },
        { productId: b, quantity: 3 },
      ],
    });
    expect(short.statusCode).toBe(422);
    expect(short.json().error.details).toEqual({
      reason: 'INSUFFICIENT_STOCK',
      unavailableItems: [{ productId: b, warehouseId: null, requestedQuantity: 3, availableQuantity: 2 }],
    });
    expect(await stockOf(h, a)).toMatchObject({ reserved: 0 });

    const reserved = await post('/inventory/reserve', {
      orderId: `ord-${orderId}`,
      items: [
        { productId: a, quantity: 2 },
        { productId: `prod-${b}`, quantity: 2 },
      ],
    });
    expect(reserved.statusCode).toBe(201);
    const reservation = reserved.json();
    expect(reservation).toMatchObject({
      orderId,
      status: 'ACTIVE',
      items: expect.arrayContaining([
        { productId: a, warehouseId: 'wh-1', quantity: 2 },
        { productId: b, warehouseId: 'wh-1', quantity: 2 },
      ]),
    });
    expect(await stockOf(h, b)).toMatchObject({ onHand: 2, reserved: 2, available: 0 });
    const [event] = await h.waitForPublished('InventoryReserved', (e) => e.orderId === orderId);
    expect(event!).toMatchObject({
      reservationId: reservation.reservationId,
      expiresAt: Date.parse(reservation.expiresAt),
    });
    // Keyed by the order.
    expect(await h.published('InventoryReserved', orderId)).toEqual([event]);

    const twice = await post('/inventory/reserve', { orderId, items: [{ productId: a, quantity: 1 }] });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().error.details).toMatchObject({
      reason: 'RESERVATION_EXISTS',
      reservationId: reservation.reservationId,
    });

    const released = await post('/inventory/release', { reservationId: `res-${reservation.reservationId}` });
    expect(released.statusCode).toBe(200);
    expect(released.json()).toMatchObject({ status: 'RELEASED', releaseReason: 'MANUAL' });
    expect(await stockOf(h, b)).toMatchObject({ onHand: 2, reserved: 0, available: 2 });
    const again = await post('/inventory/release', { orderId });
    expect(again.statusCode).toBe(200);
    expect(await stockOf(h, a)).toMatchObject({ onHand: 5, reserved: 0 });
    await h.waitForPublished('InventoryReleased', (e) => e.orderId === orderId);
    expect(await h.published('InventoryReleased', (e) => e.orderId === orderId)).toHaveLength(1);

    const fetched = await h.app.inject({
      url: `/api/v1/inventory/reservations/${reservation.reservationId}`,
      headers: { authorization: ADMIN },
    });
    expect(fetched.json()).toMatchObject({ status: 'RELEASED', releasedAt: expect.any(String) });
  });

  it('refuses unknown products, bad quantities and malformed ids, naming them, and reserves nothing', async () => {
    const productId = newProduct();
    const unknown = newProduct();
    await stock(h, productId, 'wh-1', 100);
    const orderId = randomUUID();
    const cases: [string, unknown, number, string][] = [
      [
        'unknown product',
        {
          orderId,
          items: [
            { productId, quantity: 1 },
            { productId: unknown, quantity: 1 },
          ],
        },
        404,
        unknown,
      ],
      ['zero quantity', { orderId, items: [{ productId, quantity: 0 }] }, 400, 'body.items[0].quantity'],
      ['negative quantity', { orderId, items: [{ productId, quantity: -4 }] }, 400, 'body.items[0].quantity'],
      [
        'over the per-order maximum',
        { orderId, items: [{ productId, quantity: 21 }] },
        400,
        'body.items[0].quantity',
      ],
      [
        'over the maximum across lines',
        {
          orderId,
          items: [
            { productId, quantity: 15 },
            { productId, quantity: 15, warehouseId: 'wh-1' },
          ],
        },
        400,
        'body.items[0].quantity',
      ],
      [
        'malformed order id',
        { orderId: 'order-1', items: [{ productId, quantity: 1 }] },
        400,
        'body.orderId',
      ],
      [
        'malformed product id',
        { orderId, items: [{ productId: 'p-1', quantity: 1 }] },
        400,
        'body.items[0].productId',
      ],
      ['no lines', { orderId, items: [] }, 400, 'body.items'],
      [
        'string quantity',
        { orderId, items: [{ productId, quantity: 'two' }] },
        400,
        'body.items[0].quantity',
      ],
    ];
    for (const [what, body, status, names] of cases) {
      const response = await post('/inventory/reserve', body);
      expect(response.statusCode, what).toBe(status);
      expect(response.body, what).toContain(names);
    }
    const release = await post('/inventory/release', { reservationId: randomUUID(), orderId });
    expect(release.statusCode).toBe(400);
    expect(release.body).toContain('body.reservationId');
    expect((await post('/inventory/release', { orderId: randomUUID() })).statusCode).toBe(404);
    expect(await stockOf(h, productId)).toMatchObject({ reserved: 0 });
    expect(await h.prisma.reservation.count({ where: { orderId } })).toBe(0);
  });

  it('answers a repeated X-Idempotency-Key with the first result, and refuses it with another body', async () => {
    const productId = newProduct();
    await stock(h, productId, 'wh-1', 10);
    const key = `reserve-${randomUUID()}`;
    const body = { orderId: randomUUID(), items: [{ productId, quantity: 3 }] };
    const first = await post('/inventory/reserve', body, { 'x-idempotency-key': key });
    expect(first.statusCode).toBe(201);
    const repeat = await post(
      '/inventory/reserve',
      { items: body.items, orderId: body.orderId },
      { 'x-idempotency-key': key },
    );
    expect(repeat.statusCode).toBe(201);
    expect(repeat.json()).toEqual(first.json());
    expect(repeat.headers['idempotent-replayed']).toBe('true');
    const other = await post(
      '/inventory/reserve',
      { ...body, items: [{ productId, quantity: 4 }] },
      { 'x-idempotency-key': key },
    );
    expect(other.statusCode).toBe(409);
    expect(other.json().error.details.reason).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await stockOf(h, productId)).toMatchObject({ reserved: 3 });
    expect(await h.prisma.reservation.count({ where: { orderId: body.orderId } })).toBe(1);

    // A failed attempt leaves the key free: the retry does the work once stock is there.
    const later = { orderId: randomUUID(), items: [{ productId, quantity: 9 }] };
    const laterKey = `reserve-${randomUUID()}`;
    expect((await post('/inventory/reserve', later, { 'x-idempotency-key': laterKey })).statusCode).toBe(422);
    await post('/inventory/adjust', { productId, warehouseId: 'wh-1', quantityChange: 5, reason: 'RESTOCK' });
    expect((await post('/inventory/reserve', later, { 'x-idempotency-key': laterKey })).statusCode).toBe(201);

    const adjustKey = `adjust-${randomUUID()}`;
    const adjust = { productId, warehouseId: 'wh-1', quantityChange: 2, reason: 'RESTOCK' };
    const a1 = await post('/inventory/adjust', adjust, { 'x-idempotency-key': adjustKey });
    const a2 = await post('/inventory/adjust', adjust, { 'x-idempotency-key': adjustKey });
    expect(a2.json()).toEqual(a1.json());
    expect(await stockOf(h, productId)).toMatchObject({ onHand: 17 });
    const badKey = await post('/inventory/adjust', adjust, { 'x-idempotency-key': 'has space' });
    expect(badKey.statusCode).toBe(400);
    expect(badKey.body).toContain('headers.x-idempotency-key');
  });
});
