import { randomUUID } from 'node:crypto';
import { signToken } from '@fv/service-kit';
import { createServiceRuntime } from '@fv/service-runtime';
import { consumeSample, setupSample, withFields, type EventSample } from '@fv/testing';
import {
  contractRuntimeForFile,
  describeConsumedEventsContract,
  type RelatedSamples,
} from '@fv/testing/contract-suite';
import { expect } from 'vitest';
import { inventoryService } from '../src/service.js';

/**
 * Contract between inventory's event handlers and the schemas of the events they consume: every
 * event a schema admits — random values, each optional field null, each collection empty, each enum
 * symbol — is handled, or refused for the dead-letter topic by design (and the dead-letter hook then
 * runs cleanly), in a real transaction on inventory's database. Each event is tried about orders
 * inventory does not know and about orders it holds stock for. A handler that relies on something
 * the schema does not promise fails here, naming the handler, the event and the schema file.
 */
const secret = 'inventory-contract-secret-0123456789';
const admin = `Bearer ${signToken(secret, { sub: 'operator-1', roles: ['admin'], expiresIn: 600 })}`;
const WAREHOUSE = 'wh-contract';

const contract = contractRuntimeForFile({
  service: 'inventory',
  create: (env) => createServiceRuntime(inventoryService, { env }),
  consumers: (created) => inventoryService.consumers!(created.context),
  env: { JWT_SECRET: secret },
});

/** A new product with units at the contract warehouse. */
async function stockedProduct(onHand = 100): Promise<string> {
  const productId = randomUUID();
  const response = await contract.runtime.app.inject({
    method: 'PUT',
    url: `/api/v1/inventory/${productId}/locations/${WAREHOUSE}`,
    headers: { authorization: admin },
    payload: { onHand, lowStockThreshold: 5 },
  });
  expect(response.statusCode, response.body).toBeLessThan(300);
  return productId;
}

/** A sample about a new order whose lines are products inventory stocks (quantities as drawn). */
async function orderOfStockedProducts(sample: EventSample<'OrderCreated'>, orderId = randomUUID()) {
  const products = await Promise.all(sample.event.items.map(() => stockedProduct()));
  return withFields(sample, (event) => {
    event.orderId = orderId;
    event.correlationId = orderId;
    event.items.forEach((item, i) => {
      item.productId = products[i]!;
      if (item.warehouseId !== null) item.warehouseId = WAREHOUSE;
    });
  });
}

/** An order inventory holds a reservation for, placed through its own OrderCreated handler. */
async function reservedOrder(): Promise<{ orderId: string; reservationId: string }> {
  const sample = withFields(await orderOfStockedProducts(setupSample('OrderCreated')), (event) => {
    event.items = [{ ...event.items[0]!, quantity: 2 }];
  });
  expect(await consumeSample(contract.consumers.get('OrderCreated')!, sample)).toMatchObject({
    result: 'handled',
  });
  const reservation = await contract.runtime.context.prisma.reservation.findUniqueOrThrow({
    where: { orderId: sample.event.orderId },
  });
  return { orderId: sample.event.orderId, reservationId: reservation.id };
}

/** Per consumed event: samples about rows inventory has (ids a handler must find). */
const related: RelatedSamples = {
  OrderCreated: (sample) => orderOfStockedProducts(sample),
  OrderConfirmed: async (sample, index) => {
    const { orderId, reservationId } = await reservedOrder();
    return withFields(sample, (event) => {
      event.orderId = orderId;
      // Every other sample leaves the reservation to be found by its order.
      event.reservationId = index % 2 === 0 ? reservationId : '';
    });
  },
  OrderCompleted: async (sample, index) => {
    const { orderId, reservationId } = await reservedOrder();
    return withFields(sample, (event) => {
      event.orderId = orderId;
      event.reservationId = index % 2 === 0 ? `res-${reservationId}` : reservationId;
    });
  },
  CompensationRequested: async (sample, index) => {
    const { orderId, reservationId } = await reservedOrder();
    return withFields(sample, (event) => {
      event.orderId = `ord-${orderId}`;
      event.action = 'RELEASE_INVENTORY';
      if (index % 2 === 0) event.parameters = { ...event.parameters, reservationId };
    });
  },
  StepRetryRequested: async (sample) => {
    const lines = await Promise.all(
      [1, 2].map(async (quantity) => ({
        productId: await stockedProduct(),
        quantity,
        warehouseId: quantity === 1 ? WAREHOUSE : null,
      })),
    );
    return withFields(sample, (event) => {
      event.orderId = randomUUID();
      event.stepName = 'INVENTORY_RESERVATION';
      event.parameters = { ...event.parameters, items: JSON.stringify(lines) };
    });
  },
  LowStockAlert: async (sample) => {
    const productId = await stockedProduct(3);
    return withFields(sample, (event) => {
      event.productId = productId;
      event.warehouseId = WAREHOUSE;
    });
  },
  ReturnReceived: async (sample) => {
    const products = await Promise.all(sample.event.items.map(() => stockedProduct()));
    return withFields(sample, (event) => {
      event.returnId = `ret-${randomUUID()}`;
      event.warehouseId = WAREHOUSE;
      event.items.forEach((item, i) => {
        item.productId = products[i]!;
        item.quantity = 1;
      });
    });
  },
};

describeConsumedEventsContract({
  service: 'inventory',
  consumers: () => contract.consumers,
  related,
  unknown: 'orders it does not know',
  known: 'orders it holds stock for',
});
