#!/usr/bin/env node
// `npm stop`: stops the reference storefront, the services and simulators `npm start` started (and any
// of their orphans still listening on their ports), then the local stack.
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, fail, log, run } from './lib.mjs';
import { belongsTo, findListener, isAlive, terminate } from './processes.mjs';
import { stopServices } from './services.mjs';

/** The storefront `npm start` runs on 8088 (examples/storefront): its recorded pid and its listener. */
async function stopStorefront() {
  const dir = path.join(ROOT, 'examples', 'storefront');
  const pidFile = path.join(process.env.FV_STATE_DIR ?? path.join(ROOT, '.local'), 'run', 'storefront.pid');
  const recorded = fs.existsSync(pidFile) ? Number.parseInt(fs.readFileSync(pidFile, 'utf8'), 10) : null;
  const listener = findListener(8088)?.pid;
  const pids = [...new Set([recorded, listener].filter((pid) => pid && isAlive(pid) && belongsTo(pid, dir)))];
  fs.rmSync(pidFile, { force: true });
  if (pids.length === 0) return [];
  return [{ name: 'storefront', pids, killed: await terminate(pids) }];
}

let stopped = [];
try {
  stopped = [...(await stopStorefront()), ...(await stopServices())];
} catch (error) {
  fail(error.message);
}
for (const { name, pids, killed } of stopped) {
  log(
    `stopped ${name} (pid ${pids.join(', ')})${killed.length ? `; killed ${killed.join(', ')} after the grace period` : ''}`,
  );
}
process.exitCode = await run(process.execPath, ['infra/stack.mjs', 'down']);
