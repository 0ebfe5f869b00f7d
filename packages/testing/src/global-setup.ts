import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureStack } from './stack.js';

/**
 * The topic namespace of one package's integration tests (`test.orders.` for @fv/orders), so that the
 * suites of several packages can run at once on one broker: a service's consumers under test then
 * never see the events another package's suite publishes (an inventory suite would otherwise answer
 * the orders suite's OrderCreated, and the coordination observer its PaymentFailed).
 */
export function testTopicPrefix(packageDir: string): string {
  const { name } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { name: string };
  return `test.${name.replace(/^@[^/]+\//, '').replace(/[^A-Za-z0-9._-]/g, '-')}.`;
}

/**
 * vitest `globalSetup` for integration tests: starts (or reuses) the local stack once per run and
 * hands its endpoints, and the package's topic namespace (unless KAFKA_TOPIC_PREFIX says otherwise),
 * to the test workers and the processes they start through the environment.
 */
export default async function setup(): Promise<void> {
  const stack = await ensureStack();
  process.env.KAFKA_BROKERS = stack.kafkaBrokers;
  process.env.SCHEMA_REGISTRY_URL = stack.schemaRegistryUrl;
  process.env.KAFKA_TOPIC_PREFIX ??= testTopicPrefix(process.cwd());
}
