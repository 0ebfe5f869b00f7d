import type { EventHandler } from '@fv/messaging';
import { variablesOf } from '../domain/notification-types.js';
import type { NotificationsDeps } from '../use-cases/deps.js';
import { notifyCustomer } from '../use-cases/notify-customer.js';
import { common } from './handler-context.js';

/** OrderConfirmed → the order confirmation. */
export function onOrderConfirmed(deps: NotificationsDeps): EventHandler<'OrderConfirmed'> {
  return async (event, context) => {
    await notifyCustomer(context.tx, deps, {
      ...common(context, 'OrderConfirmed'),
      type: 'order-confirmed',
      dedupeKey: event.eventId,
      orderId: event.orderId,
      customerId: event.customerId,
      email: event.customerEmail,
      phone: event.shippingAddress.phone,
      name: event.shippingAddress.name,
      variables: variablesOf.OrderConfirmed(event),
    });
  };
}
