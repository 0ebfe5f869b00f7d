#!/usr/bin/env node
// Runs the Prisma CLI of the calling package fully offline.
//
// Prisma 6 with the JavaScript query compiler (`engineType = "client"`) and driver adapters needs no
// native engine, but its CLI still tries to download one unless these variables name an existing file.
// They point at this file; nothing ever executes it as an engine. See docs/prisma-offline.md.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);
const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? self,
  PRISMA_QUERY_ENGINE_LIBRARY: process.env.PRISMA_QUERY_ENGINE_LIBRARY ?? self,
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  CHECKPOINT_DISABLE: '1',
};
const require = createRequire(path.join(process.cwd(), 'package.json'));
let cli;
try {
  cli = require.resolve('prisma/build/index.js');
} catch {
  console.error(
    `prisma is not a dependency of ${process.cwd()}; add "prisma": "catalog:" to its devDependencies`,
  );
  process.exit(1);
}
const result = spawnSync(process.execPath, [cli, ...process.argv.slice(2)], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
