#!/usr/bin/env node
// `npm start`: installs what is missing, brings up the local stack (broker, schema registry; databases
// are created by each service on first start), registers the event schemas, starts every service in
// the background and prints where each one listens. Safe to run again: what runs is reused.
import { ensureInstalled, fail, log, pnpm, run } from './lib.mjs';
import { startServices } from './services.mjs';

await ensureInstalled();

if ((await run(process.execPath, ['infra/stack.mjs', 'up'])) !== 0) fail('the local stack did not start');
log('registering event schemas');
if ((await pnpm(['--filter', '@fv/contracts', 'run', '--silent', 'register'])) !== 0)
  fail('schema registration failed');

let services;
try {
  services = await startServices({});
} catch (error) {
  fail(error.message);
}
if (services.length === 0) {
  log('no services to start yet');
} else {
  console.log('\nServices:');
  for (const s of services) {
    console.log(
      `  ${s.name.padEnd(24)} http://127.0.0.1:${s.port}  (api /api/v1, docs /docs)  ${s.reused ? 'already running' : 'started'}  log ${s.log}`,
    );
  }
}
console.log('\nStop everything with: npm stop');
