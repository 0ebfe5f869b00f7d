import { randomUUID } from 'node:crypto';
import type { EventName } from '@fv/contracts';
import { createServiceRuntime } from '@fv/service-runtime';
import {
  consumeSample,
  contractRuntime,
  eventSamples,
  expectContractKept,
  isOptionalFieldVariant,
  setupSample,
  withFields,
  type ConsumerUnderTest,
  type EventSample,
} from '@fv/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

let consumers: Map<EventName, ConsumerUnderTest>;
let close: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ consumers, close } = await contractRuntime({
    service: 'notifications',
    create: (env) => createServiceRuntime(service, { env }),
    consumers: (created) => service.consumers!(created.context),
  }));
});
afterAll(async () => {
  await close?.();
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
  expect(await consumeSample(consumers.get('OrderCreated')!, sample)).toMatchObject({ result: 'handled' });
  return order;
}

type Relate<N extends EventName> = (sample: EventSample<N>, index: number) => Promise<EventSample<N>>;

/** The sample about a known order (and its customer, where the event names one). */
const aboutKnownOrder =
  <N extends EventName>(change: (event: Record<string, unknown>) => void = () => undefined): Relate<N> =>
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
const related: { [N in EventName]?: Relate<N> } = {
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

describe('contract: notifications and the schemas of the events it consumes', () => {
  it('has a contract test for each event it consumes', () => {
    expect([...consumers.keys()].sort()).toEqual(Object.keys(related).sort());
  });

  for (const name of Object.keys(related) as EventName[]) {
    it(`handles or refuses by design any ${name} its schema admits, about orders it does not know`, async () => {
      await expectContractKept(consumers.get(name)!, eventSamples(name));
    });

    it(`handles or refuses by design any ${name} its schema admits, about orders it knows`, async () => {
      const relate = related[name] as Relate<EventName>;
      const samples: EventSample[] = [];
      for (const [index, sample] of eventSamples(name, { seed: 11 }).entries())
        samples.push(await relate(sample, index));
      const outcomes = await expectContractKept(consumers.get(name)!, samples, {
        mustBeHandled: isOptionalFieldVariant,
      });
      expect(outcomes.filter((outcome) => outcome.result === 'handled').length).toBeGreaterThan(0);
    });
  }
});
