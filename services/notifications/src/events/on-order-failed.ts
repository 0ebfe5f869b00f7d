import type { EventHandler } from '@fv/messaging';
import { variablesOf } from '../domain/notification-types.js';
import type { NotificationsDeps } from '../use-cases/deps.js';
import { notifyCustomer } from '../use-cases/notify-customer.js';
import { cancellationKey, common } from './handler-context.js';

/** OrderFailed → the failed-order notice, once per order (shared with NOTIFY_CUSTOMER). */
export function onOrderFailed(deps: NotificationsDeps): EventHandler<'OrderFailed'> {
  return async (event, context) => {
    await notifyCustomer(context.tx, deps, {
      ...common(context, 'OrderFailed'),
      type: 'order-failed',
      dedupeKey: cancellationKey(event.orderId),
      orderId: event.orderId,
      customerId: event.customerId,
      email: event.customerEmail,
      phone: null,
      name: null,
      variables: variablesOf.OrderFailed(event),
    });
  };
}
