/**
 * Asks the live schema registry whether each schema in schemas/ (the working tree, not the
 * generated catalog) could be registered as the next version of its subject. Exits
 * non-zero, naming the schema and the fields at fault, if any could not.
 *
 *   SCHEMA_REGISTRY_URL=http://127.0.0.1:8090/apis/ccompat/v7 pnpm --filter @fv/contracts run check-compat
 */
import { checkSchemasAgainstRegistry, SchemaRegistryClient, SchemaRegistryError } from '../src/index.js';
import { loadEventDefinitions, SchemaLintError } from '../src/schema-files.js';
import { registryUrl } from './registry-url.js';

try {
  const definitions = loadEventDefinitions();
  const client = new SchemaRegistryClient({ url: registryUrl });
  const results = await checkSchemasAgainstRegistry(
    client,
    definitions.map((d) => ({ subject: d.subject, schema: d.schema, source: d.file })),
  );
  const incompatible = results.filter((r) => r.status === 'incompatible');
  const unregistered = results.filter((r) => r.status === 'unregistered');
  for (const result of incompatible) {
    console.error(`${result.source}: not BACKWARD compatible with the latest version of ${result.subject}`);
    for (const issue of result.issues) console.error(`  - ${issue.message}`);
    for (const message of result.registryMessages) console.error(`  - registry: ${message}`);
    if (result.issues.length === 0 && result.registryMessages.length === 0) {
      console.error('  - the registry gave no details; compare the file with the registered version');
    }
  }
  console.log(
    `${results.length - incompatible.length - unregistered.length} compatible, ${incompatible.length} incompatible, ` +
      `${unregistered.length} not registered yet (${registryUrl}).`,
  );
  if (incompatible.length > 0) process.exit(1);
} catch (error) {
  if (error instanceof SchemaLintError || error instanceof SchemaRegistryError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
