import { randomUUID } from 'node:crypto';
import { topicOf, type EventName } from '@fv/contracts';
// The real order service, run in this process through its published test entry point.
import { createOrdersService, type OrdersConfig, type OrdersPrisma } from '@fv/orders/testing';
import { startProvider, type TestProvider } from '@fv/payment-provider/testing';
import { createServiceRuntime, type ServiceRuntime } from '@fv/service-runtime';
import { startGroupAtEnd, uniqueName, waitFor, type TestDatabase } from '@fv/testing';
import { publish, kafka } from './saga-support.js';
import { env, testDatabase } from '../support.js';

/** The events the order service consumes: its groups start at their end, so earlier runs' are not replayed. */
const ORDERS_CONSUMES: EventName[] = [
  'InventoryReserved',
  'InventoryReservationFailed',
  'DeliveryScheduled',
  'DeliverySchedulingFailed',
  'CompensationRequested',
  'ProductCreated',
  'ProductUpdated',
  'PriceChanged',
  'ProductDeleted',
];

/** The order service on the test stack, listening over HTTP, with the payment provider simulator it calls. */
export interface OrdersUnderTest {
  runtime: ServiceRuntime<OrdersPrisma, OrdersConfig>;
  /** Where its HTTP API listens (the coordination service's ORDERS_URL). */
  url: string;
  provider: TestProvider;
  /** Lists a product at `price` USD as the catalog would, and waits until the order service prices it. */
  listProduct(price: string): Promise<string>;
  close(): Promise<void>;
}

/** Starts the order service with a database and a payment provider of its own; `env` overrides its settings. */
export async function startOrders(
  name: string,
  overrides: Record<string, string> = {},
): Promise<OrdersUnderTest> {
  const database: TestDatabase = await testDatabase(`${name}-orders`);
  const provider = await startProvider(name);
  const serviceName = uniqueName('orders');
  await Promise.all(
    [serviceName, `${serviceName}-price-list`].map((group) =>
      startGroupAtEnd(
        kafka,
        group,
        ORDERS_CONSUMES.map((event) => topicOf(event)),
      ),
    ),
  );
  const runtime = await createServiceRuntime(createOrdersService(), {
    env: {
      ...env(database),
      SERVICE_NAME: serviceName,
      LIVE_CONFIG: 'false',
      PAYMENT_PROVIDER_URL: provider.url,
      ...overrides,
    },
  });
  await runtime.start();
  await waitFor(() => runtime.consumers.every((consumer) => consumer.joined), {
    timeoutMs: 60_000,
    description: 'orders consumers',
  });
  const url = await runtime.app.listen({ port: 0, host: '127.0.0.1' });
  return {
    runtime,
    url,
    provider,
    async listProduct(price) {
      const productId = randomUUID();
      await publish('ProductCreated', {
        eventId: randomUUID(),
        occurredAt: Date.now(),
        correlationId: productId,
        causationId: null,
        producer: 'product-catalog',
        productId,
        sku: `SKU-${productId.slice(0, 8)}`,
        name: 'Walnut desk',
        description: null,
        categoryId: null,
        price,
        currency: 'USD',
        status: 'ACTIVE',
        attributes: {},
      });
      await waitFor(
        async () => (await runtime.context.prisma.productPrice.count({ where: { productId } })) === 1,
        { description: 'the order service to price the product' },
      );
      return productId;
    },
    async close() {
      await runtime.stop().catch(() => undefined);
      await provider.close();
      await database.dispose();
    },
  };
}
