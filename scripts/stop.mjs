#!/usr/bin/env node
// `npm stop`: stops the services and simulators `npm start` started (and any of their orphans still
// listening on their ports), then the local stack.
import { fail, log, run } from './lib.mjs';
import { stopServices } from './services.mjs';

let stopped = [];
try {
  stopped = await stopServices();
} catch (error) {
  fail(error.message);
}
for (const { name, pids, killed } of stopped) {
  log(
    `stopped ${name} (pid ${pids.join(', ')})${killed.length ? `; killed ${killed.join(', ')} after the grace period` : ''}`,
  );
}
process.exitCode = await run(process.execPath, ['infra/stack.mjs', 'down']);
