import type { HandlerContext } from '@fv/messaging';
import type { NotificationRequest } from '../use-cases/notify-customer.js';

/** What every notification request takes from the event being handled: its name, causation and trace. */
export function common(
  context: HandlerContext,
  sourceEvent: string,
): Pick<NotificationRequest, 'meta' | 'logger' | 'sourceEvent'> {
  const meta = context.causedBy();
  return { sourceEvent, logger: context.logger, meta: { ...meta, traceparent: meta.traceparent ?? null } };
}

/**
 * An order's end — its cancellation, or its failure — is announced once, whether OrderCancelled,
 * OrderFailed or a NOTIFY_CUSTOMER compensation says it.
 */
export const cancellationKey = (orderId: string) => `order-cancellation:${orderId}`;
