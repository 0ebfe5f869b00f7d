/**
 * Generates src/generated/ from schemas/**\/*.avsc: TypeScript types for every event
 * (events.ts) and the event catalog with topics, subjects and schemas (catalog.ts).
 * Works offline; output depends only on the schema files.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderEventCatalog, renderEventTypes } from '../src/codegen.js';
import { loadEventDefinitions, SchemaLintError } from '../src/schema-files.js';

const outputDirectory = fileURLToPath(new URL('../src/generated/', import.meta.url));

function writeIfChanged(path: string, content: string): boolean {
  let current: string | undefined;
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    current = undefined;
  }
  if (current === content) return false;
  writeFileSync(path, content);
  return true;
}

try {
  const definitions = loadEventDefinitions();
  mkdirSync(outputDirectory, { recursive: true });
  const outputs = {
    'events.ts': renderEventTypes(definitions),
    'catalog.ts': renderEventCatalog(definitions),
  };
  const written = Object.entries(outputs)
    .filter(([file, content]) => writeIfChanged(join(outputDirectory, file), content))
    .map(([file]) => file);
  console.log(
    `${definitions.length} event schemas → src/generated/ (${written.length > 0 ? `updated ${written.join(', ')}` : 'up to date'})`,
  );
} catch (error) {
  if (error instanceof SchemaLintError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
