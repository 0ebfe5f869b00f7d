#!/usr/bin/env node
// `npm test`: installs what is missing, then runs every check — lint, types and the root scripts' own
// tests first (they need no broker), then, on a local stack of its own, the unit tests, the integration
// tests against the real broker, registry and database, and the end-to-end scenarios.
//
// The test stack is separate from the one `npm start` runs (its own state folder and ports), so tests
// never replay their events into a developer's services, and both can run at once. A stack this command
// started is stopped at the end (FV_KEEP_STACK=1 keeps it for the next run).
import fs from 'node:fs';
import path from 'node:path';
import {
  COVERAGE_REPORT,
  UNIT,
  clearCoverage,
  coverageArgs,
  coverageRows,
  coverageTable,
  CORE_MINIMUM,
  packagesBelow,
  workspaceDirs,
} from './coverage.mjs';
import { integrationJobs, runInLanes, spawnJob } from './integration-lanes.mjs';
import { ROOT, ensureInstalled, fail, log, pnpm, pnpmCommand, run } from './lib.mjs';

await ensureInstalled();

/** Runs a check (pnpm with `args`, or `command`), timed. */
async function step(name, args, env = process.env, command = null) {
  log(name);
  const started = Date.now();
  const code = await (command ? run(command, args, { env }) : pnpm(args, { env }));
  log(`${name}: ${code === 0 ? 'passed' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return code === 0;
}

if (!(await step('lint', ['run', 'lint']))) fail('lint failed');
// One program for the whole workspace (tsconfig.json at the root), then the two browser bundles.
if (!(await step('typecheck', ['run', 'typecheck']))) fail('typecheck failed');
// The root commands' own tests (`npm start` / `npm stop` process management, the service build), the
// local stack's (infra/stack: configuration, wire protocol, probes, lock, CLI; no JVM) and the static
// checks of docker-compose.yml and the Dockerfiles (infra/): no broker needed.
const scriptTests = ['scripts', 'infra', path.join('infra', 'stack')].flatMap((dir) =>
  fs
    .readdirSync(path.join(ROOT, dir))
    .filter((file) => file.endsWith('.test.mjs'))
    .map((file) => path.join(dir, file)),
);
if (!(await step('script tests', ['--test', ...scriptTests], process.env, process.execPath))) {
  fail('script tests failed');
}

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

function writeCoverageReport() {
  const rows = coverageRows(ROOT, packageDirs);
  const table = coverageTable(rows);
  fs.mkdirSync(path.dirname(path.join(ROOT, COVERAGE_REPORT)), { recursive: true });
  fs.writeFileSync(
    path.join(ROOT, COVERAGE_REPORT),
    `# Test coverage\n\nLines, statements, branches and functions: unit tests. Domain and use cases: lines, by the unit tests alone and with the integration tests.\n\n${table}\n`,
  );
  log(`test coverage (${COVERAGE_REPORT}):\n${table}`);
  return rows;
}

const wasRunning = (await stack('status', { stdio: 'ignore' })) === 0;
log(`test stack in ${path.relative(ROOT, stateDir)}`);
if ((await stack('up')) !== 0) fail('the test stack did not start');

// The tests run as local development says so explicitly: development key, local database, loopback URLs.
const testEnv = {
  NODE_ENV: 'test',
  ...process.env,
  FV_JARS_DIR: stackEnv.FV_JARS_DIR,
  KAFKA_BROKERS: `127.0.0.1:${stackEnv.FV_KAFKA_PORT}`,
  SCHEMA_REGISTRY_URL: `http://127.0.0.1:${stackEnv.FV_REGISTRY_PORT}/apis/ccompat/v7`,
};

// Unit tests share one module graph per package (`--no-isolate`): a third of the CPU of a fresh one per
// file; unit tests keep no module state between files, so the order of the files does not matter. Four
// packages at a time: the machine's cores stay busy without starving the tests that start processes.
// Unit and integration tests measure their coverage (vitest's v8 provider), reported per package once
// they pass. The end-to-end scenarios and the fault-injection run drive services in processes of their
// own: they run after, without coverage.
const packageDirs = workspaceDirs(ROOT);
clearCoverage(ROOT, packageDirs);
// Integration tests: every package's, two jobs at a time, each on topics of its own
// (scripts/integration-lanes.mjs). The end-to-end platform and the fault-injection run come last, one at a
// time: they start every service as a process.
const whole = ['@fv/e2e', '@fv/chaos'];

async function integrationPhase() {
  const name = 'integration tests';
  log(name);
  const started = Date.now();
  const jobs = integrationJobs(ROOT, packageDirs, { excluded: whole });
  log(`${jobs.length} jobs, two at a time: ${jobs.map((job) => job.label).join(', ')}`);
  const failedJobs = await runInLanes(jobs, 2, (job) =>
    spawnJob(job, {
      pnpm: pnpmCommand(),
      env: testEnv,
      cwd: ROOT,
      extraArgs: coverageArgs(job.coverageFolder),
    }),
  );
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  if (failedJobs.length === 0) log(`${name}: passed in ${seconds} s`);
  else log(`${name}: FAILED in ${seconds} s (${failedJobs.map((job) => job.label).join(', ')})`);
  return failedJobs.length === 0;
}

let failed = null;
for (const [name, check, report] of [
  [
    'unit tests',
    () =>
      step(
        'unit tests',
        [
          ...['exec', 'turbo', 'run', 'test', '--concurrency=4', '--output-logs=new-only'],
          ...['--', '--no-isolate', ...coverageArgs(UNIT)],
        ],
        testEnv,
      ),
    true,
  ],
  ['integration tests', integrationPhase, true],
  [
    'end-to-end and fault-injection tests',
    () =>
      step(
        'end-to-end and fault-injection tests',
        [
          ...['exec', 'turbo', 'run', 'test:integration', '--concurrency=1', '--output-logs=new-only'],
          ...whole.map((pkg) => `--filter=${pkg}`),
        ],
        testEnv,
      ),
    false,
  ],
]) {
  if (!(await check())) {
    failed = name;
    break;
  }
  const rows = report ? writeCoverageReport() : null;
  // Seed 003's target holds for the domain and use cases once the integration tests, which test the
  // use cases against the real broker and database, have run as well.
  const below = name === 'integration tests' ? packagesBelow(rows) : [];
  if (below.length > 0) {
    log(`domain and use cases under ${CORE_MINIMUM}% of lines: ${below.join(', ')}`);
    failed = 'coverage';
    break;
  }
}

if (!wasRunning && process.env.FV_KEEP_STACK !== '1') {
  log('stopping the test stack');
  await stack('down');
}
if (failed) fail(`${failed} failed`);
log('all checks passed');
