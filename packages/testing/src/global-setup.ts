import { ensureStack } from './stack.js';

/**
 * vitest `globalSetup` for integration tests: starts (or reuses) the local stack once per run and
 * hands its endpoints to the test workers (and the processes they start) through the environment.
 * `npm test` runs each package's integration tests on topics of its own (KAFKA_TOPIC_PREFIX, set per job
 * by scripts/integration-lanes.mjs); a suite run by hand uses the catalog's topics unless it is set.
 */
export default async function setup(): Promise<void> {
  const stack = await ensureStack();
  process.env.KAFKA_BROKERS = stack.kafkaBrokers;
  process.env.SCHEMA_REGISTRY_URL = stack.schemaRegistryUrl;
}
