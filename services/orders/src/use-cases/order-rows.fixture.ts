// Orders and payments as the store reads them, for the unit tests of what is derived from them: a
// pending order of two lines (1349.97 USD, no payment yet) unless `changes` say otherwise.
import { SHIPPING_ADDRESS } from '@fv/testing';
import { Prisma } from '../generated/prisma/client.js';
import type { OrderRow, PaymentRow } from '../db/orders-store.js';

export const created = new Date('2026-04-01T10:00:00Z');
export const later = new Date('2026-04-01T10:05:00Z');
const address = { ...SHIPPING_ADDRESS, phone: null };

export function orderRow(changes: Partial<OrderRow> = {}): OrderRow {
  return {
    id: 'o-1',
    customerId: 'c-1',
    customerEmail: 'ada@example.com',
    status: 'PENDING',
    currency: 'USD',
    totalAmount: new Prisma.Decimal('1349.97'),
    paymentMethodType: 'CREDIT_CARD',
    paymentToken: 'tok_secret',
    paymentParts: null,
    couponCode: null,
    discountAmount: null,
    shippingAddress: address,
    shippingMethod: 'STANDARD',
    options: null,
    metadata: { channel: 'web' },
    reservationId: null,
    shipmentId: null,
    trackingId: null,
    carrier: null,
    failureCode: null,
    failureMessage: null,
    failureReason: null,
    cancellationReason: null,
    cancelledBy: null,
    cancelledAt: null,
    completedAt: null,
    createdAt: created,
    updatedAt: later,
    items: [
      {
        id: 'i-1',
        orderId: 'o-1',
        lineNumber: 1,
        productId: 'lamp',
        sku: 'LAMP-1',
        productName: 'Lamp',
        quantity: 2,
        unitPrice: new Prisma.Decimal('599.99'),
        lineTotal: new Prisma.Decimal('1199.98'),
        warehouseId: 'w-1',
      },
      {
        id: 'i-2',
        orderId: 'o-1',
        lineNumber: 2,
        productId: 'shade',
        sku: null,
        productName: null,
        quantity: 1,
        unitPrice: new Prisma.Decimal('149.99'),
        lineTotal: new Prisma.Decimal('149.99'),
        warehouseId: null,
      },
    ],
    payment: null,
    refunds: [],
    history: [],
    ...changes,
  };
}

export function paymentRow(changes: Partial<PaymentRow> = {}): PaymentRow {
  return {
    id: 'p-1',
    orderId: 'o-1',
    provider: 'simulated',
    providerReference: 'auth_1',
    status: 'CAPTURED',
    amount: new Prisma.Decimal('1349.97'),
    refundedAmount: new Prisma.Decimal('0'),
    currency: 'USD',
    attempts: 1,
    failureCode: null,
    failureMessage: null,
    authorizedAt: created,
    capturedAt: later,
    voidedAt: null,
    parts: null,
    createdAt: created,
    updatedAt: later,
    ...changes,
  };
}
