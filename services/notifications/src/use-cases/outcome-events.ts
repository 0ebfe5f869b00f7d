import type { Db } from '../db/client.js';
import type { Notification } from '../generated/prisma/client.js';
import type { NotificationsDeps } from './deps.js';

function metaOf(notification: Notification) {
  return {
    correlationId: notification.correlationId,
    causationId: notification.causationId,
    traceparent: notification.traceparent,
  };
}

export async function publishSent(
  db: Db,
  deps: NotificationsDeps,
  notification: Notification,
): Promise<void> {
  await deps.outbox.publish(
    db,
    'NotificationSent',
    {
      notificationId: notification.id,
      customerId: notification.customerId,
      orderId: notification.orderId,
      channel: notification.channel,
      templateId: notification.templateKey,
      recipient: notification.recipient ?? '',
      provider: notification.provider ?? '',
      attempt: notification.attempts,
      reference: notification.reference,
    },
    metaOf(notification),
  );
}

/**
 * NotificationFailed for an attempt that failed (`retriable`: another attempt follows), or for a message
 * that will not be sent (opted out, no valid recipient, template error: attempt 0, nothing was tried).
 */
export async function publishFailed(
  db: Db,
  deps: NotificationsDeps,
  notification: Notification,
  failure: { errorCode: string; errorMessage: string; retriable: boolean },
): Promise<void> {
  await deps.outbox.publish(
    db,
    'NotificationFailed',
    {
      notificationId: notification.id,
      customerId: notification.customerId,
      orderId: notification.orderId,
      channel: notification.channel,
      templateId: notification.templateKey,
      recipient: notification.recipient,
      errorCode: failure.errorCode,
      errorMessage: failure.errorMessage,
      attempt: notification.attempts,
      retriable: failure.retriable,
      reference: notification.reference,
    },
    metaOf(notification),
  );
}
