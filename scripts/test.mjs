#!/usr/bin/env node
// `npm test`: installs what is missing, starts the local stack (or reuses a running one), and runs
// every check: lint, typecheck, unit tests, integration tests against the real broker, registry and
// database, and the end-to-end scenarios. A stack this command started is stopped again at the end
// (FV_KEEP_STACK=1 keeps it).
import { ensureInstalled, fail, log, pnpm, run } from './lib.mjs';

await ensureInstalled();

const wasRunning = (await run(process.execPath, ['infra/stack.mjs', 'status'], { stdio: 'ignore' })) === 0;
if ((await run(process.execPath, ['infra/stack.mjs', 'up'])) !== 0) fail('the local stack did not start');

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
  const code = await pnpm(args);
  if (code !== 0) {
    failed = name;
    break;
  }
}

if (!wasRunning && process.env.FV_KEEP_STACK !== '1') {
  log('stopping the local stack this run started');
  await run(process.execPath, ['infra/stack.mjs', 'down']);
}
if (failed) fail(`${failed} failed`);
log('all checks passed');
