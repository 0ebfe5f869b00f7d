import type { SqlClient } from '@fv/messaging';
import { nameBasedUuid } from '@fv/service-kit';
import { isValidRecipient } from '../domain/recipients.js';
import type { Channel } from '../domain/channels.js';
import { ChannelDeliveryError, type ChannelAdapter, type OutgoingMessage } from './channel-adapter.js';

/**
 * The channel provider of the local stack and of tests: it delivers by recording the message in the
 * database (`recorded_deliveries`, readable through `GET /notifications`). Recording is idempotent per
 * notification, as a real provider's idempotency key is.
 */
export class LocalRecordingChannel implements ChannelAdapter {
  readonly provider: string;

  constructor(
    readonly channel: Channel,
    /** Statements outside the dispatcher's transaction, as a provider's call is. */
    private readonly db: SqlClient,
  ) {
    this.provider = `local-${channel.toLowerCase()}`;
  }

  async send(message: OutgoingMessage): Promise<{ providerMessageId: string }> {
    if (!isValidRecipient(this.channel, message.recipient)) {
      throw new ChannelDeliveryError(
        'RECIPIENT_INVALID',
        `${message.recipient} is not a valid ${this.channel} recipient`,
        false,
      );
    }
    const id = nameBasedUuid('notifications.recorded-delivery', message.notificationId);
    await this.db.$executeRawUnsafe(
      `insert into recorded_deliveries (id, notification_id, channel, recipient, subject, body)
       values ($1::uuid, $2::uuid, $3, $4, $5, $6)
       on conflict (notification_id) do nothing`,
      id,
      message.notificationId,
      this.channel,
      message.recipient,
      message.subject,
      message.body,
    );
    return { providerMessageId: id };
  }
}
