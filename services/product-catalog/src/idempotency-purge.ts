import type { BackgroundTask } from '@fv/service-runtime';
import type { CatalogContext } from './catalog-context.js';
import { purgeIdempotencyRecords } from './db/idempotency-records.js';

const PURGE_INTERVAL_MS = 60 * 60 * 1000;

/** Deletes idempotency records older than IDEMPOTENCY_KEY_TTL_HOURS, hourly. */
export function idempotencyPurge(ctx: CatalogContext): BackgroundTask {
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const logger = ctx.logger.child({ component: 'idempotency-purge' });
  const run = async () => {
    try {
      await ctx.database.ready;
      if (closed) return;
      const cutoff = new Date(Date.now() - ctx.config.IDEMPOTENCY_KEY_TTL_HOURS * 3_600_000);
      const removed = await purgeIdempotencyRecords(ctx.prisma, cutoff);
      if (removed > 0) logger.info({ removed }, 'expired idempotency records removed');
    } catch (error) {
      logger.warn({ err: error }, 'removing expired idempotency records failed; trying again in an hour');
    }
  };
  return {
    name: 'idempotency purge',
    start() {
      void run();
      timer = setInterval(() => void run(), PURGE_INTERVAL_MS);
      timer.unref();
    },
    async close() {
      closed = true;
      clearInterval(timer);
    },
  };
}
