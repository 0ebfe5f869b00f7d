/** Rewrites the event → topic table in README.md from schemas/. */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderTopicTable, replaceTopicTable } from '../src/codegen.js';
import { loadEventDefinitions, SchemaLintError } from '../src/schema-files.js';

const readme = fileURLToPath(new URL('../README.md', import.meta.url));

try {
  const current = readFileSync(readme, 'utf8');
  const updated = replaceTopicTable(current, renderTopicTable(loadEventDefinitions()));
  if (updated !== current) writeFileSync(readme, updated);
  console.log(updated === current ? 'README.md is up to date' : 'README.md: event table updated');
} catch (error) {
  if (error instanceof SchemaLintError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
