/**
 * Writes the coordination service's OpenAPI document to packages/coordination-sdk/openapi.json: the
 * service's app is built (nothing is started, no database or broker is reached) and asked for the
 * document its routes describe. The SDK's `generate` then turns it into its src/generated/openapi.ts.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCoordinationRuntime } from '../src/runtime.js';

const target = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'packages',
  'coordination-sdk',
  'openapi.json',
);
const runtime = await createCoordinationRuntime({
  env: {
    SERVICE_NAME: 'platform-coordination',
    LOG_LEVEL: 'fatal',
    NODE_ENV: 'test',
    JWT_SECRET: 'openapi-document-only-0123456789',
    DATABASE_URL: 'pglite:memory',
    KAFKA_BROKERS: '127.0.0.1:1',
    SCHEMA_REGISTRY_URL: 'http://127.0.0.1:1',
    SERVICE_REGISTRATION: 'false',
  },
});
try {
  await runtime.app.ready();
  const document = runtime.app.swagger() as Record<string, unknown>;
  writeFileSync(target, `${JSON.stringify(document, null, 2)}\n`);
  console.log(`wrote ${target}`);
} finally {
  await runtime.app.close();
}
