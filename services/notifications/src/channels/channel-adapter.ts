import type { Channel } from '../domain/channels.js';

export interface OutgoingMessage {
  /** Also the idempotency key given to the provider: a message resent after a crash is not delivered twice. */
  notificationId: string;
  channel: Channel;
  recipient: string;
  subject: string | null;
  body: string;
}

export type DeliveryErrorCode = 'PROVIDER_ERROR' | 'PROVIDER_TIMEOUT' | 'RECIPIENT_INVALID';

/** A provider refused or failed a message. `retriable` says whether another attempt may succeed. */
export class ChannelDeliveryError extends Error {
  constructor(
    readonly code: DeliveryErrorCode,
    message: string,
    readonly retriable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ChannelDeliveryError';
  }
}

/** One channel's provider (an e-mail API, an SMS gateway, a push service). */
export interface ChannelAdapter {
  readonly channel: Channel;
  /** Provider name reported in NotificationSent. */
  readonly provider: string;
  /** @throws ChannelDeliveryError */
  send(message: OutgoingMessage): Promise<{ providerMessageId: string }>;
}

export type ChannelAdapters = Readonly<Record<Channel, ChannelAdapter>>;
