import type { EventHandler } from '@fv/messaging';
import { variablesOf } from '../domain/notification-types.js';
import type { NotificationsDeps } from '../use-cases/deps.js';
import { notifyCustomer } from '../use-cases/notify-customer.js';
import { common } from './handler-context.js';

/** DeliveryScheduled → the shipping notice with the tracking number. */
export function onDeliveryScheduled(deps: NotificationsDeps): EventHandler<'DeliveryScheduled'> {
  return async (event, context) => {
    await notifyCustomer(context.tx, deps, {
      ...common(context, 'DeliveryScheduled'),
      type: 'delivery-scheduled',
      dedupeKey: event.eventId,
      orderId: event.orderId,
      customerId: event.customerId,
      email: null,
      phone: event.shippingAddress.phone,
      name: event.shippingAddress.name,
      variables: variablesOf.DeliveryScheduled(event),
    });
  };
}
