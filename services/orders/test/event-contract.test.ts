import { randomUUID } from 'node:crypto';
import { startProvider, type TestProvider } from '@fv/payment-provider/testing';
import { signToken } from '@fv/service-kit';
import { createServiceRuntime } from '@fv/service-runtime';
import { consumeSample, setupSample, withFields, type EventSample } from '@fv/testing';
import {
  contractRuntimeForFile,
  describeConsumedEventsContract,
  type RelateSample,
  type RelatedSamples,
} from '@fv/testing/contract-suite';
import { afterAll, beforeAll, expect } from 'vitest';
import { createOrdersService } from '../src/service.js';
import { address } from './fixtures.js';

/**
 * Contract between the orders service's event handlers and the schemas of the events they consume:
 * every event a schema admits — random values, each optional field null, each collection empty, each
 * enum symbol — is handled, or refused for the dead-letter topic by design (and the dead-letter hook
 * then runs cleanly), in a real transaction on the orders database. Each event is tried about orders
 * and products the service does not know and about ones it has; about the latter, an event that only
 * leaves optional fields null must be applied. A handler that relies on something the schema does not
 * promise fails here, naming the handler, the event and the schema file.
 */
const secret = 'orders-contract-secret-0123456789';
const service = createOrdersService();

let provider: TestProvider;

beforeAll(async () => {
  provider = await startProvider('orders-contract');
});
afterAll(async () => {
  await provider?.close();
});
const contract = contractRuntimeForFile({
  service: 'orders',
  create: (env) => createServiceRuntime(service, { env }),
  consumers: (created) => service.consumers!(created.context),
  // The provider is started by the beforeAll above, before this one creates the runtime.
  env: () => ({
    JWT_SECRET: secret,
    PAYMENT_PROVIDER_URL: provider.url,
    PAYMENT_TIMEOUT_MS: '2000',
    PAYMENT_RETRY_DELAYS_MS: '20,40',
  }),
});

async function handled(sample: EventSample) {
  expect(await consumeSample(contract.consumers.get(sample.name)!, sample), sample.name).toMatchObject({
    result: 'handled',
  });
}

/** A product on the price list, put there by the orders service's own ProductCreated handler. */
async function listedProduct(): Promise<string> {
  const productId = randomUUID();
  await handled(
    setupSample('ProductCreated', (event) => {
      Object.assign(event, { productId, sku: `SKU-${productId.slice(0, 8)}`, price: '25.00' });
      Object.assign(event, { currency: 'USD', status: 'ACTIVE' });
    }),
  );
  return productId;
}

interface PlacedOrder {
  orderId: string;
  customerId: string;
  productId: string;
}

/** A new order of one listed product, PENDING until its stock is reserved. */
async function placedOrder(): Promise<PlacedOrder> {
  const productId = await listedProduct();
  const customerId = randomUUID();
  const response = await contract.runtime.app.inject({
    method: 'POST',
    url: '/api/v1/orders',
    headers: {
      authorization: `Bearer ${signToken(secret, { sub: customerId, roles: ['customer'], expiresIn: 600 })}`,
    },
    payload: {
      currency: 'USD',
      items: [{ productId, quantity: 2, unitPrice: '25.00', warehouseId: 'wh-001' }],
      paymentMethod: { type: 'CREDIT_CARD', token: 'tok_visa_4242' },
      shippingAddress: address,
      shippingMethod: 'STANDARD',
    },
  });
  expect(response.statusCode, response.body).toBe(202);
  return { orderId: (response.json() as { orderId: string }).orderId, customerId, productId };
}

/** InventoryReserved about `order`, holding its lines. */
function reservationOf(sample: EventSample<'InventoryReserved'>, order: PlacedOrder) {
  return withFields(sample, (event) => {
    event.orderId = order.orderId;
    event.correlationId = order.orderId;
    event.items = [{ productId: order.productId, quantity: 2, warehouseId: 'wh-001' }];
  });
}

/** An order paid for and CONFIRMED, through the service's own InventoryReserved handler. */
async function confirmedOrder(): Promise<PlacedOrder> {
  const order = await placedOrder();
  await handled(
    reservationOf(
      setupSample('InventoryReserved', (event) => {
        event.reservationId = randomUUID();
      }),
      order,
    ),
  );
  const { status } = await contract.runtime.context.prisma.order.findUniqueOrThrow({
    where: { id: order.orderId.replace(/^ord-/, '') },
  });
  expect(status).toBe('CONFIRMED');
  return order;
}

/** A product event about a product on the price list (ProductCreated: a new one). */
const aboutListedProduct =
  <N extends 'ProductCreated' | 'ProductUpdated' | 'PriceChanged' | 'ProductDeleted'>(): RelateSample<N> =>
  async (sample) => {
    const productId = sample.name === 'ProductCreated' ? randomUUID() : await listedProduct();
    return withFields(sample, (event) => {
      event.productId = productId;
      if ('currency' in event) event.currency = 'USD';
    });
  };

/** Per consumed event: samples about rows the service has (ids a handler must find). */
const related: RelatedSamples = {
  InventoryReserved: async (sample) => reservationOf(sample, await placedOrder()),
  InventoryReservationFailed: async (sample) => {
    const { orderId } = await placedOrder();
    return withFields(sample, (event) => {
      event.orderId = orderId;
    });
  },
  DeliveryScheduled: async (sample) => {
    const { orderId, customerId } = await confirmedOrder();
    return withFields(sample, (event) => {
      event.orderId = orderId;
      event.customerId = customerId;
    });
  },
  DeliverySchedulingFailed: async (sample) => {
    const { orderId } = await confirmedOrder();
    return withFields(sample, (event) => {
      event.orderId = orderId;
    });
  },
  CompensationRequested: async (sample) => {
    const { orderId } = await confirmedOrder();
    return withFields(sample, (event) => {
      event.orderId = orderId;
    });
  },
  StepRetryRequested: async (sample) => {
    const { orderId } = await placedOrder();
    return withFields(sample, (event) => {
      event.orderId = orderId;
      event.stepName = 'PAYMENT_PROCESSING';
    });
  },
  ReturnReceived: async (sample) => {
    const { orderId, customerId, productId } = await confirmedOrder();
    return withFields(sample, (event) => {
      event.orderId = orderId;
      event.customerId = customerId;
      event.returnId = randomUUID();
      event.items = event.items.map((item) => ({ ...item, productId }));
    });
  },
  ProductCreated: aboutListedProduct(),
  ProductUpdated: aboutListedProduct(),
  PriceChanged: aboutListedProduct(),
  ProductDeleted: aboutListedProduct(),
};

describeConsumedEventsContract({
  service: 'orders',
  consumers: () => contract.consumers,
  related,
  unknown: 'orders and products it does not know',
  known: 'orders and products it has',
});
