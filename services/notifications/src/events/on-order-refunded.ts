import type { EventHandler } from '@fv/messaging';
import { variablesOf } from '../domain/notification-types.js';
import type { NotificationsDeps } from '../use-cases/deps.js';
import { notifyCustomer } from '../use-cases/notify-customer.js';
import { common } from './handler-context.js';

/** OrderRefunded → the refund notice; the refund of a received return → return-refunded, referencing the return. */
export function onOrderRefunded(deps: NotificationsDeps): EventHandler<'OrderRefunded'> {
  return async (event, context) => {
    await notifyCustomer(context.tx, deps, {
      ...common(context, 'OrderRefunded'),
      type: event.returnId ? 'return-refunded' : 'order-refunded',
      reference: event.returnId,
      dedupeKey: event.eventId,
      orderId: event.orderId,
      customerId: event.customerId,
      email: event.customerEmail,
      phone: null,
      name: null,
      variables: variablesOf.OrderRefunded(event),
    });
  };
}
