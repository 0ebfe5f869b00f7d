import path from 'node:path';
import pg from 'pg';

/**
 * Where a service's database lives. Decided once, here, from DATABASE_URL-style configuration:
 *
 * - `DATABASE_URL=postgresql://…`   → that PostgreSQL database (created if it does not exist);
 * - `DATABASE_URL=pglite:<dir>`     → an embedded PGlite database stored in `<dir>`;
 * - `DATABASE_URL=pglite:memory`    → an embedded, in-memory PGlite database (tests);
 * - unset, in local development     → the local PostgreSQL server (`POSTGRES_ADMIN_URL`, default
 *                                     `postgresql://postgres@127.0.0.1:5432/postgres`) when it answers,
 *                                     with one database per service (`fv_<service>`); otherwise an
 *                                     embedded PGlite database under `<stateDir>/pglite/<service>`;
 * - unset, anywhere else            → refused ({@link DatabaseChoiceError}): a deployed service must
 *                                     never end up on a database of its own by accident.
 *
 * Local development is what the environment says explicitly: `NODE_ENV=development` (as `npm start`
 * sets) or `NODE_ENV=test` (as the test runner sets). An unset NODE_ENV is not local development.
 */
export type DatabaseTarget =
  { kind: 'postgres'; url: string; database: string } | { kind: 'pglite'; dataDir: string | null };

export interface ResolveDatabaseOptions {
  /** Service name, e.g. `platform-coordination`; names the database. */
  service: string;
  /** The service's DATABASE_URL, if any. */
  databaseUrl?: string | undefined;
  /** Admin connection used to probe the local server and create databases. */
  adminUrl?: string | undefined;
  /** Folder for embedded databases (the repository's ignored `.local/` by default). */
  stateDir?: string | undefined;
  /** How long to wait for the local server before falling back to the embedded database. */
  probeTimeoutMs?: number;
  /** The environment that says whether this is local development (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
}

/** Whether the environment says explicitly that this is local development (or its tests). */
export function isLocalDevelopment(env: Readonly<Record<string, string | undefined>>): boolean {
  return env.NODE_ENV === 'development' || env.NODE_ENV === 'test';
}

/** No database was named where one must be: the service must not start. */
export class DatabaseChoiceError extends Error {
  constructor(service: string, nodeEnv: string | undefined) {
    const environment = nodeEnv ? `NODE_ENV=${nodeEnv}` : 'NODE_ENV is not set';
    super(
      `DATABASE_URL is not set for ${service} and this is not local development (${environment}). ` +
        'Set DATABASE_URL to the service database (postgresql://user:password@host:5432/database, or ' +
        'pglite:<dir> for an embedded one); only NODE_ENV=development or NODE_ENV=test fall back to the ' +
        'local PostgreSQL server or an embedded database on their own.',
    );
    this.name = 'DatabaseChoiceError';
  }
}

export const DEFAULT_ADMIN_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';

export function databaseNameFor(service: string): string {
  const name = `fv_${service.toLowerCase().replace(/[^a-z0-9]+/g, '_')}`;
  if (name.length > 63)
    throw new Error(`database name for service "${service}" is longer than 63 characters`);
  return name;
}

export function parseDatabaseUrl(databaseUrl: string, service: string): DatabaseTarget {
  if (databaseUrl.startsWith('pglite:')) {
    const location = databaseUrl.slice('pglite:'.length);
    if (location === '' || location === 'memory' || location === '//memory')
      return { kind: 'pglite', dataDir: null };
    return { kind: 'pglite', dataDir: path.resolve(location.replace(/^\/\//, '')) };
  }
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new Error(`DATABASE_URL for ${service} is not a URL (expected postgresql://… or pglite:<dir>)`);
  }
  if (url.protocol !== 'postgresql:' && url.protocol !== 'postgres:') {
    throw new Error(
      `DATABASE_URL for ${service} has unsupported scheme "${url.protocol}" (expected postgresql: or pglite:)`,
    );
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!database) throw new Error(`DATABASE_URL for ${service} names no database`);
  return { kind: 'postgres', url: databaseUrl, database };
}

/** Resolves the database target and makes sure a PostgreSQL database exists. */
export async function resolveDatabase(options: ResolveDatabaseOptions): Promise<DatabaseTarget> {
  const stateDir = options.stateDir ?? defaultStateDir();
  if (options.databaseUrl) {
    const target = parseDatabaseUrl(options.databaseUrl, options.service);
    if (target.kind === 'postgres') await ensurePostgresDatabase(target.url, options.adminUrl);
    return target;
  }
  const env = options.env ?? process.env;
  if (!isLocalDevelopment(env)) throw new DatabaseChoiceError(options.service, env.NODE_ENV);
  const adminUrl = options.adminUrl ?? DEFAULT_ADMIN_URL;
  if (await postgresAnswers(adminUrl, options.probeTimeoutMs ?? 1500)) {
    const database = databaseNameFor(options.service);
    const url = new URL(adminUrl);
    url.pathname = `/${database}`;
    await ensurePostgresDatabase(url.toString(), adminUrl);
    return { kind: 'postgres', url: url.toString(), database };
  }
  return { kind: 'pglite', dataDir: path.join(stateDir, 'pglite', options.service) };
}

export function defaultStateDir(): string {
  // packages/database/src → repository root
  return path.resolve(import.meta.dirname, '../../../.local');
}

export async function postgresAnswers(url: string, timeoutMs: number): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Creates the database named by `url` when missing, connecting through `adminUrl` (or the same server's `postgres` db). */
export async function ensurePostgresDatabase(url: string, adminUrl?: string): Promise<void> {
  const target = new URL(url);
  const database = decodeURIComponent(target.pathname.replace(/^\//, ''));
  const admin = adminUrl ? new URL(adminUrl) : new URL(url);
  if (!adminUrl) admin.pathname = '/postgres';
  // Only create through the admin connection when it points at the same server.
  if (admin.host !== target.host) {
    admin.href = target.href;
    admin.pathname = '/postgres';
  }
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const exists = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (exists.rowCount === 0) {
      try {
        await client.query(`create database ${quoteIdent(database)}`);
      } catch (error) {
        // Another process created it between the check and the create.
        if ((error as { code?: string }).code !== '42P04') throw error;
      }
    }
  } finally {
    await client.end();
  }
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function describeTarget(target: DatabaseTarget): string {
  if (target.kind === 'pglite')
    return target.dataDir ? `embedded PGlite at ${target.dataDir}` : 'embedded PGlite (in memory)';
  const url = new URL(target.url);
  url.password = url.password ? '***' : '';
  return `PostgreSQL ${url.toString()}`;
}
