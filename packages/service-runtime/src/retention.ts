import type { SqlClient } from '@fv/messaging';
import { Counter, envInteger } from '@fv/service-kit';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { BackgroundTask } from './service-runtime.js';

const HOUR_MS = 60 * 60 * 1000;

/**
 * Rows of one table that may go once they are older than `retentionMs`: `where` is a condition over
 * the table (aliased `t`) in which `$1` is the cutoff time, e.g. `t.published_at < $1`. It must only
 * match rows nothing needs any more (published, settled, answered).
 */
export interface RetentionRule {
  table: string;
  where: string;
  retentionMs: number;
}

/** Settings every service reads for the tables the runtime itself keeps. */
export const retentionConfigShape = {
  /** How long published outbox rows are kept (7 days). */
  OUTBOX_RETENTION_HOURS: envInteger(1, 24 * 365).default(24 * 7),
  /**
   * How long the ids of applied events are kept for de-duplication (14 days): longer than the
   * broker keeps a message, so a redelivered event is still recognised.
   */
  PROCESSED_EVENTS_RETENTION_HOURS: envInteger(1, 24 * 365).default(24 * 14),
  /** How often the purge runs (1 hour). */
  RETENTION_INTERVAL_MS: envInteger(1000, 24 * HOUR_MS).default(HOUR_MS),
  /** Rows deleted per statement, so a purge never holds long locks (5,000). */
  RETENTION_BATCH_SIZE: envInteger(1, 1_000_000).default(5000),
};

/** The runtime's own rules: published outbox rows and the ids of applied events. */
export function messagingRetentionRules(config: {
  OUTBOX_RETENTION_HOURS: number;
  PROCESSED_EVENTS_RETENTION_HOURS: number;
}): RetentionRule[] {
  return [
    {
      table: 'outbox_events',
      where: 't.published_at < $1',
      retentionMs: config.OUTBOX_RETENTION_HOURS * HOUR_MS,
    },
    {
      table: 'processed_events',
      where: 't.processed_at < $1',
      retentionMs: config.PROCESSED_EVENTS_RETENTION_HOURS * HOUR_MS,
    },
  ];
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/**
 * Deletes the expired rows of `rule`, `batchSize` at a time, until none is left; returns how many went.
 */
export async function purgeExpired(
  db: SqlClient,
  rule: RetentionRule,
  options: { now?: Date; batchSize?: number } = {},
): Promise<number> {
  if (!IDENTIFIER.test(rule.table)) throw new Error(`not a table name: ${rule.table}`);
  const cutoff = new Date((options.now ?? new Date()).getTime() - rule.retentionMs).toISOString();
  const batchSize = options.batchSize ?? 5000;
  const sql =
    `with doomed as (select t.ctid from ${rule.table} t where ${rule.where.replaceAll('$1', '$1::timestamptz')} limit ${batchSize}), ` +
    `deleted as (delete from ${rule.table} where ctid in (select ctid from doomed) returning 1) ` +
    'select count(*)::int as purged from deleted';
  let total = 0;
  for (;;) {
    const rows = await db.$queryRawUnsafe<{ purged: number }[]>(sql, cutoff);
    const purged = Number(rows[0]?.purged ?? 0);
    total += purged;
    if (purged < batchSize) return total;
  }
}

export interface RetentionPurgeOptions {
  rules: readonly RetentionRule[];
  intervalMs: number;
  batchSize: number;
  /** Where `retention_purged_rows_total{table}` is registered. */
  metrics?: FastifyInstance['metrics'];
}

/**
 * A background task that, once the database is ready and then every `intervalMs`, deletes what the
 * rules say has expired, table by table, counting the purged rows per table on /metrics.
 */
export function retentionPurge(
  context: { prisma: SqlClient; database: { ready: Promise<unknown> }; logger: Logger },
  options: RetentionPurgeOptions,
): BackgroundTask {
  const log = context.logger.child({ component: 'retention' });
  const counter = new Counter({
    name: 'retention_purged_rows_total',
    help: 'Rows deleted by the retention purge, by table',
    labelNames: ['table'] as const,
    registers: options.metrics ? [options.metrics] : [],
  });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const purge = async () => {
    for (const rule of options.rules) {
      if (stopped) return;
      try {
        const purged = await purgeExpired(context.prisma, rule, { batchSize: options.batchSize });
        counter.inc({ table: rule.table }, purged);
        if (purged > 0) log.info({ table: rule.table, purged }, 'expired rows purged');
      } catch (error) {
        log.warn({ err: error, table: rule.table }, 'purging expired rows failed; trying again later');
      }
    }
  };
  const round = () => {
    if (stopped || running) return;
    running = purge().finally(() => {
      running = undefined;
    });
  };
  return {
    name: 'retention purge',
    start() {
      stopped = false;
      void context.database.ready.then(() => {
        if (stopped) return;
        round();
        timer = setInterval(round, options.intervalMs);
        timer.unref();
      });
    },
    async close() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

/** Stored answers to X-Idempotency-Key (`idempotent_requests`) older than `hours`. */
export function idempotencyRetentionRule(hours: number): RetentionRule {
  return { table: 'idempotent_requests', where: 't.created_at < $1', retentionMs: hours * HOUR_MS };
}
