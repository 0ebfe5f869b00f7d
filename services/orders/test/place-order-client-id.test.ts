import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listProducts, orderBody, type Product } from './fixtures.js';
import { bearer, startOrders, type OrdersHarness } from './harness.js';

let h: OrdersHarness;
let lamp: Product | undefined;

beforeAll(async () => {
  h = await startOrders('client-id');
  [lamp] = await listProducts(h, [{ price: '599.99' }]);
});
afterAll(async () => {
  await h?.stop();
});

function place(payload: unknown, auth: string, key?: string) {
  return h.runtime.app.inject({
    method: 'POST',
    url: '/api/v1/orders',
    headers: { authorization: auth, ...(key ? { 'x-idempotency-key': key } : {}) },
    payload: payload as object,
  });
}

describe('POST /api/v1/orders with a client-supplied orderId (seed 001)', () => {
  it('places the order under that id, prefixed or not, and answers the same order when placed again (202, as a replay)', async () => {
    const customerId = randomUUID();
    const customer = bearer(customerId, ['customer']);
    const orderId = randomUUID();
    const body = orderBody([{ product: lamp!, quantity: 1 }], { orderId: `ord-${orderId}` });

    const first = await place(body, customer);
    expect(first.statusCode).toBe(202);
    expect(first.json()).toMatchObject({ orderId, customerId, status: 'PENDING', totalAmount: '599.99' });
    expect(first.headers.location).toBe(`/api/v1/orders/${orderId}`);
    expect(first.headers.link).toBe(`</api/v1/orders/${orderId}/status>; rel="monitor"`);

    // The same id again, without an idempotency key and in its plain form: the order as it is (a replay).
    const again = await place({ ...body, orderId }, customer);
    expect(again.statusCode).toBe(202);
    expect(again.headers.location).toBe(`/api/v1/orders/${orderId}`);
    expect(again.json()).toMatchObject({ orderId, customerId, status: 'PENDING' });
    expect(await h.prisma.order.count({ where: { customerId } })).toBe(1);
    expect(await h.committed('OrderCreated', orderId)).toHaveLength(1);
  });

  it("refuses another customer's id with 409 ORDER_ID_TAKEN, telling nothing of the order", async () => {
    const orderId = randomUUID();
    const owner = randomUUID();
    expect(
      (await place(orderBody([{ product: lamp!, quantity: 1 }], { orderId }), bearer(owner, ['customer'])))
        .statusCode,
    ).toBe(202);
    const stranger = randomUUID();
    const taken = await place(
      orderBody([{ product: lamp!, quantity: 3 }], { orderId }),
      bearer(stranger, ['customer']),
    );
    expect(taken.statusCode).toBe(409);
    const error = taken.json().error;
    expect(error).toMatchObject({
      code: 'CONFLICT',
      details: { field: 'body.orderId', reason: 'ORDER_ID_TAKEN' },
    });
    expect(JSON.stringify(error)).not.toContain(owner);
    expect(await h.prisma.order.count({ where: { customerId: stranger } })).toBe(0);
    expect((await h.prisma.order.findUnique({ where: { id: orderId } }))?.customerId).toBe(owner);
  });

  it('places one order when the same id is sent twice at once', async () => {
    const customerId = randomUUID();
    const customer = bearer(customerId, ['customer']);
    const orderId = randomUUID();
    const body = orderBody([{ product: lamp!, quantity: 1 }], { orderId });
    const answers = await Promise.all([place(body, customer), place(body, customer)]);
    expect(answers.map((answer) => answer.statusCode)).toEqual([202, 202]);
    expect(answers.every((answer) => answer.json().orderId === orderId)).toBe(true);
    expect(await h.prisma.order.count({ where: { customerId } })).toBe(1);
  });

  it('refuses an id that is not an order id with 400 in the error envelope', async () => {
    const response = await place(
      orderBody([{ product: lamp!, quantity: 1 }], { orderId: 'cust-not-an-order' }),
      bearer(randomUUID(), ['customer']),
    );
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'INVALID_REQUEST' });
    expect(response.json().error.details.fields[0]).toMatchObject({ field: 'body.orderId' });
  });
});
