import { randomUUID } from 'node:crypto';
import type { EventPayload } from '@fv/contracts';

/** The shipping address the services' tests send orders to (a carrier-served US address). */
export const SHIPPING_ADDRESS = {
  name: 'Ada Lovelace',
  street: '123 Main St',
  city: 'New York',
  state: 'NY',
  zipCode: '10001',
  country: 'US',
  phone: '+12125550100',
} as const;

export interface StepRetryOptions {
  /** The attempt asked for (2: the first retry). */
  attempt?: number;
  reason?: string;
  /** What the owner needs to redo the step (string values; `resetState` is `'false'` unless given). */
  parameters?: Record<string, string>;
}

/** StepRetryRequested as the coordination service sends it: a saga and workflow of its own, asked by operator-1. */
export function stepRetryRequested(
  orderId: string,
  stepName: string,
  { attempt = 2, reason = 'MANUAL_RETRY', parameters = {} }: StepRetryOptions = {},
): EventPayload<'StepRetryRequested'> {
  return {
    sagaId: randomUUID(),
    workflowId: randomUUID(),
    orderId,
    stepName,
    attempt,
    reason,
    requestedBy: 'operator-1',
    parameters: { resetState: 'false', ...parameters },
  };
}

/**
 * The parameters the coordination service sends with a step retry of a confirmed order: the order's
 * facts, the values that are not strings (lines, address) as JSON.
 */
export function confirmedOrderRetryParameters(order: EventPayload<'OrderConfirmed'>): Record<string, string> {
  return {
    customerId: order.customerId,
    customerEmail: order.customerEmail ?? '',
    reservationId: order.reservationId,
    paymentId: order.paymentId,
    totalAmount: order.totalAmount,
    currency: order.currency,
    shippingMethod: order.shippingMethod,
    items: JSON.stringify(
      order.items.map(({ productId, quantity, warehouseId }) => ({ productId, quantity, warehouseId })),
    ),
    shippingAddress: JSON.stringify(order.shippingAddress),
  };
}
