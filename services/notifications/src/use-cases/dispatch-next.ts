import type { Logger } from '@fv/service-kit';
import { ChannelDeliveryError } from '../channels/channel-adapter.js';
import type { Db } from '../db/client.js';
import { claimNextDue, findNotification } from '../db/notifications.js';
import { backoffDelayMs } from '../domain/backoff.js';
import { isChannel } from '../domain/channels.js';
import type { NotificationsDeps } from './deps.js';
import { publishFailed, publishSent } from './outcome-events.js';

/**
 * Sends the next message due through its channel, in the caller's transaction (the row stays locked
 * while the provider is called, so no other dispatcher sends it too). Success → SENT and
 * NotificationSent. A failure that may pass → NotificationFailed (retriable) and another attempt after
 * an exponential backoff; the last allowed attempt, or a failure that cannot pass, → FAILED and
 * NotificationFailed with retriable=false: the message is dead-lettered (listed with status FAILED,
 * `POST /notifications/{id}/retry` sends it again). Returns false when nothing was due.
 */
export async function dispatchNext(db: Db, deps: NotificationsDeps, logger: Logger): Promise<boolean> {
  const id = await claimNextDue(db, deps.now());
  if (!id) return false;
  const notification = await findNotification(db, id);
  if (
    !notification ||
    !isChannel(notification.channel) ||
    notification.recipient === null ||
    notification.body === null
  ) {
    await db.notification.update({
      where: { id },
      data: {
        status: 'FAILED',
        reason: 'PROVIDER_ERROR',
        lastError: 'incomplete message',
        nextAttemptAt: null,
      },
    });
    return true;
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
    const sent = await db.notification.update({
      where: { id },
      data: {
        status: 'SENT',
        attempts: attempt,
        sentAt: deps.now(),
        provider: adapter.provider,
        providerMessageId: result.providerMessageId,
        nextAttemptAt: null,
        reason: null,
      },
    });
    await publishSent(db, deps, sent);
    logger.info({ notificationId: id, channel: notification.channel, attempt }, 'notification sent');
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
    const updated = await db.notification.update({
      where: { id },
      data: {
        attempts: attempt,
        provider: adapter.provider,
        reason: failure.code,
        lastError: failure.message,
        ...(final
          ? { status: 'FAILED', nextAttemptAt: null }
          : { nextAttemptAt: new Date(deps.now().getTime() + backoffDelayMs(attempt, deps.retry)) }),
      },
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
  return true;
}
