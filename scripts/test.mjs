#!/usr/bin/env node
// `npm test`: installs what is missing, starts a local stack of its own (or reuses the one a previous
// run left), and runs every check: lint, typecheck, unit tests, integration tests against the real
// broker, registry and database, and the end-to-end scenarios.
//
// The test stack is separate from the one `npm start` runs (its own state folder and ports), so tests
// never replay their events into a developer's services, and both can run at once. A stack this command
// started is stopped at the end (FV_KEEP_STACK=1 keeps it for the next run).
import path from 'node:path';
import { ROOT, ensureInstalled, fail, log, pnpm, run } from './lib.mjs';

await ensureInstalled();

const stateDir = process.env.FV_TEST_STATE_DIR ?? path.join(ROOT, '.local', 'test-stack');
const stackEnv = {
  ...process.env,
  FV_STATE_DIR: stateDir,
  FV_JARS_DIR: process.env.FV_JARS_DIR ?? path.join(ROOT, '.local', 'jars'),
  FV_KAFKA_PORT: process.env.FV_TEST_KAFKA_PORT ?? '19092',
  FV_KAFKA_CONTROLLER_PORT: process.env.FV_TEST_KAFKA_CONTROLLER_PORT ?? '19093',
  FV_REGISTRY_PORT: process.env.FV_TEST_REGISTRY_PORT ?? '18090',
};
const stack = (command, options = {}) =>
  run(process.execPath, ['infra/stack.mjs', command], { env: stackEnv, ...options });

const wasRunning = (await stack('status', { stdio: 'ignore' })) === 0;
log(`test stack in ${path.relative(ROOT, stateDir)}`);
if ((await stack('up')) !== 0) fail('the test stack did not start');

const testEnv = {
  ...process.env,
  KAFKA_BROKERS: `127.0.0.1:${stackEnv.FV_KAFKA_PORT}`,
  SCHEMA_REGISTRY_URL: `http://127.0.0.1:${stackEnv.FV_REGISTRY_PORT}/apis/ccompat/v7`,
};

const steps = [
  ['lint', ['run', 'lint']],
  ['typecheck', ['exec', 'turbo', 'run', 'typecheck', '--output-logs=errors-only']],
  ['unit tests', ['exec', 'turbo', 'run', 'test', '--output-logs=new-only']],
  [
    'integration tests',
    ['exec', 'turbo', 'run', 'test:integration', '--concurrency=1', '--output-logs=new-only'],
  ],
];

let failed = null;
for (const [name, args] of steps) {
  log(name);
  const started = Date.now();
  const code = await pnpm(args, { env: testEnv });
  log(`${name}: ${code === 0 ? 'passed' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (code !== 0) {
    failed = name;
    break;
  }
}

if (!wasRunning && process.env.FV_KEEP_STACK !== '1') {
  log('stopping the test stack');
  await stack('down');
}
if (failed) fail(`${failed} failed`);
log('all checks passed');
