import { runtimeHarness } from '@fv/service-runtime/testing';
import { randomUUID } from 'node:crypto';
import { eventNamesOfDomain, type EventName, type EventPayload } from '@fv/contracts';
import { signToken, type Role } from '@fv/service-kit';
import type { ServiceRuntime } from '@fv/service-runtime';
import { SHIPPING_ADDRESS, ServiceHarness } from '@fv/testing';
import type { DeliveryConfig } from '../src/config.js';
import type { PrismaClient } from '../src/generated/prisma/client.js';
import { createDeliveryService, type DeliveryServiceOptions } from '../src/service.js';

export const JWT_SECRET = 'delivery-test-secret-0123456789';
export const WEBHOOK_SECRET = 'carrier-webhook-secret-0123456789';

export function bearer(sub: string, roles: Role[]): string {
  return `Bearer ${signToken(JWT_SECRET, { sub, roles, expiresIn: 600 })}`;
}

export const serviceToken = bearer('orders', ['service']);
export const adminToken = bearer('operator-1', ['admin']);

export const CONSUMED: EventName[] = ['OrderConfirmed', 'CompensationRequested', 'StepRetryRequested'];
/** The delivery domain's events, and the outcomes of the compensations delivery is asked for. */
export const PRODUCED: EventName[] = [...eventNamesOfDomain('delivery'), 'CompensationOutcome'];

/**
 * One delivery service on the local stack (own database, own consumer group), a producer that
 * publishes what other services would, and collectors of what delivery publishes and dead-letters.
 */
export class DeliveryHarness extends ServiceHarness<ServiceRuntime<PrismaClient, DeliveryConfig>> {
  protected readonly eventSource = 'delivery-test';
  protected readonly consumedEvents = CONSUMED;

  start(options: DeliveryServiceOptions = {}, env: Record<string, string> = {}): Promise<this> {
    return this.startService({
      service: 'delivery',
      produced: PRODUCED,
      ...runtimeHarness(createDeliveryService(options)),
      env: {
        JWT_SECRET,
        CARRIER_WEBHOOK_SECRET: WEBHOOK_SECRET,
        CARRIER_SUPPORTED_COUNTRIES: 'US,CA,GB,DE',
        PUBLIC_BASE_URL: 'http://delivery.test',
        ...env,
      },
    });
  }
}

export function orderConfirmed(
  orderId: string,
  overrides: Partial<EventPayload<'OrderConfirmed'>> = {},
): EventPayload<'OrderConfirmed'> {
  return {
    orderId,
    customerId: randomUUID(),
    customerEmail: 'ada@example.com',
    items: [
      { productId: 'prod-lamp', sku: 'LAMP-1', quantity: 2, unitPrice: '49.99', warehouseId: 'wh-001' },
      { productId: 'prod-desk', sku: 'DESK-1', quantity: 1, unitPrice: '299.00', warehouseId: 'wh-001' },
    ],
    totalAmount: '398.98',
    currency: 'USD',
    reservationId: randomUUID(),
    paymentId: randomUUID(),
    shippingAddress: { ...SHIPPING_ADDRESS },
    shippingMethod: 'STANDARD',
    ...overrides,
  };
}

export function cancelShipmentRequest(orderId: string, attempt = 1): EventPayload<'CompensationRequested'> {
  return {
    sagaId: randomUUID(),
    workflowId: randomUUID(),
    orderId,
    action: 'CANCEL_SHIPMENT',
    attempt,
    reason: 'PAYMENT_FAILED',
    parameters: {},
  };
}
