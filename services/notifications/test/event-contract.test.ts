import { randomUUID } from 'node:crypto';
import type { EventName } from '@fv/contracts';
import { createServiceRuntime } from '@fv/service-runtime';
import { consumeSample, setupSample, withFields } from '@fv/testing';
import {
  contractRuntimeForFile,
  describeConsumedEventsContract,
  type RelateSample,
  type RelatedSamples,
} from '@fv/testing/contract-suite';
import { expect } from 'vitest';
import { createNotificationsService } from '../src/service.js';

/**
 * Contract between the notification service's event handlers and the schemas of the events they
 * consume: every event a schema admits — random values, each optional field null, each collection
 * empty, each enum symbol — is handled, or refused for the dead-letter topic by design, in a real
 * transaction on the service's database. Each event is tried about orders the service does not know
 * and about orders whose OrderCreated it recorded; about the latter, an event that only leaves
 * optional fields null must be applied. A handler that relies on something the schema does not
 * promise fails here, naming the handler, the event and the schema file.
 */
const service = createNotificationsService();

const contract = contractRuntimeForFile({
  service: 'notifications',
  create: (env) => createServiceRuntime(service, { env }),
  consumers: (created) => service.consumers!(created.context),
});

interface KnownOrder {
  orderId: string;
  customerId: string;
}

/** An order whose customer and contact the service recorded, through its own OrderCreated handler. */
async function knownOrder(): Promise<KnownOrder> {
  const order = { orderId: randomUUID(), customerId: randomUUID() };
  const sample = setupSample('OrderCreated', (event) => {
    Object.assign(event, order, { customerEmail: 'customer@example.com' });
  });
  expect(await consumeSample(contract.consumers.get('OrderCreated')!, sample)).toMatchObject({
    result: 'handled',
  });
  return order;
}

/** The sample about a known order (and its customer, where the event names one). */
const aboutKnownOrder =
  <N extends EventName>(
    change: (event: Record<string, unknown>) => void = () => undefined,
  ): RelateSample<N> =>
  async (sample) => {
    const order = await knownOrder();
    return withFields(sample, (event) => {
      const fields = event as unknown as Record<string, unknown>;
      fields.orderId = order.orderId;
      fields.correlationId = order.orderId;
      if ('customerId' in fields) fields.customerId = order.customerId;
      change(fields);
    });
  };

/** Per consumed event: samples about orders the service knows. */
const related: RelatedSamples = {
  OrderCreated: async (sample) =>
    withFields(sample, (event) => {
      event.orderId = randomUUID();
      event.customerId = randomUUID();
    }),
  OrderConfirmed: aboutKnownOrder(),
  DeliveryScheduled: aboutKnownOrder(),
  ShipmentDispatched: aboutKnownOrder(),
  ShipmentDelivered: aboutKnownOrder(),
  OrderCancelled: aboutKnownOrder(),
  OrderFailed: aboutKnownOrder(),
  PaymentFailed: aboutKnownOrder(),
  OrderRefunded: aboutKnownOrder(),
  CompensationRequested: aboutKnownOrder((event) => {
    event.action = 'NOTIFY_CUSTOMER';
  }),
  StepRetryRequested: aboutKnownOrder((event) => {
    event.stepName = 'CUSTOMER_NOTIFICATION';
  }),
};

describeConsumedEventsContract({
  service: 'notifications',
  consumers: () => contract.consumers,
  related,
  unknown: 'orders it does not know',
  known: 'orders it knows',
});
