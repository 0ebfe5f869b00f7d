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
 * they listen. KAFKA_BROKERS and SCHEMA_REGISTRY_URL, when set, point the tests at another stack
 * instead and nothing is started.
 */
export async function ensureStack(): Promise<StackEndpoints> {
  if (process.env.KAFKA_BROKERS && process.env.SCHEMA_REGISTRY_URL) {
    return { kafkaBrokers: process.env.KAFKA_BROKERS, schemaRegistryUrl: process.env.SCHEMA_REGISTRY_URL };
  }
  const stack = (await import(
    pathToFileURL(path.join(REPOSITORY_ROOT, 'infra/stack.mjs')).href
  )) as StackModule;
  const result = await stack.up({ quiet: true });
  return { kafkaBrokers: result.kafkaBrokers, schemaRegistryUrl: result.schemaRegistryUrl };
}
