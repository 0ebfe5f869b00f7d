import {
  compensationOutcomeOf,
  orderFailureReasonOf,
  type CompensationAnswer,
  type CompensationRequested,
} from '@fv/contracts';
import { NonRetriableError, type EventHandler } from '@fv/messaging';
import { type Db } from '../db/client.js';
import { humanize, variablesOf } from '../domain/notification-types.js';
import type { NotificationsDeps } from '../use-cases/deps.js';
import { notifyCustomer, UnknownCustomerError } from '../use-cases/notify-customer.js';
import { cancellationKey, common } from './handler-context.js';

async function answer(
  db: Db,
  deps: NotificationsDeps,
  request: CompensationRequested,
  meta: ReturnType<Parameters<EventHandler<'CompensationRequested'>>[1]['causedBy']>,
  result: CompensationAnswer,
): Promise<void> {
  await deps.outbox.publish(db, 'CompensationOutcome', compensationOutcomeOf(request, result), {
    ...meta,
    key: request.orderId,
  });
}

/**
 * CompensationRequested NOTIFY_CUSTOMER → the cancellation notice, or the failed-order notice when the
 * saga is compensated for a failure (orderFailureReasonOf), the one OrderCancelled or OrderFailed would
 * send (answered with NotificationSent /
 * NotificationFailed as it is delivered), and exactly one CompensationOutcome per request, in the same
 * transaction: DONE (the notice is queued), ALREADY_DONE (the customer was told before; the earlier
 * outcome events are repeated), NOT_APPLICABLE (no channel reaches the customer, or the order's customer
 * is still unknown after the consumer's retries: an unknown order is not dead-lettered), REJECTED (the
 * request or the template is unusable). Other actions belong to other services.
 */
export function onCompensationRequested(
  deps: NotificationsDeps,
  options: { retries: number } = { retries: 0 },
): EventHandler<'CompensationRequested'> {
  return async (event, context) => {
    if (event.action !== 'NOTIFY_CUSTOMER') return;
    const db = context.tx;
    const meta = context.causedBy();
    const failure = orderFailureReasonOf(event.reason);
    let result: Awaited<ReturnType<typeof notifyCustomer>>;
    try {
      result = await notifyCustomer(db, deps, {
        ...common(context, 'CompensationRequested'),
        type: failure ? 'order-failed' : 'order-cancellation-notice',
        dedupeKey: cancellationKey(event.orderId),
        orderId: event.orderId,
        customerId: event.parameters.customerId ?? null,
        email: event.parameters.customerEmail ?? null,
        phone: null,
        name: null,
        variables: {
          ...variablesOf.CompensationRequested(event),
          ...(failure ? { reason: humanize(failure) } : {}),
        },
        answerAgain: true,
      });
    } catch (error) {
      // Both are thrown before anything is written.
      if (error instanceof UnknownCustomerError) {
        // Its OrderCreated may still be on its way: retried first, then answered.
        if (context.attempt <= options.retries) throw error;
        await answer(db, deps, event, meta, {
          outcome: 'NOT_APPLICABLE',
          reasonCode: 'CUSTOMER_UNKNOWN',
          detail: error.message,
        });
        return;
      }
      if (error instanceof NonRetriableError) {
        await answer(db, deps, event, meta, {
          outcome: 'REJECTED',
          reasonCode: 'INVALID_REQUEST',
          detail: error.message,
        });
        return;
      }
      throw error;
    }
    const { created, existing } = result;
    if (existing.length > 0) {
      await answer(db, deps, event, meta, {
        outcome: 'ALREADY_DONE',
        reasonCode: null,
        detail: `the cancellation notice exists already (${existing.map((n) => `${n.channel} ${n.status}`).join(', ')})`,
      });
      return;
    }
    const queued = created.filter((notification) => notification.status === 'PENDING');
    if (queued.length > 0) {
      await answer(db, deps, event, meta, {
        outcome: 'DONE',
        reasonCode: null,
        detail: `cancellation notice queued (${queued.map((n) => n.channel).join(', ')})`,
      });
      return;
    }
    const reason = created.find((notification) => notification.reason)?.reason ?? 'NO_CHANNEL';
    await answer(db, deps, event, meta, {
      outcome: reason === 'TEMPLATE_ERROR' ? 'REJECTED' : 'NOT_APPLICABLE',
      reasonCode: reason,
      detail:
        created.map((notification) => notification.lastError).find(Boolean) ??
        'no channel reaches the customer for this notice',
    });
  };
}
