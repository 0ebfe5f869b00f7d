import type { StepRetryRequested } from '@fv/contracts';
import type { Db } from '../db/client.js';
import type { NotificationsDeps } from './deps.js';
import { notifyCustomer, type NotificationRequest } from './notify-customer.js';

function parsed(raw: string | undefined): unknown {
  try {
    return raw === undefined ? undefined : JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/** The key of the confirmation a retried CUSTOMER_NOTIFICATION step sends: one message per attempt. */
export function resendKey(orderId: string, attempt: number): string {
  return `order-confirmed:${orderId}:attempt-${attempt}`;
}

/**
 * The coordination service asks to perform CUSTOMER_NOTIFICATION again (the order confirmation failed
 * for good). The confirmation is rendered and sent afresh, with the facts StepRetryRequested carries,
 * as a new message per attempt: the dispatcher answers it with NotificationSent or NotificationFailed
 * (template `order-confirmed`), which the saga reads as the step's outcome. The same attempt delivered
 * twice sends nothing twice; the customer's preferences apply as for the first message.
 */
export async function resendConfirmation(
  db: Db,
  deps: NotificationsDeps,
  event: StepRetryRequested,
  context: Pick<NotificationRequest, 'meta' | 'logger' | 'sourceEvent'>,
) {
  const { parameters } = event;
  const address = (parsed(parameters.shippingAddress) ?? {}) as Record<string, unknown>;
  const items = parsed(parameters.items);
  const itemCount = Array.isArray(items)
    ? items.reduce((sum: number, item: { quantity?: unknown }) => sum + Number(item.quantity ?? 0), 0)
    : null;
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : null);
  const variables = Object.fromEntries(
    Object.entries({
      orderId: event.orderId,
      customerName: text(address.name),
      totalAmount: text(parameters.totalAmount),
      currency: text(parameters.currency),
      itemCount: itemCount === null ? null : String(itemCount),
      shippingMethod: text(parameters.shippingMethod),
    }).filter((entry): entry is [string, string] => entry[1] !== null),
  );
  return notifyCustomer(db, deps, {
    ...context,
    type: 'order-confirmed',
    dedupeKey: resendKey(event.orderId, event.attempt),
    orderId: event.orderId,
    customerId: text(parameters.customerId),
    email: text(parameters.customerEmail),
    phone: text(address.phone),
    name: text(address.name),
    variables,
  });
}
