import { NonRetriableError, type EventHandler } from '@fv/messaging';
import { normalizeCustomerId } from '@fv/service-kit';
import { recordOrderContact } from '../db/contacts.js';

/** OrderCreated: remembers who the order belongs to and how to reach them (later events may not say). */
export function onOrderCreated(): EventHandler<'OrderCreated'> {
  return async (event, { tx }) => {
    for (const [field, value] of [
      ['orderId', event.orderId],
      ['customerId', event.customerId],
    ] as const) {
      if (value.trim() === '' || value.length > 100) {
        throw new NonRetriableError(`OrderCreated ${field} must have 1 to 100 characters`, 'INVALID_EVENT');
      }
    }
    await recordOrderContact(tx, {
      orderId: event.orderId,
      customerId: normalizeCustomerId(event.customerId),
      email: event.customerEmail,
      phone: event.shippingAddress.phone,
      name: event.shippingAddress.name,
    });
  };
}
