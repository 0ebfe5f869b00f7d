import { envDelayList, envInteger, envList } from '@fv/service-kit';
import { runtimeConfigSchema } from '@fv/service-runtime';
import { z } from 'zod';
import { CHANNELS, type Channel } from './domain/channels.js';

/** A comma-separated list of channels, e.g. EMAIL,SMS; may be empty (`none`). */
function envChannelList() {
  const rule = `must be a comma-separated list of ${CHANNELS.join(', ')}, or none`;
  return envList({ upperCase: true, noneIsEmpty: true })
    .refine((channels) => channels.every((channel) => (CHANNELS as readonly string[]).includes(channel)), {
      message: rule,
    })
    .transform((channels) => [...new Set(channels)] as Channel[]);
}

export const notificationsConfigSchema = runtimeConfigSchema.extend({
  /** Channels a customer receives on until they choose otherwise. */
  NOTIFICATION_DEFAULT_CHANNELS: envChannelList().default('EMAIL'),
  /** Delivery attempts per message before it fails for good (NotificationFailed with retriable=false). */
  NOTIFICATION_MAX_ATTEMPTS: envInteger(1, 50).default(5),
  /** Backoff before the second attempt; doubles for each further one. */
  NOTIFICATION_RETRY_BASE_MS: envInteger(1, 3_600_000).default(1000),
  /** Longest backoff between two attempts (never shorter than NOTIFICATION_RETRY_BASE_MS). */
  NOTIFICATION_RETRY_MAX_MS: envInteger(1, 86_400_000).default(300_000),
  /**
   * The longest the dispatcher sleeps when it knows of no message due: messages stored in this process
   * wake it at once and a retry's backoff is slept until, so this only finds rows written elsewhere.
   */
  NOTIFICATION_POLL_INTERVAL_MS: envInteger(10, 600_000).default(30_000),
  /** Messages the dispatcher sends per round. */
  NOTIFICATION_BATCH_SIZE: envInteger(1, 1000).default(50),
  /**
   * Messages claimed, sent and marked in one transaction: one commit, and one relay round for their
   * events, for several messages when many are due. A transaction that fails sends them all again.
   */
  NOTIFICATION_SENDS_PER_TRANSACTION: envInteger(1, 100).default(10),
  /** Backoff before each retry of a consumed event that failed transiently (seed 003: 1 s, 2 s, 4 s). */
  EVENT_RETRY_DELAYS_MS: envDelayList().default('1000,2000,4000'),
  /** How long stored answers to X-Idempotency-Key are kept before the retention purge deletes them (7 days). */
  IDEMPOTENCY_RETENTION_HOURS: envInteger(1, 24 * 365).default(24 * 7),
});

export type NotificationsConfig = z.output<typeof notificationsConfigSchema>;
