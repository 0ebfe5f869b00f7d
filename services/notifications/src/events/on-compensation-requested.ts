import type { EventHandler } from '@fv/messaging';
import { asDb } from '../db/client.js';
import { variablesOf } from '../domain/notification-types.js';
import type { NotificationsDeps } from '../use-cases/deps.js';
import { notifyCustomer } from '../use-cases/notify-customer.js';
import { cancellationKey, common } from './handler-context.js';

/** CompensationRequested NOTIFY_CUSTOMER → the cancellation notice, answered with NotificationSent/NotificationFailed; other actions belong to other services. */
export function onCompensationRequested(deps: NotificationsDeps): EventHandler<'CompensationRequested'> {
  return async (event, context) => {
    if (event.action !== 'NOTIFY_CUSTOMER') return;
    await notifyCustomer(asDb(context.tx), deps, {
      ...common(context, 'CompensationRequested'),
      type: 'order-cancellation-notice',
      dedupeKey: cancellationKey(event.orderId),
      orderId: event.orderId,
      customerId: event.parameters.customerId ?? null,
      email: event.parameters.customerEmail ?? null,
      phone: null,
      name: null,
      variables: variablesOf.CompensationRequested(event),
      answerAgain: true,
    });
  };
}
