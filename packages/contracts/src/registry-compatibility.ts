import { checkBackwardCompatibility, type CompatibilityIssue } from './compatibility.js';
import type { SchemaToRegister } from './register-schemas.js';
import type { SchemaRegistryClient } from './schema-registry-client.js';

export interface RegistryCompatibilityResult {
  readonly subject: string;
  readonly source: string | undefined;
  /** `unregistered`: the registry has no version of the subject yet, so anything goes. */
  readonly status: 'compatible' | 'incompatible' | 'unregistered';
  /** For an incompatible schema: the fields at fault, from the offline checker. */
  readonly issues: readonly CompatibilityIssue[];
  /** For an incompatible schema: the registry's own explanations, when it gives any. */
  readonly registryMessages: readonly string[];
}

/**
 * Asks the registry whether each schema could be registered as the next version of its
 * subject. Subjects the registry does not have are reported as `unregistered` and not
 * asked about. For a refused schema the offline checker compares it with the registered
 * latest version to name the fields at fault.
 */
export async function checkSchemasAgainstRegistry(
  client: SchemaRegistryClient,
  schemas: readonly SchemaToRegister[],
): Promise<RegistryCompatibilityResult[]> {
  const existing = new Set(await client.subjects());
  const results: RegistryCompatibilityResult[] = [];
  for (const { subject, schema, source } of schemas) {
    if (!existing.has(subject)) {
      results.push({ subject, source, status: 'unregistered', issues: [], registryMessages: [] });
      continue;
    }
    const verdict = await client.testCompatibility(subject, schema);
    if (verdict.compatible) {
      results.push({ subject, source, status: 'compatible', issues: [], registryMessages: [] });
      continue;
    }
    const latest = await client.latestVersion(subject);
    const candidate: unknown = typeof schema === 'string' ? JSON.parse(schema) : schema;
    const issues = latest ? checkBackwardCompatibility(JSON.parse(latest.schema), candidate) : [];
    results.push({ subject, source, status: 'incompatible', issues, registryMessages: verdict.messages });
  }
  return results;
}
