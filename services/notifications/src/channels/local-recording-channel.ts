import { nameBasedUuid } from '@fv/service-kit';
import { isValidRecipient } from '../domain/recipients.js';
import type { Channel } from '../domain/channels.js';
import type { PrismaClient } from '../generated/prisma/client.js';
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
    private readonly prisma: PrismaClient,
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
    await this.prisma.recordedDelivery.upsert({
      where: { notificationId: message.notificationId },
      create: {
        id,
        notificationId: message.notificationId,
        channel: this.channel,
        recipient: message.recipient,
        subject: message.subject,
        body: message.body,
      },
      update: {},
    });
    return { providerMessageId: id };
  }
}
