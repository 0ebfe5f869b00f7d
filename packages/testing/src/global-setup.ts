import { ensureStack } from './stack.js';

/**
 * vitest `globalSetup` for integration tests: starts (or reuses) the local stack once per run and
 * hands its endpoints to the test workers through the environment.
 */
export default async function setup(): Promise<void> {
  const stack = await ensureStack();
  process.env.KAFKA_BROKERS = stack.kafkaBrokers;
  process.env.SCHEMA_REGISTRY_URL = stack.schemaRegistryUrl;
}
