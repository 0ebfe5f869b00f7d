import type { TestDatabase } from './test-database.js';
import { uniqueName } from './unique.js';

export interface RuntimeTestEnvOptions {
  /** The start of the runtime's unique SERVICE_NAME. */
  service: string;
  /** Its database: a PostgreSQL one, else embedded PGlite (`pglite:memory`). */
  database: TestDatabase;
  /** The key its routes verify tokens with. */
  jwtSecret: string;
}

/**
 * The environment of a service runtime in an integration test: a unique SERVICE_NAME, logs at
 * TEST_LOG_LEVEL (else fatal only), NODE_ENV=test, its database, the test stack's broker and registry
 * (KAFKA_BROKERS, SCHEMA_REGISTRY_URL, as the global setup sets them), and neither a registration with
 * the coordination service nor live configuration.
 */
export function runtimeTestEnv({
  service,
  database,
  jwtSecret,
}: RuntimeTestEnvOptions): Record<string, string> {
  return {
    SERVICE_NAME: uniqueName(service),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'fatal',
    NODE_ENV: 'test',
    JWT_SECRET: jwtSecret,
    DATABASE_URL: database.target.kind === 'postgres' ? database.target.url : 'pglite:memory',
    KAFKA_BROKERS: process.env.KAFKA_BROKERS!,
    SCHEMA_REGISTRY_URL: process.env.SCHEMA_REGISTRY_URL!,
    SERVICE_REGISTRATION: 'false',
    LIVE_CONFIG: 'false',
  };
}
