import type { EventHandler } from '@fv/messaging';
import { variablesOf } from '../domain/notification-types.js';
import type { NotificationsDeps } from '../use-cases/deps.js';
import { notifyCustomer } from '../use-cases/notify-customer.js';
import { common } from './handler-context.js';

/** PaymentFailed → the payment failure notice. */
export function onPaymentFailed(deps: NotificationsDeps): EventHandler<'PaymentFailed'> {
  return async (event, context) => {
    await notifyCustomer(context.tx, deps, {
      ...common(context, 'PaymentFailed'),
      type: 'payment-failed',
      dedupeKey: event.eventId,
      orderId: event.orderId,
      customerId: event.customerId,
      email: null,
      phone: null,
      name: null,
      variables: variablesOf.PaymentFailed(event),
    });
  };
}
