import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signWebhook } from '../src/domain/webhook-signature.js';
import {
  DeliveryHarness,
  WEBHOOK_SECRET,
  adminToken,
  bearer,
  orderConfirmed,
  serviceToken,
} from './support.js';

const DAY = 24 * 60 * 60 * 1000;
let clockOffsetMs = 0;
const h = new DeliveryHarness();

beforeAll(async () => {
  await h.start({ now: () => new Date(Date.now() + clockOffsetMs) }, { RETURN_WINDOW_DAYS: '14' });
});
afterAll(async () => {
  await h.stop();
});

/** A confirmed order with its shipment scheduled; returns the DeliveryScheduled event. */
async function scheduledShipment() {
  const orderId = randomUUID();
  const confirmed = await h.publish('OrderConfirmed', orderConfirmed(orderId));
  const [scheduled] = await h.waitForPublished('DeliveryScheduled', orderId);
  return { ...scheduled!, customerToken: bearer(confirmed.customerId, ['customer']) };
}

function webhook(
  body: Record<string, unknown>,
  options: { secret?: string; timestamp?: number; headers?: Record<string, string> } = {},
) {
  const payload = JSON.stringify(body);
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  return h.app.inject({
    method: 'POST',
    url: '/api/v1/carrier/tracking-webhook',
    headers: {
      'content-type': 'application/json',
      'x-carrier-signature': signWebhook(options.secret ?? WEBHOOK_SECRET, timestamp, payload),
      ...options.headers,
    },
    payload,
  });
}

function scan(trackingId: string, status: string, extra: Record<string, unknown> = {}) {
  return { eventId: randomUUID(), trackingId, status, occurredAt: new Date().toISOString(), ...extra };
}

async function deliver(trackingId: string) {
  for (const status of ['DISPATCHED', 'IN_TRANSIT', 'DELIVERED']) {
    const response = await webhook(
      scan(trackingId, status, status === 'DELIVERED' ? { signedBy: 'A. Lovelace' } : {}),
    );
    expect(response.statusCode).toBe(200);
  }
}

describe('tracking webhook', () => {
  it('moves a shipment through its statuses from signed carrier scans and publishes dispatch and delivery', async () => {
    const shipment = await scheduledShipment();
    const dispatched = scan(shipment.trackingId, 'DISPATCHED', { location: 'Newark hub' });
    const first = await webhook(dispatched);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ shipmentId: shipment.shipmentId, status: 'DISPATCHED', duplicate: false });

    // The carrier resends the same scan: acknowledged, nothing changes.
    const resent = await webhook(dispatched);
    expect(resent.json()).toMatchObject({ duplicate: true });

    expect((await webhook(scan(shipment.trackingId, 'IN_TRANSIT', { location: 'Chicago' }))).statusCode).toBe(
      200,
    );
    expect((await webhook(scan(shipment.trackingId, 'IN_TRANSIT', { location: 'Denver' }))).statusCode).toBe(
      200,
    );
    const delivered = await webhook(scan(shipment.trackingId, 'DELIVERED', { signedBy: 'A. Lovelace' }));
    expect(delivered.statusCode).toBe(200);

    const [dispatchEvent] = await h.waitForPublished('ShipmentDispatched', shipment.orderId);
    expect(dispatchEvent).toMatchObject({
      shipmentId: shipment.shipmentId,
      trackingId: shipment.trackingId,
      carrier: 'SIMULATED',
    });
    const [deliveryEvent] = await h.waitForPublished('ShipmentDelivered', shipment.orderId);
    expect(deliveryEvent).toMatchObject({
      shipmentId: shipment.shipmentId,
      signedBy: 'A. Lovelace',
      correlationId: shipment.orderId,
    });
    expect(await h.published('ShipmentDispatched', shipment.orderId)).toHaveLength(1);

    // The customer follows it.
    const tracking = await h.app.inject({
      url: `/api/v1/shipments/${shipment.shipmentId}/tracking`,
      headers: { authorization: shipment.customerToken },
    });
    expect(tracking.statusCode).toBe(200);
    expect(tracking.json()).toMatchObject({
      status: 'DELIVERED',
      trackingId: shipment.trackingId,
      signedBy: 'A. Lovelace',
    });
    expect(
      tracking
        .json()
        .events.map((event: { status: string; location: string | null }) => [event.status, event.location]),
    ).toEqual([
      ['LABEL_CREATED', null],
      ['DISPATCHED', 'Newark hub'],
      ['IN_TRANSIT', 'Chicago'],
      ['IN_TRANSIT', 'Denver'],
      ['DELIVERED', null],
    ]);
  });

  it('refuses an invalid transition with 422 and changes nothing', async () => {
    const shipment = await scheduledShipment();
    const response = await webhook(scan(shipment.trackingId, 'DELIVERED'));
    expect(response.statusCode).toBe(422);
    expect(response.json().error).toMatchObject({
      code: 'UNPROCESSABLE_ENTITY',
      details: {
        reason: 'INVALID_STATUS_TRANSITION',
        currentStatus: 'LABEL_CREATED',
        requestedStatus: 'DELIVERED',
        allowedStatuses: ['DISPATCHED'],
      },
    });
    const state = await h.prisma.shipment.findUniqueOrThrow({
      where: { id: shipment.shipmentId },
      include: { trackingEvents: true },
    });
    expect(state.status).toBe('LABEL_CREATED');
    expect(state.trackingEvents).toHaveLength(1);
  });

  it('authenticates the carrier by signature or service token', async () => {
    const shipment = await scheduledShipment();
    const body = scan(shipment.trackingId, 'DISPATCHED');

    const forged = await webhook(body, { secret: 'not-the-carrier-secret-000' });
    expect(forged.statusCode).toBe(401);
    expect(forged.json().error).toMatchObject({
      code: 'AUTHENTICATION_REQUIRED',
      details: { reason: 'MISMATCH' },
    });
    const stale = await webhook(body, { timestamp: Math.floor(Date.now() / 1000) - 3600 });
    expect(stale.json().error.details.reason).toBe('TIMESTAMP_OUT_OF_TOLERANCE');
    const unsigned = await h.app.inject({
      method: 'POST',
      url: '/api/v1/carrier/tracking-webhook',
      payload: body,
    });
    expect(unsigned.statusCode).toBe(401);
    const customer = await h.app.inject({
      method: 'POST',
      url: '/api/v1/carrier/tracking-webhook',
      headers: { authorization: shipment.customerToken },
      payload: body,
    });
    expect(customer.statusCode).toBe(403);
    expect((await h.prisma.shipment.findUniqueOrThrow({ where: { id: shipment.shipmentId } })).status).toBe(
      'LABEL_CREATED',
    );

    const withToken = await h.app.inject({
      method: 'POST',
      url: '/api/v1/carrier/tracking-webhook',
      headers: { authorization: serviceToken },
      payload: body,
    });
    expect(withToken.statusCode).toBe(200);
  });

  it('names the field of a bad scan and of an unknown tracking id', async () => {
    const bad = await webhook({ eventId: 'e1', trackingId: 'SIM1', status: 'LOST', occurredAt: 'yesterday' });
    expect(bad.statusCode).toBe(400);
    const fields = bad.json().error.details.fields.map((f: { field: string }) => f.field);
    expect(fields).toContain('body.status');
    const unknown = await webhook(scan('SIM0000000000000000', 'DISPATCHED'));
    expect(unknown.statusCode).toBe(404);
    const notJson = await h.app.inject({
      method: 'POST',
      url: '/api/v1/carrier/tracking-webhook',
      headers: { 'content-type': 'application/json', authorization: serviceToken },
      payload: '{"trackingId":',
    });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json().error.code).toBe('INVALID_REQUEST');
  });
});

describe('shipment access', () => {
  it('shows a customer their own shipments only', async () => {
    const shipment = await scheduledShipment();
    const own = await h.app.inject({
      url: `/api/v1/shipments/ord-${shipment.shipmentId}`,
      headers: { authorization: shipment.customerToken },
    });
    expect(own.statusCode).toBe(200);
    expect(own.json()).toMatchObject({
      shipmentId: shipment.shipmentId,
      status: 'LABEL_CREATED',
      labelNumber: shipment.labelNumber,
    });

    const stranger = bearer(randomUUID(), ['customer']);
    const other = await h.app.inject({
      url: `/api/v1/shipments/${shipment.shipmentId}/tracking`,
      headers: { authorization: stranger },
    });
    expect(other.statusCode).toBe(404);
    const list = await h.app.inject({
      url: `/api/v1/shipments?orderId=${shipment.orderId}`,
      headers: { authorization: stranger },
    });
    expect(list.json().totalElements).toBe(0);
    const mine = await h.app.inject({
      url: `/api/v1/shipments`,
      headers: { authorization: shipment.customerToken },
    });
    expect(mine.json().content.map((s: { shipmentId: string }) => s.shipmentId)).toEqual([
      shipment.shipmentId,
    ]);
    const byAdmin = await h.app.inject({
      url: `/api/v1/shipments?orderId=${shipment.orderId}`,
      headers: { authorization: adminToken },
    });
    expect(byAdmin.json().totalElements).toBe(1);

    const anonymous = await h.app.inject({ url: `/api/v1/shipments/${shipment.shipmentId}` });
    expect(anonymous.statusCode).toBe(401);
    const badId = await h.app.inject({ url: `/api/v1/shipments/42`, headers: { authorization: adminToken } });
    expect(badId.statusCode).toBe(400);
    expect(badId.json().error.details.fields[0].field).toBe('params.shipmentId');
  });

  it('lets an operator confirm delivery', async () => {
    const shipment = await scheduledShipment();
    await webhook(scan(shipment.trackingId, 'DISPATCHED'));
    await webhook(scan(shipment.trackingId, 'IN_TRANSIT'));
    const confirmed = await h.app.inject({
      method: 'POST',
      url: `/api/v1/shipments/${shipment.shipmentId}/delivery-confirmation`,
      headers: { authorization: adminToken },
      payload: { signedBy: 'Front desk' },
    });
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.json()).toMatchObject({ status: 'DELIVERED', signedBy: 'Front desk' });
    await h.waitForPublished('ShipmentDelivered', shipment.orderId);
    const customer = await h.app.inject({
      method: 'POST',
      url: `/api/v1/shipments/${shipment.shipmentId}/delivery-confirmation`,
      headers: { authorization: shipment.customerToken },
      payload: {},
    });
    expect(customer.statusCode).toBe(403);
  });
});

describe('API document', () => {
  it('documents every route', async () => {
    const response = await h.app.inject({ url: '/docs/json' });
    expect(response.statusCode).toBe(200);
    expect(Object.keys(response.json().paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/shipments',
        '/api/v1/shipments/{shipmentId}/tracking',
        '/api/v1/shipments/{shipmentId}/tracking-events',
        '/api/v1/shipments/{shipmentId}/delivery-confirmation',
        '/api/v1/carrier/tracking-webhook',
        '/api/v1/returns',
        '/api/v1/returns/{returnId}/receive',
      ]),
    );
  });
});

describe('returns', () => {
  it('takes a return of a delivered shipment and turns its receipt into ReturnReceived', async () => {
    const shipment = await scheduledShipment();
    const early = await h.app.inject({
      method: 'POST',
      url: '/api/v1/returns',
      headers: { authorization: shipment.customerToken },
      payload: {
        shipmentId: shipment.shipmentId,
        reason: 'DAMAGED',
        items: [{ productId: 'prod-lamp', quantity: 1 }],
      },
    });
    expect(early.statusCode).toBe(422);
    expect(early.json().error.details.reason).toBe('SHIPMENT_NOT_DELIVERED');

    await deliver(shipment.trackingId);
    const key = randomUUID();
    const request = () =>
      h.app.inject({
        method: 'POST',
        url: '/api/v1/returns',
        headers: { authorization: shipment.customerToken, 'x-idempotency-key': key },
        payload: {
          shipmentId: shipment.shipmentId,
          reason: 'DAMAGED',
          comment: 'Cracked shade',
          items: [{ productId: 'prod-lamp', quantity: 1 }],
        },
      });
    const created = await request();
    expect(created.statusCode).toBe(201);
    const entry = created.json();
    expect(entry).toMatchObject({
      shipmentId: shipment.shipmentId,
      orderId: shipment.orderId,
      status: 'REQUESTED',
      reason: 'DAMAGED',
    });
    const replay = await request();
    expect(replay.statusCode).toBe(201);
    expect(replay.json().returnId).toBe(entry.returnId);
    const reused = await h.app.inject({
      method: 'POST',
      url: '/api/v1/returns',
      headers: { authorization: shipment.customerToken, 'x-idempotency-key': key },
      payload: {
        shipmentId: shipment.shipmentId,
        reason: 'OTHER',
        items: [{ productId: 'prod-lamp', quantity: 1 }],
      },
    });
    expect(reused.statusCode).toBe(409);
    expect(await h.prisma.return.count({ where: { shipmentId: shipment.shipmentId } })).toBe(1);

    const [requested] = await h.waitForPublished('ReturnRequested', shipment.orderId);
    expect(requested).toMatchObject({
      returnId: entry.returnId,
      customerId: shipment.customerId,
      reason: 'DAMAGED',
      items: [{ productId: 'prod-lamp', quantity: 1, reason: 'DAMAGED', condition: null }],
    });

    // The customer cannot claim more lamps than were shipped and not yet returned.
    const tooMany = await h.app.inject({
      method: 'POST',
      url: '/api/v1/returns',
      headers: { authorization: shipment.customerToken },
      payload: {
        shipmentId: shipment.shipmentId,
        reason: 'OTHER',
        items: [{ productId: 'prod-lamp', quantity: 2 }],
      },
    });
    expect(tooMany.statusCode).toBe(422);
    expect(tooMany.json().error.details).toMatchObject({
      reason: 'RETURN_ITEMS_INVALID',
      fields: [{ field: 'body.items[0].quantity' }],
    });

    const byCustomer = await h.app.inject({
      method: 'POST',
      url: `/api/v1/returns/${entry.returnId}/receive`,
      headers: { authorization: shipment.customerToken },
      payload: { warehouseId: 'wh-001', items: [{ productId: 'prod-lamp', condition: 'DAMAGED' }] },
    });
    expect(byCustomer.statusCode).toBe(403);
    const received = await h.app.inject({
      method: 'POST',
      url: `/api/v1/returns/${entry.returnId}/receive`,
      headers: { authorization: serviceToken },
      payload: { warehouseId: 'wh-001', items: [{ productId: 'prod-lamp', condition: 'DAMAGED' }] },
    });
    expect(received.statusCode).toBe(200);
    expect(received.json()).toMatchObject({
      status: 'RECEIVED',
      warehouseId: 'wh-001',
      items: [{ productId: 'prod-lamp', condition: 'DAMAGED' }],
    });
    const [receipt] = await h.waitForPublished('ReturnReceived', shipment.orderId);
    expect(receipt).toMatchObject({
      returnId: entry.returnId,
      orderId: shipment.orderId,
      customerId: shipment.customerId,
      warehouseId: 'wh-001',
      items: [{ productId: 'prod-lamp', quantity: 1, reason: 'DAMAGED', condition: 'DAMAGED' }],
    });

    const twice = await h.app.inject({
      method: 'POST',
      url: `/api/v1/returns/${entry.returnId}/receive`,
      headers: { authorization: serviceToken },
      payload: { warehouseId: 'wh-001', items: [{ productId: 'prod-lamp', condition: 'RESELLABLE' }] },
    });
    expect(twice.statusCode).toBe(422);
    expect(twice.json().error.details.reason).toBe('RETURN_ALREADY_RECEIVED');
    expect(await h.published('ReturnReceived', shipment.orderId)).toHaveLength(1);

    const listed = await h.app.inject({
      url: `/api/v1/returns?orderId=${shipment.orderId}`,
      headers: { authorization: shipment.customerToken },
    });
    expect(
      listed.json().content.map((r: { returnId: string; status: string }) => [r.returnId, r.status]),
    ).toEqual([[entry.returnId, 'RECEIVED']]);
  });

  it('refuses a return after the window and names bad fields', async () => {
    const shipment = await scheduledShipment();
    await deliver(shipment.trackingId);
    const invalid = await h.app.inject({
      method: 'POST',
      url: '/api/v1/returns',
      headers: { authorization: shipment.customerToken },
      payload: { shipmentId: shipment.shipmentId, reason: 'BORED', items: [] },
    });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().error.details.fields[0].field).toBe('body.reason');
    const empty = await h.app.inject({
      method: 'POST',
      url: '/api/v1/returns',
      headers: { authorization: shipment.customerToken },
      payload: { shipmentId: shipment.shipmentId, reason: 'OTHER', items: [] },
    });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error.details.fields[0]).toMatchObject({ field: 'body.items', rule: 'minItems' });

    clockOffsetMs = 15 * DAY;
    try {
      const late = await h.app.inject({
        method: 'POST',
        url: '/api/v1/returns',
        headers: { authorization: shipment.customerToken },
        payload: {
          shipmentId: shipment.shipmentId,
          reason: 'NO_LONGER_NEEDED',
          items: [{ productId: 'prod-desk', quantity: 1 }],
        },
      });
      expect(late.statusCode).toBe(422);
      expect(late.json().error.details.reason).toBe('RETURN_WINDOW_EXPIRED');
    } finally {
      clockOffsetMs = 0;
    }
    const stranger = await h.app.inject({
      method: 'POST',
      url: '/api/v1/returns',
      headers: { authorization: bearer(randomUUID(), ['customer']) },
      payload: {
        shipmentId: shipment.shipmentId,
        reason: 'NO_LONGER_NEEDED',
        items: [{ productId: 'prod-desk', quantity: 1 }],
      },
    });
    expect(stranger.statusCode).toBe(404);
    expect(await h.prisma.return.count({ where: { shipmentId: shipment.shipmentId } })).toBe(0);
  });
});
