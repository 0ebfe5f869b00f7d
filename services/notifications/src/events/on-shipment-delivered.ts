import type { EventHandler } from '@fv/messaging';
import { variablesOf } from '../domain/notification-types.js';
import type { NotificationsDeps } from '../use-cases/deps.js';
import { notifyCustomer } from '../use-cases/notify-customer.js';
import { common } from './handler-context.js';

/** ShipmentDelivered → the delivery confirmation (the customer comes from the order projection). */
export function onShipmentDelivered(deps: NotificationsDeps): EventHandler<'ShipmentDelivered'> {
  return async (event, context) => {
    await notifyCustomer(context.tx, deps, {
      ...common(context, 'ShipmentDelivered'),
      type: 'shipment-delivered',
      dedupeKey: event.eventId,
      orderId: event.orderId,
      customerId: null,
      email: null,
      phone: null,
      name: null,
      variables: variablesOf.ShipmentDelivered(event),
    });
  };
}
