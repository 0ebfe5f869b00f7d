import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import {
  PLATFORM_SERVICES as SERVICES,
  REPOSITORY_ROOT,
  startBenchStack,
  waitFor,
  type BenchStack,
  type PlatformService as ServiceName,
} from '@fv/testing';
import { listenerPid } from '../proc-stat.js';

export { SERVICES, type ServiceName };
export const PAYMENT_PROVIDER = 'payment-provider';
export type ServerName = ServiceName | typeof PAYMENT_PROVIDER;

export const JWT_SECRET = 'order-benchmark-secret-0123456789abcdef';

async function freePort(): Promise<number> {
  for (;;) {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    // Never a port of the stack `npm start` runs.
    if (![9092, 9093, 8090].includes(port) && !(port >= 8081 && port <= 8087)) return port;
  }
}

export interface DatabaseStats {
  commits: number;
  rollbacks: number;
  /** Rows inserted, updated and deleted. */
  rowsWritten: number;
  /** Rows returned by scans and fetched by index look-ups. */
  rowsRead: number;
  /** Rows inserted, updated and deleted, by table (pg_stat_user_tables). */
  tables: Record<string, number>;
}

export interface BenchPlatform {
  url(server: ServerName): string;
  /** The pid of each server process (node itself: tsx runs in-process through --import). */
  pids: Map<ServerName, number>;
  kafkaPid: number | null;
  registryPid: number | null;
  /** The databases of this platform, to find their PostgreSQL backends. */
  databaseNames: string[];
  /** Pids of the PostgreSQL backends serving this platform's databases now. */
  postgresBackends(): Promise<number[]>;
  /** Cumulative statistics of each server's database (pg_stat_database), by server. */
  databaseStats(): Promise<Map<ServerName, DatabaseStats>>;
  logsDir: string;
  /** Where each server wrote its .cpuprofile, when profiling. */
  profileDirs: Map<ServerName, string>;
  stop(): Promise<void>;
}

/**
 * The whole platform as processes, on a broker and registry of its own (`startBenchStack`: infra/stack.mjs
 * in a temporary folder on free ports) and fresh databases on the local PostgreSQL server — never the
 * `npm start` stack. Each server is `node --enable-source-maps dist/main.js` (built first by `turbo run
 * build`, as `npm start` runs it) or, with `servers: 'sources'`, `node --import tsx src/main.ts`, with the
 * environment the end-to-end scenarios give it; with `profileDir`, also `--cpu-prof` into a folder per
 * server.
 */
export async function startPlatform(options: {
  logsDir: string;
  logLevel: string;
  servers: 'compiled' | 'sources';
  profileDir?: string;
  log: (line: string) => void;
}): Promise<BenchPlatform> {
  const { log } = options;
  fs.rmSync(options.logsDir, { recursive: true, force: true });
  fs.mkdirSync(options.logsDir, { recursive: true });
  if (options.servers === 'compiled') {
    log('building the servers (turbo run build: what changed since the last build)');
    const build = spawnSync(
      process.execPath,
      ['scripts/pnpm.mjs', 'exec', 'turbo', 'run', 'build', '--output-logs=errors-only'],
      { cwd: REPOSITORY_ROOT, stdio: ['ignore', 'inherit', 'inherit'] },
    );
    if (build.status !== 0) throw new Error('the servers did not build (turbo run build)');
  }
  const stack: BenchStack = await startBenchStack('bench-orders');
  const children: { name: ServerName; child: ChildProcess }[] = [];
  const ports = new Map<ServerName, number>();
  const pids = new Map<ServerName, number>();
  const profileDirs = new Map<ServerName, string>();
  const databaseNames: string[] = [];
  const databaseOf = new Map<string, ServerName>();
  const url = (name: ServerName) => `http://127.0.0.1:${ports.get(name)}`;

  const terminate = (child: ChildProcess) =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 20_000).unref();
    });
  // Last resort when the benchmark ends without stop(): no server outlives it.
  const killAll = () => {
    for (const { child } of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.on('exit', killAll);
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      process.off('exit', killAll);
      // The coordination service last, so the others can deregister; the provider after orders.
      const last = new Set<ServerName>(['platform-coordination', PAYMENT_PROVIDER]);
      await Promise.all(children.filter((c) => !last.has(c.name)).map(({ child }) => terminate(child)));
      await Promise.all(children.filter((c) => last.has(c.name)).map(({ child }) => terminate(child)));
      await stack.stop();
    })());

  try {
    const adminUrl = new URL(
      process.env.POSTGRES_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
    );
    const launch = async (name: ServerName) => {
      const database = await stack.createDatabase(`bench-${name}`);
      if (database.target.kind !== 'postgres')
        throw new Error('the order benchmark needs the local PostgreSQL server (POSTGRES_ADMIN_URL)');
      databaseNames.push(database.target.database);
      databaseOf.set(database.target.database, name);
      // The benchmark holds no connection of its own to a service's database: its backends are the service's.
      await database.db.close();
      const cwd =
        name === PAYMENT_PROVIDER
          ? path.join(REPOSITORY_ROOT, 'simulators', PAYMENT_PROVIDER)
          : path.join(REPOSITORY_ROOT, 'services', name);
      const execArgv: string[] = [];
      if (options.profileDir) {
        const dir = path.join(options.profileDir, name);
        fs.mkdirSync(dir, { recursive: true });
        profileDirs.set(name, dir);
        execArgv.push('--cpu-prof', `--cpu-prof-dir=${dir}`);
      }
      const out = fs.openSync(path.join(options.logsDir, `${name}.log`), 'a');
      const entry =
        options.servers === 'compiled'
          ? ['--enable-source-maps', 'dist/main.js']
          : ['--import', 'tsx', 'src/main.ts'];
      const child = spawn(process.execPath, [...execArgv, ...entry], {
        cwd,
        stdio: ['ignore', out, out],
        env: {
          ...process.env,
          NODE_ENV: 'test',
          HOST: '127.0.0.1',
          PORT: String(ports.get(name)),
          DATABASE_URL: database.target.url,
          POSTGRES_ADMIN_URL: adminUrl.toString(),
          KAFKA_BROKERS: stack.kafkaBrokers,
          SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
          COORDINATION_URL: url('platform-coordination'),
          ORDERS_URL: url('orders'),
          PAYMENT_PROVIDER_URL: url(PAYMENT_PROVIDER),
          JWT_SECRET,
          LOG_LEVEL: options.logLevel,
        },
      });
      fs.closeSync(out);
      children.push({ name, child });
      pids.set(name, child.pid!);
    };
    const ready = (name: ServerName) => {
      const child = children.find((c) => c.name === name)!.child;
      return waitFor(
        async () => {
          if (child.exitCode !== null)
            throw new Error(`${name} exited with ${child.exitCode}; see ${options.logsDir}/${name}.log`);
          const response = await fetch(`${url(name)}/health/ready`, { signal: AbortSignal.timeout(2000) });
          return response.ok;
        },
        {
          timeoutMs: 180_000,
          intervalMs: 500,
          description: `${name} to be ready (log: ${options.logsDir}/${name}.log)`,
        },
      );
    };

    for (const name of [PAYMENT_PROVIDER, ...SERVICES] as ServerName[]) ports.set(name, await freePort());
    // The provider and the coordination service first: the others call them from their start on.
    for (const name of [PAYMENT_PROVIDER, 'platform-coordination'] as ServerName[]) await launch(name);
    for (const name of [PAYMENT_PROVIDER, 'platform-coordination'] as ServerName[]) await ready(name);
    for (const name of SERVICES.slice(1)) await launch(name);
    for (const name of SERVICES.slice(1)) await ready(name);
    log(
      `platform ready: ${([PAYMENT_PROVIDER, ...SERVICES] as ServerName[]).map((n) => `${n} ${url(n)}`).join(', ')}`,
    );
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }

  const kafkaPid = listenerPid(Number(new URL(`kafka://${stack.kafkaBrokers.split(',')[0]}`).port));
  const registryPid = listenerPid(Number(new URL(stack.schemaRegistryUrl).port));
  const adminUrl = process.env.POSTGRES_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  // One connection for every look-up (a new one per second would fork a backend per second).
  let admin: Promise<pg.Client> | undefined;
  const connectAdmin = async () => {
    const created = new pg.Client({ connectionString: adminUrl });
    created.on('error', () => undefined);
    await created.connect();
    return created;
  };
  const postgresBackends = async () => {
    const client = await (admin ??= connectAdmin());
    const { rows } = await client.query<{ pid: number }>(
      'select pid from pg_stat_activity where datname = any($1::text[])',
      [databaseNames],
    );
    return rows.map((row) => row.pid);
  };
  const databaseStats = async () => {
    const client = await (admin ??= connectAdmin());
    const { rows } = await client.query<{
      datname: string;
      commits: string;
      rollbacks: string;
      written: string;
      read: string;
    }>(
      `select datname, xact_commit as commits, xact_rollback as rollbacks,
              tup_inserted + tup_updated + tup_deleted as written, tup_returned + tup_fetched as read
         from pg_stat_database where datname = any($1::text[])`,
      [databaseNames],
    );
    const stats = new Map<ServerName, DatabaseStats>();
    for (const row of rows)
      stats.set(databaseOf.get(row.datname)!, {
        commits: Number(row.commits),
        rollbacks: Number(row.rollbacks),
        rowsWritten: Number(row.written),
        rowsRead: Number(row.read),
        tables: await tableStats(row.datname),
      });
    return stats;
  };
  // pg_stat_user_tables is per database: one connection to each, opened at the first look-up.
  const perDatabase = new Map<string, Promise<pg.Client>>();
  const tableStats = async (datname: string) => {
    let client = perDatabase.get(datname);
    if (!client) {
      const url = new URL(adminUrl);
      url.pathname = `/${datname}`;
      client = (async () => {
        const created = new pg.Client({ connectionString: url.toString() });
        created.on('error', () => undefined);
        await created.connect();
        return created;
      })();
      perDatabase.set(datname, client);
    }
    const { rows } = await (
      await client
    ).query<{ relname: string; written: string }>(
      `select relname, n_tup_ins + n_tup_upd + n_tup_del as written from pg_stat_user_tables`,
    );
    return Object.fromEntries(rows.map((row) => [row.relname, Number(row.written)]));
  };
  const stopPlatform = stop;
  const stopAll = async () => {
    if (admin) await (await admin.catch(() => null))?.end().catch(() => undefined);
    admin = undefined;
    for (const client of perDatabase.values())
      await (await client.catch(() => null))?.end().catch(() => undefined);
    perDatabase.clear();
    await stopPlatform();
  };
  return {
    url,
    pids,
    kafkaPid,
    registryPid,
    databaseNames,
    postgresBackends,
    databaseStats,
    logsDir: options.logsDir,
    profileDirs,
    stop: stopAll,
  };
}
