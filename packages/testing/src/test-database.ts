import { randomBytes } from 'node:crypto';
import pg from 'pg';
import {
  DEFAULT_ADMIN_URL,
  migrate,
  openDatabase,
  postgresAnswers,
  quoteIdent,
  type Database,
  type DatabaseTarget,
} from '@fv/database';

export interface TestDatabase {
  db: Database;
  target: DatabaseTarget;
  /** Closes the connection and drops the database. */
  dispose(): Promise<void>;
}

let serverAnswers: Promise<boolean> | undefined;

/**
 * A clean database for one test suite, with the given Prisma migrations applied: a fresh database on
 * the local PostgreSQL server when it answers (dropped by `dispose`), otherwise an in-memory PGlite.
 * TEST_DATABASE=pglite forces the embedded database.
 */
export async function createTestDatabase(options: {
  name: string;
  migrationsDir?: string;
}): Promise<TestDatabase> {
  const adminUrl = process.env.POSTGRES_ADMIN_URL ?? DEFAULT_ADMIN_URL;
  const usePostgres =
    process.env.TEST_DATABASE !== 'pglite' && (await (serverAnswers ??= postgresAnswers(adminUrl, 1500)));
  let target: DatabaseTarget;
  let drop = async () => undefined as void;
  if (usePostgres) {
    const database = `fv_test_${options.name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .slice(0, 30)}_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      await admin.query(`create database ${quoteIdent(database)}`);
    } finally {
      await admin.end();
    }
    const url = new URL(adminUrl);
    url.pathname = `/${database}`;
    target = { kind: 'postgres', url: url.toString(), database };
    drop = async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists ${quoteIdent(database)} with (force)`);
      } finally {
        await client.end();
      }
    };
  } else {
    target = { kind: 'pglite', dataDir: null };
  }
  const db = await openDatabase(target, { poolSize: 5 });
  if (options.migrationsDir) await migrate(db, options.migrationsDir);
  return {
    db,
    target,
    dispose: async () => {
      await db.close();
      await drop();
    },
  };
}
