import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase, type Database } from '@fv/database';
import { purgeExpired } from '@fv/service-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coordinationRetentionRules } from './retention.js';

// Finding 10: the coordination service's own growing tables, on the schema its migrations create.

const migrations = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../prisma/migrations');
let db: Database;

beforeAll(async () => {
  db = await openDatabase({ kind: 'pglite', dataDir: null });
  for (const dir of readdirSync(migrations)
    .filter((name) => /^\d/.test(name))
    .sort()) {
    await db.exec(readFileSync(path.join(migrations, dir, 'migration.sql'), 'utf8'));
  }
});

afterAll(async () => {
  await db.close();
});

const sql = {
  $queryRawUnsafe: async <T>(query: string, ...values: unknown[]) => (await db.query(query, values)) as T,
  $executeRawUnsafe: async (query: string, ...values: unknown[]) => (await db.query(query, values)).length,
};

const ago = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();

describe('coordination retention', () => {
  const rules = coordinationRetentionRules({
    WORKFLOW_EVENTS_RETENTION_DAYS: 30,
    WEBHOOK_DELIVERIES_RETENTION_DAYS: 30,
    WORKFLOW_START_REQUESTS_RETENTION_HOURS: 168,
    ANALYTICS_MINUTE_COUNTS_RETENTION_DAYS: 30,
  });

  it('purges settled webhook deliveries, old start requests and old analytics minutes, never a pending delivery', async () => {
    const subscription = '00000000-0000-4000-8000-000000000001';
    await db.query(
      `insert into webhook_subscriptions (id, url, secret) values ($1, 'https://hooks.example.com', 's')`,
      [subscription],
    );
    await db.query(
      `insert into webhook_deliveries (id, subscription_id, event_type, payload, status, next_attempt_at, created_at)
       values (gen_random_uuid(), $3, 'x', '{}', 'DELIVERED', now(), $1),
              (gen_random_uuid(), $3, 'x', '{}', 'PENDING', now(), $1),
              (gen_random_uuid(), $3, 'x', '{}', 'FAILED', now(), $2)`,
      [ago(40), ago(1), subscription],
    );
    await db.query(
      `insert into workflow_start_requests (caller_id, idempotency_key, request_hash, workflow_id, response, created_at)
       values ('c', 'k1', 'h', gen_random_uuid(), '{}', $1), ('c', 'k2', 'h', gen_random_uuid(), '{}', $2)`,
      [ago(8), ago(1)],
    );
    await db.query(
      `insert into analytics_minute_counts (minute, metric, count)
       values (date_trunc('minute', $1::timestamptz), 'ORDERS_CREATED', 3),
              (date_trunc('minute', $2::timestamptz), 'ORDERS_CREATED', 2)`,
      [ago(31), ago(1)],
    );
    const purged: Record<string, number> = {};
    for (const rule of rules) purged[rule.table] = await purgeExpired(sql, rule);
    expect(purged).toEqual({
      workflow_events: 0,
      webhook_deliveries: 1,
      workflow_start_requests: 1,
      analytics_minute_counts: 1,
    });
    expect(await db.query('select count from analytics_minute_counts')).toEqual([{ count: 2 }]);
    expect(await db.query('select status from webhook_deliveries order by status')).toEqual([
      { status: 'FAILED' },
      { status: 'PENDING' },
    ]);
  });
});
