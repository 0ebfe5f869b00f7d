import { runtimeHarness } from '@fv/service-runtime/testing';
import { randomUUID } from 'node:crypto';
import type { EventName, EventPayload } from '@fv/contracts';
import { signToken, type Role } from '@fv/service-kit';
import type { ServiceRuntime } from '@fv/service-runtime';
import { SHIPPING_ADDRESS, ServiceHarness } from '@fv/testing';
import type { NotificationsConfig } from '../src/config.js';
import type { PrismaClient } from '../src/generated/prisma/client.js';
import { createNotificationsService, type NotificationsServiceOptions } from '../src/service.js';

export const JWT_SECRET = 'notifications-test-secret-0123456789';

export function bearer(sub: string, roles: Role[]): string {
  return `Bearer ${signToken(JWT_SECRET, { sub, roles, expiresIn: 600 })}`;
}

export const serviceToken = bearer('orders', ['service']);
export const adminToken = bearer('operator-1', ['admin']);

export const CONSUMED: EventName[] = [
  'OrderCreated',
  'OrderConfirmed',
  'DeliveryScheduled',
  'ShipmentDispatched',
  'ShipmentDelivered',
  'OrderCancelled',
  'OrderFailed',
  'PaymentFailed',
  'OrderRefunded',
  'CompensationRequested',
  'StepRetryRequested',
];
export const PRODUCED: EventName[] = ['NotificationSent', 'NotificationFailed', 'CompensationOutcome'];

/**
 * One notifications service on the local stack (own database, own consumer group), a producer that
 * publishes what other services would, and collectors of what notifications publishes and dead-letters.
 */
export class NotificationsHarness extends ServiceHarness<ServiceRuntime<PrismaClient, NotificationsConfig>> {
  protected readonly eventSource = 'notifications-test';
  protected readonly consumedEvents = CONSUMED;

  start(options: NotificationsServiceOptions = {}, env: Record<string, string> = {}): Promise<this> {
    return this.startService({
      service: 'notifications',
      produced: PRODUCED,
      ...runtimeHarness(createNotificationsService(options)),
      env: {
        JWT_SECRET,
        NOTIFICATION_RETRY_BASE_MS: '50',
        NOTIFICATION_RETRY_MAX_MS: '200',
        NOTIFICATION_MAX_ATTEMPTS: '3',
        ...env,
      },
    });
  }
}

export function orderCreated(
  orderId: string,
  customerId: string,
  overrides: Partial<EventPayload<'OrderCreated'>> = {},
): EventPayload<'OrderCreated'> {
  return {
    orderId,
    customerId,
    customerEmail: 'ada@example.com',
    items: [{ productId: 'prod-lamp', sku: 'LAMP-1', quantity: 2, unitPrice: '49.99', warehouseId: null }],
    totalAmount: '99.98',
    currency: 'USD',
    paymentMethod: 'CREDIT_CARD',
    shippingAddress: { ...SHIPPING_ADDRESS },
    shippingMethod: 'STANDARD',
    options: null,
    metadata: {},
    ...overrides,
  };
}

export function orderConfirmed(
  orderId: string,
  customerId: string,
  overrides: Partial<EventPayload<'OrderConfirmed'>> = {},
): EventPayload<'OrderConfirmed'> {
  return {
    orderId,
    customerId,
    customerEmail: 'ada@example.com',
    items: [{ productId: 'prod-lamp', sku: 'LAMP-1', quantity: 2, unitPrice: '49.99', warehouseId: null }],
    totalAmount: '99.98',
    currency: 'USD',
    reservationId: randomUUID(),
    paymentId: randomUUID(),
    shippingAddress: { ...SHIPPING_ADDRESS },
    shippingMethod: 'STANDARD',
    ...overrides,
  };
}

export function notifyCustomerRequest(
  orderId: string,
  attempt = 1,
  reason = 'PAYMENT_FAILED',
): EventPayload<'CompensationRequested'> {
  return {
    sagaId: randomUUID(),
    workflowId: randomUUID(),
    orderId,
    action: 'NOTIFY_CUSTOMER',
    attempt,
    reason,
    parameters: {},
  };
}
