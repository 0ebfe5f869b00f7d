import { randomUUID } from 'node:crypto';
import type { EventPayload } from '@fv/contracts';
import { confirmedOrderRetryParameters, stepRetryRequested } from '@fv/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CarrierRejectedError } from '../src/carrier/carrier.js';
import { SimulatedCarrier, simulatedLabelNumber } from '../src/carrier/simulated-carrier.js';
import { DeliveryHarness, orderConfirmed } from './support.js';

const h = new DeliveryHarness();
/** Orders the carrier refuses (until the test lifts the refusal). */
const refused = new Set<string>();

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
          if (refused.has(request.orderId))
            throw new CarrierRejectedError('LABEL_REJECTED', 'the carrier refused the label today');
          return simulated.createLabel(request);
        },
      };
    },
  });
});
afterAll(async () => {
  await h.stop();
});

/** A retry of the confirmed order's step, as the coordination service sends it. */
function retryOf(order: EventPayload<'OrderConfirmed'>, attempt = 2, stepName = 'SHIPPING_LABEL_CREATION') {
  return stepRetryRequested(order.orderId, stepName, {
    attempt,
    parameters: confirmedOrderRetryParameters(order),
  });
}

describe('StepRetryRequested for SHIPPING_LABEL_CREATION', () => {
  it('asks the carrier again after a recorded refusal and creates one label, however often the request is delivered', async () => {
    const orderId = randomUUID();
    const order = orderConfirmed(orderId);
    refused.add(orderId);
    await h.publish('OrderConfirmed', order);
    const [failed] = await h.waitForPublished('DeliverySchedulingFailed', orderId);
    expect(failed).toMatchObject({ errorCode: 'LABEL_REJECTED', retriable: false });

    refused.delete(orderId);
    const retry = await h.publish('StepRetryRequested', retryOf(order), { correlationId: orderId });
    const [scheduled] = await h.waitForPublished('DeliveryScheduled', orderId);
    expect(scheduled).toMatchObject({
      causationId: retry.eventId,
      customerId: order.customerId,
      labelNumber: simulatedLabelNumber(orderId),
      shippingAddress: order.shippingAddress,
    });
    expect(await h.prisma.schedulingFailure.count({ where: { orderId } })).toBe(0);

    // The same request delivered again, and another service's step behind it.
    await h.publish('StepRetryRequested', retryOf(order), { correlationId: orderId, eventId: retry.eventId });
    await h.publish('StepRetryRequested', retryOf(order, 2, 'PAYMENT_PROCESSING'), {
      correlationId: orderId,
    });
    await h.waitUntilConsumed();
    expect(await h.published('DeliveryScheduled', orderId)).toHaveLength(1);
    expect(await h.prisma.shipment.count({ where: { orderId } })).toBe(1);
  });

  it('answers DeliverySchedulingFailed again while the carrier still refuses', async () => {
    const orderId = randomUUID();
    const order = orderConfirmed(orderId);
    refused.add(orderId);
    await h.publish('OrderConfirmed', order);
    await h.waitForPublished('DeliverySchedulingFailed', orderId);
    const retry = await h.publish('StepRetryRequested', retryOf(order), { correlationId: orderId });
    const failures = await h.waitForPublished('DeliverySchedulingFailed', orderId, 2);
    expect(failures[1]).toMatchObject({ causationId: retry.eventId, errorCode: 'LABEL_REJECTED' });
    expect(await h.prisma.shipment.count({ where: { orderId } })).toBe(0);
  });
});
