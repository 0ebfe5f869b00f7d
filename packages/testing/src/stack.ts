import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { freePort } from './free-port.js';

export interface StackEndpoints {
  kafkaBrokers: string;
  schemaRegistryUrl: string;
}

export const REPOSITORY_ROOT = path.resolve(import.meta.dirname, '../../..');

/** Where `infra/stack.mjs` keeps and runs one stack. */
export interface StackOptions {
  stateDir: string;
  kafkaPort: number;
  controllerPort: number;
  registryPort: number;
  jarsDir: string;
  quiet?: boolean;
  log?: (message: string) => void;
}

/** `infra/stack.mjs`: starts (idempotently) and stops a broker and schema registry. */
export interface StackModule {
  up(
    options: StackOptions,
  ): Promise<StackEndpoints & { components: Record<string, { pid?: number | null } | undefined> }>;
  down(options: StackOptions): Promise<unknown>;
  status(options: StackOptions): Promise<{
    healthy: boolean;
    components: { kafka: StackComponentStatus; schemaRegistry: StackComponentStatus };
  }>;
}

/** One process of a stack, as `status()` reports it. */
export interface StackComponentStatus {
  state: 'running' | 'stopped';
  pid: number | null;
  healthy: boolean;
}

/** Loads `infra/stack.mjs` of the repository. */
export async function loadStackModule(): Promise<StackModule> {
  return (await import(pathToFileURL(path.join(REPOSITORY_ROOT, 'infra/stack.mjs')).href)) as StackModule;
}

/**
 * The options of a stack of one run's own: a new state folder (`fv-<name>-…` in the temporary folder, for
 * the caller to remove), free ports, and the downloaded jars every stack shares (FV_JARS_DIR, else `.local/jars`).
 */
export async function ownStackOptions(name: string): Promise<StackOptions> {
  return {
    stateDir: await fsp.mkdtemp(path.join(os.tmpdir(), `fv-${name.replace(/[^\w-]+/g, '-')}-`)),
    kafkaPort: await freePort(),
    controllerPort: await freePort(),
    registryPort: await freePort(),
    jarsDir: process.env.FV_JARS_DIR || path.join(REPOSITORY_ROOT, '.local', 'jars'),
  };
}

/**
 * Makes sure the local broker and schema registry run (starting them, or reusing the ones already
 * running: `infra/stack.mjs` is idempotent and locks against concurrent starts) and returns where
 * they listen: the test stack of `npm test` (`.local/test-stack`, ports 19092/19093/18090). KAFKA_BROKERS and SCHEMA_REGISTRY_URL, when set, point the tests at another stack
 * instead and nothing is started.
 */
export async function ensureStack(): Promise<StackEndpoints> {
  if (process.env.KAFKA_BROKERS && process.env.SCHEMA_REGISTRY_URL) {
    return { kafkaBrokers: process.env.KAFKA_BROKERS, schemaRegistryUrl: process.env.SCHEMA_REGISTRY_URL };
  }
  const stack = await loadStackModule();
  // The same stack as `npm test` (never the one `npm start` runs on 9092/8090): a test file run on its
  // own starts, or reuses, the test stack.
  const result = await stack.up({
    quiet: true,
    stateDir: process.env.FV_TEST_STATE_DIR ?? path.join(REPOSITORY_ROOT, '.local', 'test-stack'),
    jarsDir: process.env.FV_JARS_DIR ?? path.join(REPOSITORY_ROOT, '.local', 'jars'),
    kafkaPort: Number(process.env.FV_TEST_KAFKA_PORT ?? 19092),
    controllerPort: Number(process.env.FV_TEST_KAFKA_CONTROLLER_PORT ?? 19093),
    registryPort: Number(process.env.FV_TEST_REGISTRY_PORT ?? 18090),
  });
  return { kafkaBrokers: result.kafkaBrokers, schemaRegistryUrl: result.schemaRegistryUrl };
}
