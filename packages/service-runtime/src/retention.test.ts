import { openDatabase, type Database } from '@fv/database';
import type { SqlClient } from '@fv/messaging';
import { createLogger, createMetricsRegistry } from '@fv/service-kit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  idempotencyRetentionRule,
  messagingRetentionRules,
  purgeExpired,
  retentionPurge,
} from './retention.js';

// Finding 10 of the security review: tables that only grew. The purge runs against a real PostgreSQL
// (embedded), on the tables as the services' migrations create them.

const HOUR_MS = 3_600_000;
let db: Database;
let sql: SqlClient;

beforeAll(async () => {
  db = await openDatabase({ kind: 'pglite', dataDir: null });
  await db.exec(`
    create table outbox_events (position bigserial primary key, event_id uuid not null unique,
      created_at timestamptz(3) not null default now(), published_at timestamptz(3));
    create index outbox_events_unpublished_idx on outbox_events (published_at, position);
    create table processed_events (consumer_group varchar(200) not null, event_id uuid not null,
      processed_at timestamptz(3) not null default now(), primary key (consumer_group, event_id));
    create table idempotent_requests (scope varchar(200), operation varchar(200), key varchar(255),
      created_at timestamptz(3) not null default now(), primary key (scope, operation, key));`);
  sql = {
    $queryRawUnsafe: async <T>(query: string, ...values: unknown[]) => (await db.query(query, values)) as T,
    $executeRawUnsafe: async (query: string, ...values: unknown[]) => (await db.query(query, values)).length,
  };
});

afterAll(async () => {
  await db.close();
});

beforeEach(async () => {
  await db.exec('truncate outbox_events, processed_events, idempotent_requests');
});

const ago = (hours: number) => new Date(Date.now() - hours * HOUR_MS).toISOString();

async function outboxRow(publishedHoursAgo: number | null, createdHoursAgo = 1000): Promise<void> {
  await db.query(
    'insert into outbox_events (event_id, created_at, published_at) values (gen_random_uuid(), $1, $2)',
    [ago(createdHoursAgo), publishedHoursAgo === null ? null : ago(publishedHoursAgo)],
  );
}

const rules = messagingRetentionRules({ OUTBOX_RETENTION_HOURS: 168, PROCESSED_EVENTS_RETENTION_HOURS: 336 });

describe('retention purge', () => {
  it('deletes published outbox rows past retention and never an unpublished one, however old', async () => {
    await outboxRow(200);
    await outboxRow(170);
    await outboxRow(10);
    await outboxRow(null, 5000);
    expect(await purgeExpired(sql, rules[0]!)).toBe(2);
    const left = await db.query<{ published_at: Date | null }>('select published_at from outbox_events');
    expect(left).toHaveLength(2);
    expect(left.filter((row) => row.published_at === null)).toHaveLength(1);
  });

  it('deletes in batches until nothing expired is left', async () => {
    for (let i = 0; i < 7; i++) await outboxRow(500);
    expect(await purgeExpired(sql, rules[0]!, { batchSize: 3 })).toBe(7);
    expect(await db.query('select 1 from outbox_events')).toHaveLength(0);
  });

  it('keeps processed event ids for their window, and idempotency answers for theirs', async () => {
    await db.query(
      `insert into processed_events (consumer_group, event_id, processed_at)
       values ('g', gen_random_uuid(), $1), ('g', gen_random_uuid(), $2)`,
      [ago(400), ago(300)],
    );
    await db.query(
      `insert into idempotent_requests (scope, operation, key, created_at) values ('c', 'op', 'k1', $1), ('c', 'op', 'k2', $2)`,
      [ago(200), ago(1)],
    );
    expect(await purgeExpired(sql, rules[1]!)).toBe(1);
    expect(await purgeExpired(sql, idempotencyRetentionRule(168))).toBe(1);
    expect(await db.query('select key from idempotent_requests')).toEqual([{ key: 'k2' }]);
  });

  it('runs as a background task and counts what it purged per table on /metrics', async () => {
    await outboxRow(500);
    await outboxRow(400);
    const metrics = createMetricsRegistry({ service: 'retention-test', defaultMetrics: false });
    const logger = createLogger({ service: 'retention-test', version: '0', level: 'fatal', pretty: false });
    const task = retentionPurge(
      { prisma: sql, database: { ready: Promise.resolve() }, logger },
      { rules, intervalMs: 60_000, batchSize: 100, metrics },
    );
    task.start();
    await expect
      .poll(async () => (await db.query('select 1 from outbox_events')).length, { timeout: 5000 })
      .toBe(0);
    await task.close();
    expect(await metrics.metrics()).toMatch(
      /retention_purged_rows_total\{[^}]*table="outbox_events"[^}]*\} 2/,
    );
  });
});
