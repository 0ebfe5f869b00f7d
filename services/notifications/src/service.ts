import { directTransactions, type SqlClient } from '@fv/messaging';
import {
  idempotencyRetentionRule,
  perInstance,
  type ServiceContext,
  type ServiceDefinition,
} from '@fv/service-runtime';
import type { ChannelAdapters } from './channels/channel-adapter.js';
import { LocalRecordingChannel } from './channels/local-recording-channel.js';
import { notificationsConfigSchema, type NotificationsConfig } from './config.js';
import { notificationHandlers } from './events/handlers.js';
import { PrismaClient } from './generated/prisma/client.js';
import { notificationRoutes } from './routes/notifications.js';
import { preferenceRoutes } from './routes/preferences.js';
import { templateRoutes } from './routes/templates.js';
import type { NotificationsDeps } from './use-cases/deps.js';
import { NotificationDispatcher } from './use-cases/notification-dispatcher.js';

type Context = ServiceContext<PrismaClient, NotificationsConfig>;

export interface NotificationsServiceOptions {
  /** The channel providers; by default each channel records its deliveries in the database. */
  channels?: (context: Context, local: ChannelAdapters) => ChannelAdapters;
  now?: () => Date;
}

export function localChannels(db: SqlClient): ChannelAdapters {
  return {
    EMAIL: new LocalRecordingChannel('EMAIL', db),
    SMS: new LocalRecordingChannel('SMS', db),
    PUSH: new LocalRecordingChannel('PUSH', db),
  };
}

/** The notifications service: order-lifecycle messages to customers by e-mail, SMS and push. */
export function createNotificationsService(
  options: NotificationsServiceOptions = {},
): ServiceDefinition<PrismaClient, NotificationsConfig> {
  const depsOf = perInstance((context: Context): NotificationsDeps => {
    const { config } = context;
    const local = localChannels(directTransactions(context.database.db));
    return {
      outbox: context.outbox,
      channels: options.channels?.(context, local) ?? local,
      defaultChannels: config.NOTIFICATION_DEFAULT_CHANNELS,
      maxAttempts: config.NOTIFICATION_MAX_ATTEMPTS,
      retry: {
        baseMs: config.NOTIFICATION_RETRY_BASE_MS,
        maxMs: Math.max(config.NOTIFICATION_RETRY_BASE_MS, config.NOTIFICATION_RETRY_MAX_MS),
      },
      now: options.now ?? (() => new Date()),
    };
  });
  /** One dispatcher per service instance, woken by every commit of the instance. */
  const dispatcherOf = perInstance((context: Context): NotificationDispatcher => {
    const dispatcher = new NotificationDispatcher({
      db: context.sql,
      // The dispatch path's stores use SQL only: its transactions skip Prisma (docs/performance.md). They
      // wake the relay but not the commit listeners: the dispatcher, one of them, would wake itself.
      transaction: (fn) => context.directTransaction(fn, { listeners: false }),
      deps: depsOf(context),
      logger: context.logger.child({ component: 'dispatcher' }),
      maxIdleMs: context.config.NOTIFICATION_POLL_INTERVAL_MS,
      batchSize: context.config.NOTIFICATION_BATCH_SIZE,
      perTransaction: context.config.NOTIFICATION_SENDS_PER_TRANSACTION,
    });
    // Messages stored by the event handlers and the retry route are due at once.
    context.afterCommit(() => dispatcher.wake());
    return dispatcher;
  });

  return {
    name: 'notifications',
    port: 8086,
    configSchema: notificationsConfigSchema,
    migrationsDir: new URL('../prisma/migrations', import.meta.url).pathname,
    createPrisma: (adapter) => new PrismaClient({ adapter }),
    retention: (context) => [idempotencyRetentionRule(context.config.IDEMPOTENCY_RETENTION_HOURS)],
    tags: ['notifications', 'email', 'sms', 'push'],
    async routes(app, context) {
      const routeContext = { ...context, deps: depsOf(context) };
      await app.register(async (scope) => templateRoutes(scope, routeContext));
      await app.register(async (scope) => preferenceRoutes(scope, routeContext));
      await app.register(async (scope) => notificationRoutes(scope, routeContext));
    },
    consumers(context) {
      return [
        {
          // The handlers' stores use SQL only: the consumer's transactions skip Prisma (docs/performance.md).
          transactions: 'direct',
          retry: { delaysMs: context.config.EVENT_RETRY_DELAYS_MS },
          handlers: notificationHandlers(depsOf(context), {
            retries: context.config.EVENT_RETRY_DELAYS_MS.length,
          }),
        },
      ];
    },
    background(context) {
      return [dispatcherOf(context)];
    },
  };
}

export const notificationsService = createNotificationsService();
