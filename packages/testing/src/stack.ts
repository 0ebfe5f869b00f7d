import path from 'node:path';
import { pathToFileURL } from 'node:url';

export interface StackEndpoints {
  kafkaBrokers: string;
  schemaRegistryUrl: string;
}

export const REPOSITORY_ROOT = path.resolve(import.meta.dirname, '../../..');

interface StackModule {
  up(options?: Record<string, unknown>): Promise<StackEndpoints & Record<string, unknown>>;
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
  const stack = (await import(
    pathToFileURL(path.join(REPOSITORY_ROOT, 'infra/stack.mjs')).href
  )) as StackModule;
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
