import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Database } from './open-database.js';

/**
 * Applies the SQL migrations of a Prisma migrations folder (`<dir>/<name>/migration.sql`, in name order),
 * recording them in Prisma's own `_prisma_migrations` table so that `prisma migrate status` and
 * `prisma migrate deploy` agree with what ran here. Works the same on PostgreSQL and on PGlite,
 * in-process, without the Prisma CLI. Concurrent callers on PostgreSQL are serialised by an advisory lock.
 */
export interface MigrationResult {
  applied: string[];
  alreadyApplied: string[];
}

const MIGRATIONS_TABLE = `
create table if not exists "_prisma_migrations" (
  "id" varchar(36) primary key not null,
  "checksum" varchar(64) not null,
  "finished_at" timestamptz,
  "migration_name" varchar(255) not null,
  "logs" text,
  "rolled_back_at" timestamptz,
  "started_at" timestamptz not null default now(),
  "applied_steps_count" integer not null default 0
)`;

// Arbitrary constant naming "platform migrations" for pg_advisory_lock.
const LOCK_KEY = 727_274_001;

export async function listMigrations(
  dir: string,
): Promise<{ name: string; sql: string; checksum: string }[]> {
  let entries: string[];
  try {
    entries = await fs.readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const migrations = [];
  for (const name of entries.sort()) {
    const file = path.join(dir, name, 'migration.sql');
    let sql: string;
    try {
      sql = await fs.readFile(file, 'utf8');
    } catch (error) {
      if (
        (error as NodeJS.ErrnoException).code === 'ENOENT' ||
        (error as NodeJS.ErrnoException).code === 'ENOTDIR'
      )
        continue;
      throw error;
    }
    migrations.push({ name, sql, checksum: createHash('sha256').update(sql).digest('hex') });
  }
  return migrations;
}

export async function migrate(db: Database, migrationsDir: string): Promise<MigrationResult> {
  const migrations = await listMigrations(migrationsDir);
  const isPostgres = db.target.kind === 'postgres';
  return db.transaction(async (tx) => {
    if (isPostgres) await tx.query('select pg_advisory_xact_lock($1)', [LOCK_KEY]);
    await tx.exec(MIGRATIONS_TABLE);
    const rows = await tx.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      'select migration_name, checksum, finished_at from "_prisma_migrations" where rolled_back_at is null',
    );
    const done = new Map(rows.map((row) => [row.migration_name, row]));
    const result: MigrationResult = { applied: [], alreadyApplied: [] };
    for (const migration of migrations) {
      const previous = done.get(migration.name);
      if (previous) {
        if (previous.checksum !== migration.checksum) {
          throw new Error(
            `migration ${migration.name} was changed after it was applied (checksum ${previous.checksum.slice(0, 12)}… ≠ ${migration.checksum.slice(0, 12)}…); add a new migration instead`,
          );
        }
        if (!previous.finished_at)
          throw new Error(`migration ${migration.name} is recorded as started but never finished`);
        result.alreadyApplied.push(migration.name);
        continue;
      }
      await tx.exec(migration.sql);
      await tx.query(
        `insert into "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count)
         values ($1, $2, now(), $3, 1)`,
        [randomUUID(), migration.checksum, migration.name],
      );
      result.applied.push(migration.name);
    }
    return result;
  });
}
