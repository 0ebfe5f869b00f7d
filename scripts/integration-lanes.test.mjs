// The integration phase's plan and lanes, on a workspace of its own. Run with `node --test scripts/`.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { describe, test } from 'node:test';
import { integrationFolders } from './coverage.mjs';
import { integrationJobs, runInLanes, spawnJob } from './integration-lanes.mjs';

function workspace(packages) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fv-lanes-'));
  for (const [dir, { name, files = 0, integration = true }] of Object.entries(packages)) {
    fs.mkdirSync(path.join(root, dir, 'test', 'nested'), { recursive: true });
    const scripts = integration ? { 'test:integration': 'vitest run --dir test' } : { test: 'vitest run' };
    fs.writeFileSync(path.join(root, dir, 'package.json'), JSON.stringify({ name, scripts }));
    for (let i = 0; i < files; i += 1) {
      const folder = i % 2 === 0 ? 'test' : path.join('test', 'nested');
      fs.writeFileSync(path.join(root, dir, folder, `f${i}.test.ts`), '');
    }
    fs.writeFileSync(path.join(root, dir, 'test', 'support.ts'), '');
  }
  return root;
}

describe('integrationJobs', () => {
  const root = workspace({
    'services/big': { name: '@fv/big', files: 13 },
    'services/mid': { name: '@fv/mid', files: 7 },
    'packages/small': { name: '@fv/small', files: 1 },
    'packages/none': { name: '@fv/none', files: 3, integration: false },
    e2e: { name: '@fv/e2e', files: 20 },
  });
  const jobs = integrationJobs(
    root,
    ['e2e', 'packages/none', 'packages/small', 'services/big', 'services/mid'],
    {
      excluded: ['@fv/e2e'],
    },
  );

  test('has a job per package with integration tests, longest first, leaving out the excluded', () => {
    assert.deepEqual(
      jobs.map((job) => job.label),
      ['mid', 'big 1/2', 'big 2/2', 'small'],
    );
  });

  test('splits a package of many test files into shards, each on topics and coverage of its own', () => {
    const shards = jobs.filter((job) => job.name === '@fv/big');
    assert.deepEqual(
      shards.map(({ shard, topicPrefix, coverageFolder, weight }) => ({
        shard,
        topicPrefix,
        coverageFolder,
        weight,
      })),
      [
        { shard: '1/2', topicPrefix: 'test.big.1.', coverageFolder: 'coverage-integration', weight: 6.5 },
        { shard: '2/2', topicPrefix: 'test.big.2.', coverageFolder: 'coverage-integration-2', weight: 6.5 },
      ],
    );
    const small = jobs.find((job) => job.name === '@fv/small');
    assert.equal(small.shard, null);
    assert.equal(small.topicPrefix, 'test.small.');
  });

  test('finds the coverage folders of every shard, and nothing else', () => {
    for (const folder of [
      'coverage',
      'coverage-integration',
      'coverage-integration-2',
      'coverage-integrationx',
    ])
      fs.mkdirSync(path.join(root, 'services/big', folder));
    assert.deepEqual(integrationFolders(root, 'services/big'), [
      'coverage-integration',
      'coverage-integration-2',
    ]);
  });
});

describe('runInLanes', () => {
  test('runs at most the given number at once, in order, and every job once', async () => {
    let running = 0;
    let most = 0;
    const started = [];
    const failed = await runInLanes([1, 2, 3, 4, 5], 2, async (job) => {
      started.push(job);
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, job === 1 ? 30 : 5));
      running -= 1;
      return 0;
    });
    assert.deepEqual(failed, []);
    assert.equal(most, 2);
    assert.deepEqual(started, [1, 2, 3, 4, 5]);
  });

  test('starts nothing after a failure, lets the running finish and names the failed', async () => {
    const finished = [];
    const failed = await runInLanes(['slow', 'bad', 'next', 'last'], 2, async (job) => {
      await new Promise((resolve) => setTimeout(resolve, job === 'slow' ? 40 : 5));
      finished.push(job);
      return job === 'bad' ? 1 : 0;
    });
    assert.deepEqual(failed, ['bad']);
    assert.deepEqual(finished.sort(), ['bad', 'slow']);
  });
});

describe('spawnJob', () => {
  test("runs the job's script with its shard, arguments and topics, its lines labelled, and resolves to its code", async () => {
    const lines = [];
    // A stand-in for pnpm: prints what it was called with and the topic prefix, exits 3.
    const fake = {
      command: process.execPath,
      args: [
        '-e',
        'console.log(process.argv.slice(1).join(" ")); console.error(process.env.KAFKA_TOPIC_PREFIX); process.exit(3)',
        '--',
      ],
    };
    const job = { name: '@fv/big', label: 'big 2/2', shard: '2/2', topicPrefix: 'test.big.2.' };
    const code = await spawnJob(job, {
      pnpm: fake,
      env: process.env,
      cwd: os.tmpdir(),
      extraArgs: ['--coverage.enabled'],
      write: (line) => lines.push(line),
    });
    assert.equal(code, 3);
    assert.ok(
      lines.includes('big 2/2: --filter @fv/big run test:integration --shard=2/2 --coverage.enabled\n'),
      lines.join(''),
    );
    assert.ok(lines.includes('big 2/2: test.big.2.\n'), lines.join(''));
    assert.match(lines.at(-1), /^big 2\/2: FAILED \(3\) in \d+ s\n$/);
  });

  test('stops the whole job, and what it started, when the run is sent SIGTERM', async () => {
    // A run of one job whose "pnpm" starts a grandchild that would outlive it, and reports its pid.
    const lanes = new URL('./integration-lanes.mjs', import.meta.url).href;
    const driver = `
      import { spawnJob } from ${JSON.stringify(lanes)};
      const fake = {
        command: process.execPath,
        args: ['-e', "const c = require('node:child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }); console.log('grandchild ' + c.pid); setInterval(() => {}, 1000)", '--'],
      };
      const code = await spawnJob({ name: '@fv/x', label: 'x', shard: null, topicPrefix: 't.' }, {
        pnpm: fake, env: process.env, cwd: process.cwd(), write: (line) => process.stdout.write(line),
      });
      console.log('job ended ' + code);`;
    const run = spawn(process.execPath, ['--input-type=module', '-e', driver], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    run.stdout.setEncoding('utf8');
    const grandchild = await new Promise((resolve, reject) => {
      run.stdout.on('data', (chunk) => {
        output += chunk;
        const found = /grandchild (\d+)/.exec(output);
        if (found) resolve(Number(found[1]));
      });
      run.on('exit', () => reject(new Error(`the run ended first: ${output}`)));
    });
    const ended = new Promise((resolve) => run.on('exit', (code, signal) => resolve(code ?? signal)));
    run.kill('SIGTERM');
    await ended;
    assert.match(output, /job ended 143|job ended 128/);
    const deadline = Date.now() + 5000;
    while (alive(grandchild) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const survived = alive(grandchild);
    if (survived) process.kill(grandchild, 'SIGKILL');
    assert.equal(survived, false, 'the grandchild of the job outlived the run');
  });
});

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
