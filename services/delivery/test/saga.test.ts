import { randomUUID } from 'node:crypto';
import { dlqTopicOf, topicOf } from '@fv/contracts';
import { waitFor } from '@fv/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CarrierUnavailableError } from '../src/carrier/carrier.js';
import {
  SimulatedCarrier,
  simulatedLabelNumber,
  simulatedTrackingId,
} from '../src/carrier/simulated-carrier.js';
import { shipmentIdFor } from '../src/domain/ids.js';
import { DeliveryHarness, adminToken, cancelShipmentRequest, orderConfirmed } from './support.js';

const h = new DeliveryHarness();
/** Orders the carrier fails for, and how many more times it will. */
const carrierOutages = new Map<string, number>();

beforeAll(async () => {
  await h.start({
    carrier: (config) => {
      const simulated = new SimulatedCarrier({
        supportedCountries: config.CARRIER_SUPPORTED_COUNTRIES,
        publicBaseUrl: config.PUBLIC_BASE_URL,
      });
      return {
        code: simulated.code,
        voidLabel: () => simulated.voidLabel(),
        async createLabel(request) {
          const failures = carrierOutages.get(request.orderId) ?? 0;
          if (failures > 0) {
            carrierOutages.set(request.orderId, failures - 1);
            throw new CarrierUnavailableError('carrier API answered 503');
          }
          return simulated.createLabel(request);
        },
      };
    },
  });
});
afterAll(async () => {
  await h.stop();
});

async function shipmentsOf(orderId: string) {
  return h.prisma.shipment.findMany({ where: { orderId }, include: { items: true, trackingEvents: true } });
}

async function dispatch(shipmentId: string) {
  const response = await h.app.inject({
    method: 'POST',
    url: `/api/v1/shipments/${shipmentId}/tracking-events`,
    headers: { authorization: adminToken },
    payload: { status: 'DISPATCHED', occurredAt: new Date().toISOString(), location: 'Newark hub' },
  });
  expect(response.statusCode).toBe(200);
}

describe('OrderConfirmed', () => {
  it('creates a shipment with a label derived from the order id and publishes DeliveryScheduled', async () => {
    const orderId = randomUUID();
    const confirmed = await h.publish('OrderConfirmed', orderConfirmed(orderId));

    const [scheduled] = await h.waitForPublished('DeliveryScheduled', orderId);
    expect(scheduled).toMatchObject({
      orderId,
      customerId: confirmed.customerId,
      shipmentId: shipmentIdFor(orderId),
      labelNumber: simulatedLabelNumber(orderId),
      trackingId: simulatedTrackingId(orderId),
      carrier: 'SIMULATED',
      serviceLevel: 'STANDARD',
      correlationId: orderId,
      causationId: confirmed.eventId,
      producer: 'delivery',
      labelUrl: `http://delivery.test/api/v1/shipments/${shipmentIdFor(orderId)}/label`,
    });
    expect(scheduled!.shippingAddress).toEqual(confirmed.shippingAddress);
    expect(scheduled!.estimatedDeliveryAt).toBe(confirmed.occurredAt + 5 * 24 * 60 * 60 * 1000);

    const [shipment] = await shipmentsOf(orderId);
    expect(shipment).toMatchObject({
      status: 'LABEL_CREATED',
      labelNumber: scheduled!.labelNumber,
      trackingId: scheduled!.trackingId,
    });
    expect(shipment!.items.map((item) => [item.productId, item.quantity]).sort()).toEqual([
      ['prod-desk', 1],
      ['prod-lamp', 2],
    ]);
    expect(shipment!.trackingEvents.map((event) => event.status)).toEqual(['LABEL_CREATED']);
  });

  it('creates one shipment when the same OrderConfirmed arrives twice, or is sent again with a new event id', async () => {
    const orderId = randomUUID();
    const confirmed = await h.publish('OrderConfirmed', orderConfirmed(orderId));
    await h.waitForPublished('DeliveryScheduled', orderId);
    // The same event redelivered: recognised by its id, nothing happens.
    await h.publish('OrderConfirmed', orderConfirmed(orderId, { customerId: confirmed.customerId }), {
      eventId: confirmed.eventId,
    });
    await h.waitUntilConsumed();
    expect(await h.published('DeliveryScheduled', orderId)).toHaveLength(1);

    // The order confirmed again under a new event id (a retried saga step): the same label is given again.
    const again = await h.publish(
      'OrderConfirmed',
      orderConfirmed(orderId, { customerId: confirmed.customerId }),
    );
    const answers = await h.waitForPublished('DeliveryScheduled', orderId, 2);
    expect(answers[1]).toMatchObject({
      causationId: again.eventId,
      labelNumber: answers[0]!.labelNumber,
      trackingId: answers[0]!.trackingId,
    });
    await h.waitUntilConsumed();
    expect(await shipmentsOf(orderId)).toHaveLength(1);
    expect(await h.published('DeliveryScheduled', orderId)).toHaveLength(2);
  });

  it('answers DeliverySchedulingFailed for a destination the carrier does not serve, and creates nothing', async () => {
    const orderId = randomUUID();
    const address = {
      name: null,
      street: 'Av. Paulista 1000',
      city: 'São Paulo',
      state: 'SP',
      zipCode: '01310-100',
      country: 'BR',
      phone: null,
    };
    const confirmed = await h.publish(
      'OrderConfirmed',
      orderConfirmed(orderId, { shippingAddress: address }),
    );
    const [failed] = await h.waitForPublished('DeliverySchedulingFailed', orderId);
    expect(failed).toMatchObject({
      orderId,
      shipmentId: shipmentIdFor(orderId),
      carrier: 'SIMULATED',
      errorCode: 'SERVICE_NOT_AVAILABLE',
      retriable: false,
      causationId: confirmed.eventId,
    });
    expect(failed!.errorMessage).toContain('BR');
    expect(await shipmentsOf(orderId)).toHaveLength(0);
    expect(await h.published('DeliveryScheduled', orderId)).toHaveLength(0);
  });

  it('answers DeliverySchedulingFailed for a malformed postal code', async () => {
    const orderId = randomUUID();
    const base = orderConfirmed(orderId);
    await h.publish('OrderConfirmed', {
      ...base,
      shippingAddress: { ...base.shippingAddress, zipCode: 'NYC' },
    });
    const [failed] = await h.waitForPublished('DeliverySchedulingFailed', orderId);
    expect(failed).toMatchObject({ errorCode: 'ADDRESS_INVALID', retriable: false });
    expect(await shipmentsOf(orderId)).toHaveLength(0);
  });

  it('retries a carrier that fails transiently, then creates the label', async () => {
    const orderId = randomUUID();
    carrierOutages.set(orderId, 2);
    await h.publish('OrderConfirmed', orderConfirmed(orderId));
    const [scheduled] = await h.waitForPublished('DeliveryScheduled', orderId);
    expect(scheduled!.labelNumber).toBe(simulatedLabelNumber(orderId));
    expect(carrierOutages.get(orderId)).toBe(0);
    expect(await h.published('DeliverySchedulingFailed', orderId)).toHaveLength(0);
  });

  it('answers a retriable DeliverySchedulingFailed when the carrier stays unavailable', async () => {
    const orderId = randomUUID();
    carrierOutages.set(orderId, 100);
    await h.publish('OrderConfirmed', orderConfirmed(orderId));
    const [failed] = await h.waitForPublished('DeliverySchedulingFailed', orderId);
    expect(failed).toMatchObject({ errorCode: 'CARRIER_UNAVAILABLE', retriable: true });
    // First attempt and the two retries of EVENT_RETRY_DELAYS_MS=50,100.
    expect(carrierOutages.get(orderId)).toBe(97);
    expect(await shipmentsOf(orderId)).toHaveLength(0);

    // The carrier is back and the saga step is retried: the label is created then.
    carrierOutages.delete(orderId);
    await h.publish('OrderConfirmed', orderConfirmed(orderId));
    await h.waitForPublished('DeliveryScheduled', orderId);
    expect(await shipmentsOf(orderId)).toHaveLength(1);
  });

  it('dead-letters an OrderConfirmed that cannot be applied and changes nothing', async () => {
    const orderId = randomUUID();
    const poison = await h.publish('OrderConfirmed', orderConfirmed('ord-42', { items: [] }), {
      correlationId: orderId,
    });
    const dead = await h.deadLetters.waitFor(
      (message) =>
        message.topic === dlqTopicOf(topicOf('OrderConfirmed')) &&
        message.headers['event-id'] === poison.eventId,
      {
        timeoutMs: 30_000,
        description: 'the poison OrderConfirmed in the dead-letter topic',
      },
    );
    expect(dead.headers['dlq-error-code']).toBe('INVALID_EVENT');
    expect(dead.headers['dlq-attempts']).toBe('1');
    expect(await h.prisma.shipment.count({ where: { orderId } })).toBe(0);
    expect(await h.published('DeliveryScheduled', orderId)).toHaveLength(0);
    expect(await h.published('DeliverySchedulingFailed', orderId)).toHaveLength(0);
  });

  it('fails the delivery step of a dead-lettered OrderConfirmed that names its order, once', async () => {
    const orderId = randomUUID();
    const poison = await h.publish('OrderConfirmed', orderConfirmed(orderId, { items: [] }), {
      correlationId: orderId,
    });
    await h.deadLetters.waitFor((message) => message.headers['event-id'] === poison.eventId, {
      timeoutMs: 30_000,
      description: 'the poison OrderConfirmed in the dead-letter topic',
    });
    const failed = await waitFor(
      async () => {
        const found = await h.published('DeliverySchedulingFailed', orderId);
        return found.length > 0 && found;
      },
      { description: 'the delivery step failure of the dead-lettered order' },
    );
    expect(failed).toHaveLength(1);
    expect(JSON.stringify(failed[0])).toContain('PROCESSING_FAILED');
    expect(await h.prisma.shipment.count({ where: { orderId } })).toBe(0);
  });
});

describe('CANCEL_SHIPMENT compensation', () => {
  it('cancels a shipment that was not dispatched once, however often it is asked', async () => {
    const orderId = randomUUID();
    await h.publish('OrderConfirmed', orderConfirmed(orderId));
    const [scheduled] = await h.waitForPublished('DeliveryScheduled', orderId);

    const request = await h.publish('CompensationRequested', cancelShipmentRequest(orderId));
    const [cancelled] = await h.waitForPublished('ShipmentCancelled', orderId);
    expect(cancelled).toMatchObject({
      orderId,
      shipmentId: scheduled!.shipmentId,
      trackingId: scheduled!.trackingId,
      carrier: 'SIMULATED',
      reason: 'COMPENSATION',
      outcome: 'CANCELLED',
      causationId: request.eventId,
    });

    // Redelivered, and asked again by a later attempt: the shipment is already cancelled.
    await h.publish('CompensationRequested', cancelShipmentRequest(orderId), { eventId: request.eventId });
    const again = await h.publish('CompensationRequested', cancelShipmentRequest(orderId, 2));
    await h.waitUntilConsumed();
    expect(await h.published('ShipmentCancelled', orderId)).toHaveLength(1);
    // One CompensationOutcome per request (the redelivery was the same request). Consumed is not yet
    // published: the outcome of the last request may still be on its way from the outbox.
    const outcomes = await h.waitForPublished('CompensationOutcome', orderId, 2);
    expect(outcomes.map((o) => [o.requestEventId, o.outcome, o.action, o.attempt])).toEqual([
      [request.eventId, 'DONE', 'CANCEL_SHIPMENT', 1],
      [again.eventId, 'ALREADY_DONE', 'CANCEL_SHIPMENT', 2],
    ]);
    const [shipment] = await shipmentsOf(orderId);
    expect(shipment).toMatchObject({ status: 'CANCELLED', cancelReason: 'COMPENSATION' });
    expect(shipment!.trackingEvents.map((event) => event.status).sort()).toEqual([
      'CANCELLED',
      'LABEL_CREATED',
    ]);

    const label = await h.app.inject({
      url: `/api/v1/shipments/${shipment!.id}/label`,
      headers: { authorization: adminToken },
    });
    expect(label.json()).toMatchObject({ labelNumber: scheduled!.labelNumber, void: true });
  });

  it('answers with outcome REJECTED_ALREADY_DISPATCHED when the carrier already has the parcel, and changes nothing', async () => {
    const orderId = randomUUID();
    await h.publish('OrderConfirmed', orderConfirmed(orderId));
    const [scheduled] = await h.waitForPublished('DeliveryScheduled', orderId);
    await dispatch(scheduled!.shipmentId);
    await h.waitForPublished('ShipmentDispatched', orderId);

    const request = await h.publish('CompensationRequested', cancelShipmentRequest(orderId));
    const [answer] = await h.waitForPublished('ShipmentCancelled', orderId);
    expect(answer).toMatchObject({
      orderId,
      outcome: 'REJECTED_ALREADY_DISPATCHED',
      causationId: request.eventId,
      trackingId: scheduled!.trackingId,
    });
    const [outcome] = await h.waitForPublished('CompensationOutcome', orderId);
    expect(outcome).toMatchObject({
      requestEventId: request.eventId,
      causationId: request.eventId,
      outcome: 'REJECTED',
      reasonCode: 'ALREADY_DISPATCHED',
    });
    const [shipment] = await shipmentsOf(orderId);
    expect(shipment!.status).toBe('DISPATCHED');
    expect(await h.prisma.shipmentCancellation.count({ where: { orderId } })).toBe(0);
  });

  it('cancels an order whose OrderConfirmed comes after the compensation: no label is ever created', async () => {
    const orderId = randomUUID();
    const request = await h.publish('CompensationRequested', cancelShipmentRequest(orderId));
    const [cancelled] = await h.waitForPublished('ShipmentCancelled', orderId);
    expect(cancelled).toMatchObject({
      shipmentId: shipmentIdFor(orderId),
      trackingId: null,
      carrier: null,
      outcome: 'CANCELLED',
    });
    // An order delivery never heard of is not an error: nothing to undo, and never dead-lettered.
    const [outcome] = await h.waitForPublished('CompensationOutcome', orderId);
    expect(outcome).toMatchObject({
      requestEventId: request.eventId,
      outcome: 'NOT_APPLICABLE',
      reasonCode: 'SHIPMENT_NOT_FOUND',
    });

    await h.publish('OrderConfirmed', orderConfirmed(orderId));
    await h.waitUntilConsumed();
    expect(await shipmentsOf(orderId)).toHaveLength(0);
    expect(await h.published('DeliveryScheduled', orderId)).toHaveLength(0);
  });

  it('ignores compensation actions other services own', async () => {
    const orderId = randomUUID();
    await h.publish('OrderConfirmed', orderConfirmed(orderId));
    await h.waitForPublished('DeliveryScheduled', orderId);
    await h.publish('CompensationRequested', {
      ...cancelShipmentRequest(orderId),
      action: 'RELEASE_INVENTORY',
    });
    await h.waitUntilConsumed();
    expect(await h.published('ShipmentCancelled', orderId)).toHaveLength(0);
    expect(await h.published('CompensationOutcome', orderId)).toHaveLength(0);
    expect((await shipmentsOf(orderId))[0]!.status).toBe('LABEL_CREATED');
  });
});
