// The integration phase of `npm test`: every package's integration tests, two jobs at a time.
//
// Each job runs on topics of its own (KAFKA_TOPIC_PREFIX=test.<package>[.<shard>].), so a service's
// consumers under test never answer the events another job publishes. A package with many test files
// is split into shards (vitest --shard), each its own job with its own topics and coverage folder, so
// that the largest suite does not decide the length of the phase alone. Jobs start longest first
// (test files per job stand for their length), and none starts after one has failed.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { INTEGRATION } from './coverage.mjs';
import { forwardSignals } from './lib.mjs';

/** Test files in a package's `test/` folder, at any depth. */
function testFiles(folder) {
  if (!fs.existsSync(folder)) return 0;
  return fs
    .readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.test.ts')).length;
}

/**
 * The jobs of the phase for the packages in `dirs` (relative to `root`) that have a `test:integration`
 * script and are not `excluded` (by package name), longest first. A package of more than `shardAbove`
 * test files runs as `shards` jobs.
 */
export function integrationJobs(root, dirs, { excluded = [], shardAbove = 12, shards = 2 } = {}) {
  const jobs = [];
  for (const dir of dirs) {
    const manifest = JSON.parse(fs.readFileSync(path.join(root, dir, 'package.json'), 'utf8'));
    if (!manifest.scripts?.['test:integration'] || excluded.includes(manifest.name)) continue;
    const files = testFiles(path.join(root, dir, 'test'));
    const count = files > shardAbove ? shards : 1;
    const short = manifest.name.replace(/^@[^/]+\//, '');
    for (let shard = 1; shard <= count; shard += 1) {
      jobs.push({
        name: manifest.name,
        label: count === 1 ? short : `${short} ${shard}/${count}`,
        shard: count === 1 ? null : `${shard}/${count}`,
        coverageFolder: shard === 1 ? INTEGRATION : `${INTEGRATION}-${shard}`,
        topicPrefix: count === 1 ? `test.${short}.` : `test.${short}.${shard}.`,
        weight: files / count,
      });
    }
  }
  return jobs.sort((a, b) => b.weight - a.weight || a.label.localeCompare(b.label));
}

/**
 * Runs `jobs` with at most `lanes` at once through `runJob(job)` (resolving to an exit code); resolves to
 * the jobs that failed. Once one has failed no other starts; those running finish.
 */
export async function runInLanes(jobs, lanes, runJob) {
  const queue = [...jobs];
  const failed = [];
  async function lane() {
    while (queue.length > 0 && failed.length === 0) {
      const job = queue.shift();
      if ((await runJob(job)) !== 0) failed.push(job);
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, lanes) }, lane));
  return failed;
}

/**
 * Runs one job's `vitest` through pnpm in its package, its output prefixed with the job's label line by
 * line, and resolves to its exit code. The job is a process group of its own, which a signal to this
 * process is passed on to: pnpm, vitest and the workers it started stop with `npm test`.
 */
export function spawnJob(
  job,
  { pnpm, env, cwd, extraArgs = [], write = (line) => process.stdout.write(line) },
) {
  const args = [
    ...pnpm.args,
    ...['--filter', job.name, 'run', 'test:integration'],
    ...(job.shard ? [`--shard=${job.shard}`] : []),
    ...extraArgs,
  ];
  const started = Date.now();
  return new Promise((resolve) => {
    const child = forwardSignals(
      spawn(pnpm.command, args, {
        cwd,
        env: { ...env, KAFKA_TOPIC_PREFIX: job.topicPrefix },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      }),
      { group: true },
    );
    for (const stream of [child.stdout, child.stderr]) {
      let rest = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) write(`${job.label}: ${line}\n`);
      });
      stream.on('end', () => rest && write(`${job.label}: ${rest}\n`));
    }
    const done = (code) => {
      write(
        `${job.label}: ${code === 0 ? 'passed' : `FAILED (${code})`} in ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
      );
      resolve(code);
    };
    child.on('error', () => done(1));
    child.on('exit', (code, signal) => done(code ?? (signal ? 128 : 1)));
  });
}
