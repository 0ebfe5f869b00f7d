import type { Outbox } from '@fv/messaging';
import type { ChannelAdapters } from '../channels/channel-adapter.js';
import type { Channel } from '../domain/channels.js';

/** What the use cases need from the service around them. */
export interface NotificationsDeps {
  outbox: Outbox;
  channels: ChannelAdapters;
  defaultChannels: readonly Channel[];
  maxAttempts: number;
  retry: { baseMs: number; maxMs: number };
  now(): Date;
}
