import { randomUUID } from 'node:crypto';
import { createServiceRuntime } from '@fv/service-runtime';
import { consumeSample, setupSample, withFields, type EventSample } from '@fv/testing';
import {
  contractRuntimeForFile,
  describeConsumedEventsContract,
  type RelatedSamples,
} from '@fv/testing/contract-suite';
import { expect } from 'vitest';
import { createDeliveryService } from '../src/service.js';

/**
 * Contract between delivery's event handlers and the schemas of the events they consume: every event
 * a schema admits — random values, each optional field null, each collection empty, each enum symbol —
 * is handled, or refused for the dead-letter topic by design (and the dead-letter hook then runs
 * cleanly), in a real transaction on delivery's database. Each event is tried about orders delivery
 * does not know and about orders it ships; about the latter, an event that only leaves optional fields
 * null must be applied. A handler that relies on something the schema does not promise fails here,
 * naming the handler, the event and the schema file.
 */
const service = createDeliveryService();

const contract = contractRuntimeForFile({
  service: 'delivery',
  create: (env) => createServiceRuntime(service, { env }),
  consumers: (created) => service.consumers!(created.context),
  env: {
    CARRIER_SUPPORTED_COUNTRIES: 'US,CA,GB,DE',
    PUBLIC_BASE_URL: 'http://delivery.test',
  },
});

/** OrderConfirmed about a new order, to an address the carrier serves (by a service level as drawn, or STANDARD). */
function confirmedOrder(sample: EventSample<'OrderConfirmed'>, standard = true) {
  const orderId = randomUUID();
  return withFields(sample, (event) => {
    event.orderId = orderId;
    event.correlationId = orderId;
    Object.assign(event.shippingAddress, { country: 'US', zipCode: '10001' });
    if (standard) event.shippingMethod = 'STANDARD';
  });
}

/** An order with a shipment and its label, through delivery's own OrderConfirmed handler. */
async function shippedOrder(): Promise<string> {
  const sample = confirmedOrder(setupSample('OrderConfirmed'));
  expect(await consumeSample(contract.consumers.get('OrderConfirmed')!, sample)).toMatchObject({
    result: 'handled',
  });
  await contract.runtime.context.prisma.shipment.findFirstOrThrow({
    where: { orderId: sample.event.orderId },
  });
  return sample.event.orderId;
}

/** Per consumed event: samples about rows delivery has, or orders it is asked to ship. */
const related: RelatedSamples = {
  OrderConfirmed: async (sample, index) => confirmedOrder(sample, index % 4 !== 3),
  CompensationRequested: async (sample) => {
    const orderId = await shippedOrder();
    return withFields(sample, (event) => {
      event.orderId = orderId;
      event.action = 'CANCEL_SHIPMENT';
    });
  },
  StepRetryRequested: async (sample, index) => {
    const order = setupSample('OrderConfirmed').event;
    return withFields(sample, (event) => {
      event.orderId = randomUUID();
      event.stepName = 'SHIPPING_LABEL_CREATION';
      event.parameters = {
        ...event.parameters,
        customerId: order.customerId,
        items: JSON.stringify(order.items),
        shippingAddress: JSON.stringify({ ...order.shippingAddress, country: 'US', zipCode: '10001' }),
        ...(index % 2 === 0 ? { shippingMethod: 'EXPRESS', customerEmail: 'customer@example.com' } : {}),
      };
    });
  },
};

describeConsumedEventsContract({
  service: 'delivery',
  consumers: () => contract.consumers,
  related,
  unknown: 'orders it does not know',
  known: 'orders it ships',
});
