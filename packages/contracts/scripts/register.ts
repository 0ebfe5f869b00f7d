/**
 * Registers every event schema with the schema registry under `<topic>-value`, with
 * compatibility BACKWARD. Idempotent. Exits non-zero, naming each refused subject and the
 * registry's reason, if any schema is refused.
 *
 *   SCHEMA_REGISTRY_URL=http://127.0.0.1:8090/apis/ccompat/v7 pnpm --filter @fv/contracts run register
 */
import { registerAllSchemas, SchemaRegistrationError } from '../src/index.js';
import { registryUrl } from './registry-url.js';

try {
  const ids = await registerAllSchemas({ registryUrl });
  const width = Math.max(...Object.keys(ids).map((subject) => subject.length));
  for (const [subject, id] of Object.entries(ids)) console.log(`${subject.padEnd(width)}  id ${id}`);
  console.log(`Registered ${Object.keys(ids).length} schemas with ${registryUrl} (compatibility BACKWARD).`);
} catch (error) {
  if (error instanceof SchemaRegistrationError) {
    console.error(`${error.message}\nRegistry: ${registryUrl}`);
    process.exit(1);
  }
  throw error;
}
