import type { Logger } from '@fv/service-kit';
import { ChannelDeliveryError } from '../channels/channel-adapter.js';
import type { Db } from '../db/client.js';
import { claimDue, markAttemptFailed, markIncomplete, markSent } from '../db/notifications.js';
import type { Notification } from '../generated/prisma/client.js';
import { backoffDelayMs } from '../domain/backoff.js';
import { isChannel } from '../domain/channels.js';
import type { NotificationsDeps } from './deps.js';
import { publishFailed, publishSent } from './outcome-events.js';

/**
 * Sends up to `limit` messages due, oldest first, in the caller's transaction (their rows stay locked
 * while the provider is called, so no other dispatcher sends them too; a transaction that fails sends
 * them all again, and a provider's idempotency key — the notification's id — makes that harmless).
 * Returns how many were claimed: fewer than `limit` when no more were due.
 */
export async function dispatchDue(
  db: Db,
  deps: NotificationsDeps,
  logger: Logger,
  limit: number,
): Promise<number> {
  const due = await claimDue(db, deps.now(), limit);
  for (const notification of due) await dispatchOne(db, deps, logger, notification);
  return due.length;
}

/**
 * Sends one claimed message through its channel. Success → SENT and NotificationSent. A failure that
 * may pass → NotificationFailed (retriable) and another attempt after an exponential backoff; the last
 * allowed attempt, or a failure that cannot pass, → FAILED and NotificationFailed with retriable=false:
 * the message is dead-lettered (listed with status FAILED, `POST /notifications/{id}/retry` sends it
 * again).
 */
async function dispatchOne(
  db: Db,
  deps: NotificationsDeps,
  logger: Logger,
  notification: Notification,
): Promise<void> {
  const { id } = notification;
  if (!isChannel(notification.channel) || notification.recipient === null || notification.body === null) {
    await markIncomplete(db, id);
    return;
  }
  const adapter = deps.channels[notification.channel];
  const attempt = notification.attempts + 1;
  try {
    const result = await adapter.send({
      notificationId: notification.id,
      channel: notification.channel,
      recipient: notification.recipient,
      subject: notification.subject,
      body: notification.body,
    });
    const sent = await markSent(db, id, {
      attempts: attempt,
      sentAt: deps.now(),
      provider: adapter.provider,
      providerMessageId: result.providerMessageId,
    });
    await publishSent(db, deps, sent);
    logger.debug({ notificationId: id, channel: notification.channel, attempt }, 'notification sent');
  } catch (error) {
    const failure =
      error instanceof ChannelDeliveryError
        ? error
        : new ChannelDeliveryError(
            'PROVIDER_ERROR',
            error instanceof Error ? error.message : String(error),
            true,
            { cause: error },
          );
    const final = !failure.retriable || attempt >= deps.maxAttempts;
    const updated = await markAttemptFailed(db, id, {
      attempts: attempt,
      provider: adapter.provider,
      reason: failure.code,
      lastError: failure.message,
      nextAttemptAt: final ? null : new Date(deps.now().getTime() + backoffDelayMs(attempt, deps.retry)),
    });
    await publishFailed(db, deps, updated, {
      errorCode: failure.code,
      errorMessage: failure.message,
      retriable: !final,
    });
    logger.warn(
      { notificationId: id, channel: notification.channel, attempt, final, code: failure.code },
      `sending failed: ${failure.message}`,
    );
  }
}
