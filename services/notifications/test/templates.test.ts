import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotificationsHarness, adminToken, bearer, serviceToken } from './support.js';

const h = new NotificationsHarness();
beforeAll(async () => {
  await h.start();
});
afterAll(async () => {
  await h.stop();
});

const auth = { authorization: adminToken };

async function templateOf(key: string, channel: string) {
  const response = await h.app.inject({
    url: `/api/v1/templates?key=${key}&channel=${channel}`,
    headers: { authorization: serviceToken },
  });
  expect(response.statusCode).toBe(200);
  return response.json()[0];
}

describe('templates', () => {
  it('ships a template for every notification type and channel', async () => {
    const response = await h.app.inject({ url: '/api/v1/templates', headers: auth });
    const keys = new Set(
      response.json().map((t: { key: string; channel: string }) => `${t.key}/${t.channel}`),
    );
    for (const key of [
      'order-confirmed',
      'delivery-scheduled',
      'shipment-dispatched',
      'shipment-delivered',
      'order-cancelled',
      'order-failed',
      'payment-failed',
      'order-refunded',
      'return-refunded',
      'order-cancellation-notice',
    ]) {
      for (const channel of ['EMAIL', 'SMS', 'PUSH']) expect(keys).toContain(`${key}/${channel}`);
    }
  });

  it('previews with variables and names every missing one', async () => {
    const template = await templateOf('order-confirmed', 'EMAIL');
    expect(template.variables).toEqual(['orderId', 'itemCount', 'totalAmount', 'currency', 'shippingMethod']);
    const ok = await h.app.inject({
      method: 'POST',
      url: `/api/v1/templates/${template.templateId}/preview`,
      headers: auth,
      payload: {
        variables: {
          orderId: 'ord-1',
          itemCount: 2,
          totalAmount: '10.00',
          currency: 'EUR',
          shippingMethod: 'EXPRESS',
        },
      },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ subject: 'Your order ord-1 is confirmed' });
    const missing = await h.app.inject({
      method: 'POST',
      url: `/api/v1/templates/${template.templateId}/preview`,
      headers: auth,
      payload: { variables: { orderId: 'ord-1' } },
    });
    expect(missing.statusCode).toBe(422);
    expect(missing.json().error.details).toMatchObject({
      reason: 'MISSING_VARIABLES',
      missingVariables: ['itemCount', 'totalAmount', 'currency', 'shippingMethod'],
    });
    expect(missing.json().error.details.fields[0].field).toBe('body.variables.itemCount');
  });

  it('creates, changes and deletes templates, refusing bad ones without changing anything', async () => {
    const key = `promo-${randomUUID().slice(0, 8)}`;
    const idempotencyKey = randomUUID();
    const create = () =>
      h.app.inject({
        method: 'POST',
        url: '/api/v1/templates',
        headers: { ...auth, 'x-idempotency-key': idempotencyKey },
        payload: { key, channel: 'EMAIL', subject: 'Hi {{name}}', body: 'Order {{orderId}}' },
      });
    const created = await create();
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      key,
      channel: 'EMAIL',
      version: 1,
      variables: ['name', 'orderId'],
      availableVariables: null,
    });
    expect((await create()).json().templateId).toBe(created.json().templateId);
    const duplicate = await h.app.inject({
      method: 'POST',
      url: '/api/v1/templates',
      headers: auth,
      payload: { key, channel: 'EMAIL', subject: 'x', body: 'y' },
    });
    expect(duplicate.statusCode).toBe(409);

    const id = created.json().templateId;
    const updated = await h.app.inject({
      method: 'PUT',
      url: `/api/v1/templates/${id}`,
      headers: auth,
      payload: { body: 'Order {{ orderId }} ships soon' },
    });
    expect(updated.json()).toMatchObject({ version: 2, body: 'Order {{ orderId }} ships soon' });

    const noSubject = await h.app.inject({
      method: 'POST',
      url: '/api/v1/templates',
      headers: auth,
      payload: { key: `${key}-b`, channel: 'EMAIL', body: 'x' },
    });
    expect(noSubject.statusCode).toBe(400);
    expect(noSubject.json().error.details.fields[0].field).toBe('body.subject');
    const malformed = await h.app.inject({
      method: 'PUT',
      url: `/api/v1/templates/${id}`,
      headers: auth,
      payload: { body: 'Order {{ order id }}' },
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.details.fields[0].field).toBe('body.body');
    const known = await templateOf('payment-failed', 'SMS');
    const unknownVariable = await h.app.inject({
      method: 'PUT',
      url: `/api/v1/templates/${known.templateId}`,
      headers: auth,
      payload: { body: 'Hi {{nickname}}' },
    });
    expect(unknownVariable.statusCode).toBe(422);
    expect(unknownVariable.json().error.details).toMatchObject({
      reason: 'UNKNOWN_VARIABLES',
      unknownVariables: ['nickname'],
    });
    expect((await templateOf('payment-failed', 'SMS')).version).toBe(known.version);

    const byCustomer = await h.app.inject({
      method: 'DELETE',
      url: `/api/v1/templates/${id}`,
      headers: { authorization: bearer(randomUUID(), ['customer']) },
    });
    expect(byCustomer.statusCode).toBe(403);
    expect(
      (await h.app.inject({ method: 'DELETE', url: `/api/v1/templates/${id}`, headers: auth })).statusCode,
    ).toBe(204);
    expect((await h.app.inject({ url: `/api/v1/templates/${id}`, headers: auth })).statusCode).toBe(404);
  });

  it('documents the API', async () => {
    const response = await h.app.inject({ url: '/docs/json' });
    expect(Object.keys(response.json().paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/templates',
        '/api/v1/templates/{templateId}/preview',
        '/api/v1/customers/{customerId}/preferences',
        '/api/v1/notifications',
      ]),
    );
  });
});
