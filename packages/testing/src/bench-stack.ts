import fs from 'node:fs';
import fsp from 'node:fs/promises';
import {
  loadStackModule,
  ownStackOptions,
  type StackEndpoints,
  type StackModule,
  type StackOptions,
} from './stack.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

/** The broker and schema registry of one benchmark run, and the databases it made. */
export interface BenchStack extends StackEndpoints {
  /** The stack's own state folder (removed by `stop`). */
  stateDir: string;
  /** A fresh database on the local PostgreSQL server (PGlite without one), dropped by `stop`. */
  createDatabase(name: string, options?: { migrationsDir?: string }): Promise<TestDatabase>;
  /** Drops the databases, stops the broker and registry and removes their folder. Idempotent. */
  stop(): Promise<void>;
}

/**
 * A Kafka broker and schema registry of the benchmark's own — `infra/stack.mjs` in a temporary state
 * folder on free ports, as the end-to-end scenarios run — so a benchmark never publishes onto the topics
 * of the stack `npm start` runs (whose services would consume its synthetic events) and never depends on
 * it running. The downloaded jars are shared with the other stacks (FV_JARS_DIR, else `.local/jars`).
 *
 * KAFKA_BROKERS and SCHEMA_REGISTRY_URL of this process are pointed at the new stack (code that reads
 * them, such as test fixtures, must be imported after this resolves). Databases come from
 * `createDatabase`: fresh ones, never a service's. `stop()` cleans everything up; should the process end
 * without it (a failure, Ctrl-C), the broker and registry are killed on the way out.
 */
export async function startBenchStack(name = 'bench'): Promise<BenchStack> {
  const stack = await loadStackModule();
  const options: StackOptions = {
    ...(await ownStackOptions(name)),
    log: (message) => process.stderr.write(`  stack: ${message}\n`),
  };
  process.stderr.write(
    `${name}: starting a broker (127.0.0.1:${options.kafkaPort}) and schema registry (127.0.0.1:${options.registryPort}) of its own in ${options.stateDir}\n`,
  );

  const pids: number[] = [];
  const databases: TestDatabase[] = [];
  let stopped: Promise<void> | null = null;
  // Last resort when the process ends without stop(): nothing of the stack outlives the benchmark.
  const onExit = () => {
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    fs.rmSync(options.stateDir, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals) => {
    void stop().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.on('exit', onExit);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      for (const database of databases.splice(0)) await database.dispose().catch(() => undefined);
      await stack.down(options);
      await fsp.rm(options.stateDir, { recursive: true, force: true });
      pids.length = 0;
      process.off('exit', onExit);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    })());

  let endpoints: Awaited<ReturnType<StackModule['up']>>;
  try {
    endpoints = await stack.up(options);
  } catch (error) {
    await stack.down(options).catch(() => undefined);
    await fsp.rm(options.stateDir, { recursive: true, force: true });
    process.off('exit', onExit);
    throw error;
  }
  for (const component of Object.values(endpoints.components)) {
    if (component?.pid) pids.push(component.pid);
  }
  process.env.KAFKA_BROKERS = endpoints.kafkaBrokers;
  process.env.SCHEMA_REGISTRY_URL = endpoints.schemaRegistryUrl;

  return {
    kafkaBrokers: endpoints.kafkaBrokers,
    schemaRegistryUrl: endpoints.schemaRegistryUrl,
    stateDir: options.stateDir,
    async createDatabase(databaseName, databaseOptions = {}) {
      const database = await createTestDatabase({ name: databaseName, ...databaseOptions });
      databases.push(database);
      return database;
    },
    stop,
  };
}
