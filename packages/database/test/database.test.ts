import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_ADMIN_URL,
  migrate,
  openDatabase,
  postgresAnswers,
  quoteIdent,
  resolveDatabase,
  type Database,
  type DatabaseTarget,
} from '../src/index.js';

async function writeMigrations(dir: string, migrations: Record<string, string>) {
  for (const [name, sql] of Object.entries(migrations)) {
    await fs.mkdir(path.join(dir, name), { recursive: true });
    await fs.writeFile(path.join(dir, name, 'migration.sql'), sql);
  }
}

const serverUp = await postgresAnswers(DEFAULT_ADMIN_URL, 1500);
const backends: { name: string; target: () => Promise<DatabaseTarget>; cleanup: () => Promise<void> }[] = [];
const service = `dbtest-${process.pid}-${Date.now().toString(36)}`;
let tmp: string;

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'fv-db-'));
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
  if (serverUp) {
    const admin = new pg.Client({ connectionString: DEFAULT_ADMIN_URL });
    await admin.connect();
    await admin.query(
      `drop database if exists ${quoteIdent(`fv_${service.replace(/-/g, '_')}`)} with (force)`,
    );
    await admin.end();
  }
});

backends.push({
  name: 'embedded PGlite (on disk)',
  target: async () => resolveDatabase({ service, databaseUrl: `pglite:${path.join(tmp, 'pglite')}` }),
  cleanup: async () => undefined,
});
if (serverUp) {
  backends.push({
    name: 'PostgreSQL server',
    target: async () => resolveDatabase({ service }),
    cleanup: async () => undefined,
  });
}

describe.each(backends)('$name', ({ target }) => {
  let db: Database;
  let dir: string;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(tmp, 'migrations-'));
    db = await openDatabase(await target());
  });
  afterAll(async () => {
    await db.close();
  });

  it('applies migrations once, in order, and records them as Prisma does', async () => {
    await writeMigrations(dir, {
      '20260101000000_first': 'create table widgets (id int primary key, name text not null);',
      '20260102000000_second': "insert into widgets values (1, 'one');",
    });
    const first = await migrate(db, dir);
    expect(first.applied).toEqual(['20260101000000_first', '20260102000000_second']);
    const second = await migrate(db, dir);
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied).toHaveLength(2);
    const rows = await db.query<{ name: string }>('select name from widgets');
    expect(rows).toEqual([{ name: 'one' }]);
    const recorded = await db.query<{ migration_name: string }>(
      'select migration_name from "_prisma_migrations" order by migration_name',
    );
    expect(recorded.map((r) => r.migration_name)).toEqual(['20260101000000_first', '20260102000000_second']);
  });

  it('refuses a migration edited after it ran, and applies nothing of a failing one', async () => {
    await fs.writeFile(
      path.join(dir, '20260102000000_second', 'migration.sql'),
      "insert into widgets values (2, 'two');",
    );
    await expect(migrate(db, dir)).rejects.toThrow(/20260102000000_second was changed after it was applied/);
    await fs.writeFile(
      path.join(dir, '20260102000000_second', 'migration.sql'),
      "insert into widgets values (1, 'one');",
    );
    await writeMigrations(dir, {
      '20260103000000_broken': "insert into widgets values (3, 'three'); select * from no_such_table;",
    });
    await expect(migrate(db, dir)).rejects.toThrow(/no_such_table/);
    const rows = await db.query<{ id: number }>('select id from widgets order by id');
    expect(rows.map((r) => r.id)).toEqual([1]);
  });

  it('answers a ping and reports its pool', async () => {
    await db.ping();
    expect(db.stats().max).toBeGreaterThanOrEqual(1);
  });
});

describe('embedded PGlite', () => {
  it('keeps its data across a reopen', async () => {
    const dataDir = path.join(tmp, 'durable');
    const first = await openDatabase({ kind: 'pglite', dataDir });
    await first.exec("create table kept (v text); insert into kept values ('still here');");
    await first.close();
    const second = await openDatabase({ kind: 'pglite', dataDir });
    expect(await second.query('select v from kept')).toEqual([{ v: 'still here' }]);
    await second.close();
  });
});

describe.runIf(serverUp)('PostgreSQL server: a connection lost inside a transaction', () => {
  it('fails the transaction, discards the connection and leaves the process running', async () => {
    const db = await openDatabase(await resolveDatabase({ service }));
    const uncaught: unknown[] = [];
    const record = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', record);
    try {
      const attempt = db.transaction(async (tx) => {
        const [backend] = await tx.query<{ pid: number }>('select pg_backend_pid() as pid');
        // The server ends this connection (as a restart or a network cut would) while it is checked out.
        await db.query('select pg_terminate_backend($1)', [backend!.pid]);
        await new Promise((resolve) => setTimeout(resolve, 200));
        await tx.query('select 1');
      });
      await expect(attempt).rejects.toThrow();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(uncaught).toEqual([]);
      // The broken connection went back to no one: the pool answers with healthy ones.
      for (let i = 0; i < 12; i += 1) await db.transaction((tx) => tx.query('select 1'));
    } finally {
      process.off('uncaughtException', record);
      await db.close();
    }
  });
});

describe.runIf(serverUp)('prepared statements on the PostgreSQL server', () => {
  it('prepares a parameterised statement once per connection, inside transactions and out, and rolls back as before', async () => {
    const db = await openDatabase(await resolveDatabase({ service }), { poolSize: 1 });
    try {
      await db.exec('create table if not exists prepared_probe (id int primary key, note text)');
      await db.exec('truncate prepared_probe');
      const insert = 'insert into prepared_probe (id, note) values ($1, $2)';
      for (let id = 1; id <= 3; id += 1) await db.execute(insert, [id, `n${id}`]);
      await db.transaction(async (tx) => {
        await tx.execute(insert, [4, 'n4']);
      });
      await expect(
        db.transaction(async (tx) => {
          await tx.execute(insert, [5, 'n5']);
          await tx.execute(insert, [5, 'again']);
        }),
      ).rejects.toThrow(/duplicate key/);
      const rows = await db.query<{ id: number }>(
        'select id from prepared_probe where id > $1 order by id',
        [0],
      );
      expect(rows.map((row) => row.id)).toEqual([1, 2, 3, 4]);
      // One connection: the insert was parsed once and kept, whatever the transactions did.
      const prepared = await db.query<{ statement: string }>(
        'select statement from pg_prepared_statements where statement like $1',
        ['insert into prepared_probe%'],
      );
      expect(prepared).toHaveLength(1);
    } finally {
      await db.exec('drop table if exists prepared_probe');
      await db.close();
    }
  });
});
