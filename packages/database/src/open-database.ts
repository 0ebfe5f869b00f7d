import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { withTimeout } from '@fv/resilience';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { describeTarget, type DatabaseTarget } from './resolve-database.js';

export interface PoolStats {
  /** Connections open (busy + idle). */
  total: number;
  idle: number;
  /** Requests waiting for a connection. */
  waiting: number;
  max: number;
}

export type QueryRow = Record<string, unknown>;

/**
 * An open database: the driver adapter Prisma is built on, plus the few raw operations the
 * platform needs outside Prisma (migrations, readiness, pool figures).
 */
export interface Database {
  readonly target: DatabaseTarget;
  readonly description: string;
  /** Pass to `new PrismaClient({ adapter })`. */
  readonly adapter: PrismaPg | PrismaPGlite;
  query<T extends QueryRow = QueryRow>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs one statement; returns how many rows it inserted, updated or deleted. */
  execute(sql: string, params?: unknown[]): Promise<number>;
  /** Runs several statements (no parameters), e.g. a migration file. */
  exec(sql: string): Promise<void>;
  /** Runs `fn` inside one transaction on one connection. */
  transaction<T>(fn: (tx: DatabaseTransaction) => Promise<T>): Promise<T>;
  ping(timeoutMs?: number): Promise<void>;
  stats(): PoolStats;
  close(): Promise<void>;
}

/** The statements of one transaction, on its connection. */
export interface DatabaseTransaction {
  query: Database['query'];
  execute: Database['execute'];
  exec: Database['exec'];
}

export interface OpenDatabaseOptions {
  /** Pool size for PostgreSQL (default 10). */
  poolSize?: number;
  /** Statement timeout in ms for PostgreSQL sessions (default none). */
  statementTimeoutMs?: number;
  /**
   * Statements with parameters run as named prepared statements (default: true unless the environment
   * says DATABASE_PREPARED_STATEMENTS=false). See `preparedStatements`.
   */
  preparedStatements?: boolean;
}

/** Distinct statement texts prepared per process at most; any others run unnamed. */
const MAX_PREPARED_STATEMENTS = 500;

/**
 * node-postgres query configs that name each parameterised statement by a hash of its text, so that
 * PostgreSQL parses and analyses it once per connection and may keep its plan, instead of on every
 * execution: a third of the server's CPU for a multi-statement CTE (docs/performance.md). Statements
 * without parameters (`begin`, `select 1`, DDL) run unnamed; past `MAX_PREPARED_STATEMENTS` distinct
 * texts (SQL built with a varying number of placeholders), new ones run unnamed too.
 */
export function preparedStatements(enabled: boolean) {
  const names = new Map<string, string>();
  return (text: string, values: unknown[]): pg.QueryConfig => {
    if (!enabled || values.length === 0) return { text, values };
    let name = names.get(text);
    if (name === undefined) {
      if (names.size >= MAX_PREPARED_STATEMENTS) return { text, values };
      name = `fv_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
      names.set(text, name);
    }
    return { name, text, values };
  };
}

export async function openDatabase(
  target: DatabaseTarget,
  options: OpenDatabaseOptions = {},
): Promise<Database> {
  return target.kind === 'postgres' ? openPostgres(target, options) : openPglite(target);
}

const unanswered = (ms: number) => new Error(`database did not answer within ${ms} ms`);

function openPostgres(
  target: Extract<DatabaseTarget, { kind: 'postgres' }>,
  options: OpenDatabaseOptions,
): Database {
  const max = options.poolSize ?? 10;
  const pool = new pg.Pool({
    connectionString: target.url,
    max,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
    ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
  });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  const adapter = new PrismaPg(pool);
  let closed = false;
  const statement = preparedStatements(
    options.preparedStatements ?? process.env.DATABASE_PREPARED_STATEMENTS !== 'false',
  );
  const query = async <T extends QueryRow>(sql: string, params: unknown[] = []) =>
    (await pool.query(statement(sql, params))).rows as T[];
  return {
    target,
    description: describeTarget(target),
    adapter,
    query,
    execute: async (sql, params = []) => (await pool.query(statement(sql, params))).rowCount ?? 0,
    exec: async (sql) => {
      await pool.query(sql);
    },
    transaction: async (fn) => {
      const client = await pool.connect();
      // A checked-out client has no listener of the pool's: a connection lost meanwhile (a server
      // restart, a network cut) would be an uncaught 'error' and end the process. Keep it, fail the
      // transaction with it, and discard the client instead of returning it to the pool.
      let lost: Error | null = null;
      const onError = (error: Error) => {
        lost ??= error;
      };
      client.on('error', onError);
      try {
        await client.query('begin');
        const result = await fn({
          query: async <T extends QueryRow>(sql: string, params: unknown[] = []) =>
            (await client.query(statement(sql, params))).rows as T[],
          execute: async (sql, params = []) => (await client.query(statement(sql, params))).rowCount ?? 0,
          exec: async (sql) => {
            await client.query(sql);
          },
        });
        await client.query('commit');
        return result;
      } catch (error) {
        if (!lost) await client.query('rollback').catch(() => undefined);
        throw error;
      } finally {
        client.off('error', onError);
        client.release(lost ?? undefined);
      }
    },
    ping: async (timeoutMs = 2000) => {
      await withTimeout(pool.query('select 1'), timeoutMs, () => unanswered(timeoutMs));
    },
    stats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max }),
    close: async () => {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}

async function openPglite(target: Extract<DatabaseTarget, { kind: 'pglite' }>): Promise<Database> {
  if (target.dataDir) await fs.mkdir(target.dataDir, { recursive: true });
  const db = target.dataDir ? new PGlite(target.dataDir) : new PGlite();
  await db.waitReady;
  const adapter = new PrismaPGlite(db);
  let closed = false;
  return {
    target,
    description: describeTarget(target),
    adapter,
    query: async <T extends QueryRow>(sql: string, params: unknown[] = []) =>
      (await db.query<T>(sql, params)).rows,
    execute: async (sql, params = []) => (await db.query(sql, params)).affectedRows ?? 0,
    exec: async (sql) => {
      await db.exec(sql);
    },
    transaction: (fn) =>
      db.transaction((tx) =>
        fn({
          query: async <T extends QueryRow>(sql: string, params: unknown[] = []) =>
            (await tx.query<T>(sql, params)).rows,
          execute: async (sql, params = []) => (await tx.query(sql, params)).affectedRows ?? 0,
          exec: async (sql) => {
            await tx.exec(sql);
          },
        }),
      ),
    ping: async (timeoutMs = 2000) => {
      if (closed) throw new Error('database is closed');
      await withTimeout(db.query('select 1'), timeoutMs, () => unanswered(timeoutMs));
    },
    // One embedded connection, always open.
    stats: () => ({ total: 1, idle: 1, waiting: 0, max: 1 }),
    close: async () => {
      if (closed) return;
      closed = true;
      await db.close();
    },
  };
}
