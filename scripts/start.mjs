#!/usr/bin/env node
// `npm start`: installs what is missing, brings up the local stack (broker, schema registry; databases
// are created by each service on first start), registers the event schemas, starts every service in
// the background and prints where each one listens. Safe to run again: what runs is reused.
import { spawn } from 'node:child_process';
import { ROOT, ensureInstalled, fail, log, pnpm } from './lib.mjs';
import { startServices } from './services.mjs';

await ensureInstalled();

/** `stack.mjs up --json`: progress on stderr, where everything listens as the last line of stdout. */
function stackUp() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['infra/stack.mjs', 'up', '--json'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error('the local stack did not start'));
      resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '{}'));
    });
  });
}

let stack;
try {
  stack = await stackUp();
} catch (error) {
  fail(error.message);
}
// The services and scripts started from here talk to that stack, whatever ports it was given.
const env = { KAFKA_BROKERS: stack.kafkaBrokers, SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl };
log(`broker ${stack.kafkaBrokers}, schema registry ${stack.schemaRegistryUrl}`);

log('registering event schemas');
if (
  (await pnpm(['--filter', '@fv/contracts', 'run', '--silent', 'register'], {
    env: { ...process.env, ...env },
  })) !== 0
) {
  fail('schema registration failed');
}

let services;
try {
  services = await startServices(env);
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
console.log(`\nBroker ${stack.kafkaBrokers}   schema registry ${stack.schemaRegistryUrl}`);
console.log('A token for calls: npm run -s dev-token -- --roles admin');
console.log('Stop everything with: npm stop');
