import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PLATFORM_SERVICES } from '@fv/testing/platform-requests';
import { EventStack } from './event-stack.js';
import { FaultProxy } from './fault-proxy.js';
import { platformPorts } from '@fv/testing';
import { DEFAULT_PG_BIN, PostgresServer } from './postgres-server.js';
import { Prng } from '@fv/testing';
import { Supervisor, sleep } from './supervisor.js';

export const REPOSITORY_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The six services, in start order (coordination first: the others register with it). */
export const SERVICES = PLATFORM_SERVICES;

/** The payment provider simulator, run when the repository has it. */
export const PAYMENT_PROVIDER = 'payment-provider';
const PAYMENT_PROVIDER_DIR = path.join(REPOSITORY_ROOT, 'simulators', PAYMENT_PROVIDER);
/** The supplier simulator inventory reorders from, run when the repository has it. */
export const SUPPLIER = 'supplier';
const SUPPLIER_DIR = path.join(REPOSITORY_ROOT, 'simulators', SUPPLIER);
/** The simulators the suite runs (and kills) besides the six services, when the repository has them. */
export function simulatorsPresent(): string[] {
  return [PAYMENT_PROVIDER, SUPPLIER].filter((name) =>
    fs.existsSync(path.join(REPOSITORY_ROOT, 'simulators', name, 'src', 'main.ts')),
  );
}
/** How fast the supplier simulator confirms and delivers a purchase order in the suite's runs (ms). */
export const SUPPLIER_CONFIRM_DELAY_MS = 1_500;
export const SUPPLIER_DELIVERY_DELAY_MS = 4_000;

export const JWT_SECRET = 'chaos-suite-secret-0123456789abcdef';

export interface Platform {
  /** Every supervised server: the services and, when present, the payment provider and supplier simulators. */
  servers: string[];
  url(server: string): string;
  stack: EventStack;
  postgres: PostgresServer;
  proxies: Map<string, FaultProxy>;
  supervisor: Supervisor;
  logsDir: string;
  hasPaymentProvider: boolean;
  hasSupplier: boolean;
  /** Stops everything the platform started; safe to call twice. */
  stop(options?: { keepState?: boolean }): Promise<void>;
  /** Synchronous last resort when the suite is interrupted. */
  emergencyStop(): void;
}

function databaseName(server: string): string {
  return `fv_${server.replace(/[^a-z0-9]+/g, '_')}`;
}

/**
 * The platform of the suite's own — never the `npm start` stack: a broker and registry (infra/stack.mjs) in a
 * temporary state folder on free ports, a PostgreSQL cluster of its own with one database per server, a
 * fault proxy in front of each server's database connections, and every server a supervised process.
 */
export async function startPlatform(options: {
  random: Prng;
  log: (line: string) => void;
  /** Ports to listen on ([first, last]), or null for any free port. */
  portRange?: [number, number] | null;
  /** Folder the temporary folder is made in (default: the repository's .local/chaos-state). */
  stateDir?: string | null;
  /** Given the platform's stop functions before anything starts, so an interruption during start-up can stop it. */
  onStoppable?: (stoppers: Pick<Platform, 'stop' | 'emergencyStop'>) => void;
}): Promise<Platform> {
  const { log } = options;
  const freePort = platformPorts(options.portRange ?? null, { warn: (line) => log(`warning: ${line}`) });
  const stateBase = path.resolve(options.stateDir ?? path.join(REPOSITORY_ROOT, '.local', 'chaos-state'));
  fs.mkdirSync(stateBase, { recursive: true });
  const stateDir = fs.mkdtempSync(path.join(stateBase, 'fv-chaos-'));
  // PostgreSQL runs as its own user when the suite runs as root: it must be able to reach its folder.
  fs.chmodSync(stateDir, 0o755);
  const logsDir = path.join(REPOSITORY_ROOT, '.local', 'chaos-logs');
  fs.rmSync(logsDir, { recursive: true, force: true });
  fs.mkdirSync(logsDir, { recursive: true });
  fs.chmodSync(logsDir, 0o755);

  const simulators = simulatorsPresent();
  const hasPaymentProvider = simulators.includes(PAYMENT_PROVIDER);
  const hasSupplier = simulators.includes(SUPPLIER);
  const servers = [...simulators, ...SERVICES];
  const ports = new Map<string, number>();
  for (const server of servers) ports.set(server, await freePort());
  const url = (server: string) => `http://127.0.0.1:${ports.get(server)}`;

  const stack = new EventStack(REPOSITORY_ROOT, {
    stateDir: path.join(stateDir, 'stack'),
    kafkaPort: await freePort(),
    controllerPort: await freePort(),
    registryPort: await freePort(),
    jarsDir: process.env.FV_JARS_DIR ?? path.join(REPOSITORY_ROOT, '.local', 'jars'),
    log: (line) => log(`stack: ${line}`),
  });
  const postgres = new PostgresServer({
    binDir: process.env.FV_PG_BIN ?? DEFAULT_PG_BIN,
    baseDir: path.join(stateDir, 'postgres'),
    port: await freePort(),
    logFile: path.join(logsDir, 'postgresql.log'),
  });
  const proxies = new Map<string, FaultProxy>();
  const supervisor = new Supervisor(options.random.fork('crash-restarts'), [500, 3000], log);

  let stopped = false;
  let stackStarted = false;
  let postgresStarted = false;
  const stop = async ({ keepState = false } = {}) => {
    if (stopped) return;
    stopped = true;
    // The coordination service last, so the others can deregister from it.
    await supervisor.stopAll(['platform-coordination']);
    for (const proxy of proxies.values()) await proxy.close();
    if (stackStarted) {
      // A frozen broker would never stop.
      await stack.pid('kafka').then(
        (pid) => stack.signal(pid, 'SIGCONT'),
        () => {},
      );
      await stack
        .down()
        .catch((error) => log(`stopping the broker and registry: ${(error as Error).message}`));
    }
    if (postgresStarted)
      await postgres.stop().catch((error) => log(`stopping PostgreSQL: ${(error as Error).message}`));
    if (keepState) log(`kept ${stateDir}`);
    else fs.rmSync(stateDir, { recursive: true, force: true });
  };
  const emergencyStop = () => {
    supervisor.killAllNow();
    for (const proxy of proxies.values()) void proxy.close();
  };

  options.onStoppable?.({ stop, emergencyStop });
  try {
    log(`starting the broker and schema registry in ${stack.options.stateDir}`);
    stackStarted = true;
    await stack.up();
    log(`starting PostgreSQL on 127.0.0.1:${postgres.port} (${postgres.dataDir})`);
    await postgres.init();
    postgresStarted = true;
    await postgres.start();
    await postgres.createDatabases(servers.map(databaseName));
    for (const server of servers) {
      const proxy = new FaultProxy({ host: '127.0.0.1', port: postgres.port }, `${server} database proxy`);
      await proxy.listen(await freePort());
      proxies.set(server, proxy);
    }

    const launch = (server: string) => {
      const proxied = `postgresql://postgres@127.0.0.1:${proxies.get(server)!.port}`;
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        NODE_ENV: 'test',
        HOST: '127.0.0.1',
        PORT: String(ports.get(server)),
        DATABASE_URL: `${proxied}/${databaseName(server)}`,
        POSTGRES_ADMIN_URL: `${proxied}/postgres`,
        KAFKA_BROKERS: stack.kafkaBrokers,
        SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
        COORDINATION_URL: url('platform-coordination'),
        ORDERS_URL: url('orders'),
        JWT_SECRET,
        LOG_LEVEL: process.env.CHAOS_LOG_LEVEL ?? 'info',
        ...(hasPaymentProvider ? { PAYMENT_PROVIDER_URL: url(PAYMENT_PROVIDER) } : {}),
        // Only the locations the load configures are replenished; the others keep the stock they are given.
        ...(server === 'inventory' && hasSupplier
          ? {
              SUPPLIER_URL: url(SUPPLIER),
              DEFAULT_REORDER_QUANTITY: '0',
              REPLENISHMENT_POLL_INTERVAL_MS: '1000',
            }
          : {}),
        ...(server === SUPPLIER
          ? {
              CONFIRM_DELAY_MS: String(SUPPLIER_CONFIRM_DELAY_MS),
              DELIVERY_DELAY_MS: String(SUPPLIER_DELIVERY_DELAY_MS),
            }
          : {}),
      };
      supervisor.start({
        name: server,
        cwd:
          server === PAYMENT_PROVIDER
            ? PAYMENT_PROVIDER_DIR
            : server === SUPPLIER
              ? SUPPLIER_DIR
              : path.join(REPOSITORY_ROOT, 'services', server),
        command: process.execPath,
        args: ['--import', 'tsx', 'src/main.ts'],
        env,
        readyUrl: `${url(server)}/health/ready`,
        logFile: path.join(logsDir, `${server}.log`),
      });
    };
    // The simulators and the coordination service first: the others call them from their start on.
    const first: string[] = servers.filter(
      (server) => simulators.includes(server) || server === 'platform-coordination',
    );
    for (const server of first) launch(server);
    for (const server of first) await supervisor.waitReady(server, 180_000);
    for (const server of servers.filter((server) => !first.includes(server))) launch(server);
    for (const server of servers) await supervisor.waitReady(server, 180_000);
    log(`platform ready: ${servers.map((server) => `${server} ${url(server)}`).join(', ')}`);
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
  return {
    servers,
    url,
    stack,
    postgres,
    proxies,
    supervisor,
    logsDir,
    hasPaymentProvider,
    hasSupplier,
    stop,
    emergencyStop,
  };
}

export { sleep };
