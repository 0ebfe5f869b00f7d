import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { findListener, isAlive, lastLines, logTail, portAvailability, run } from './processes.mjs';

test('lastLines: the last lines, indented, without trailing blank lines', () => {
  assert.equal(lastLines('a\nb\nc\n\n', 2), '    b\n    c');
});

test('logTail: only what was written from the given offset on', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'fv-stack-log-')), 'kafka.log');
  writeFileSync(file, 'earlier start\nold failure\n');
  const from = 'earlier start\nold failure\n'.length;
  appendFileSync(file, 'starting\nport in use\n');
  assert.equal(logTail(file, from), '    starting\n    port in use');
  assert.equal(logTail(join(file, 'missing'), 0), '    (no log output)');
});

test('portAvailability and findListener: a port this process holds is busy and names this process', async () => {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  try {
    assert.deepEqual(await portAvailability(port), { free: false, code: 'EADDRINUSE' });
    if (process.platform === 'linux') assert.equal(findListener(port).pid, process.pid);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
  assert.deepEqual(await portAvailability(port), { free: true });
});

test('isAlive: this process is, a pid that cannot exist is not', () => {
  assert.equal(isAlive(process.pid), true);
  assert.equal(isAlive(2 ** 30), false);
});

test('run: collects the exit code and output, and appends them to a log file', async () => {
  const logFile = join(mkdtempSync(join(tmpdir(), 'fv-stack-run-')), 'fetch.log');
  const result = await run(
    process.execPath,
    ['-e', 'console.log("out"); console.error("err"); process.exit(3)'],
    {
      logFile,
    },
  );
  assert.equal(result.code, 3);
  assert.match(result.output, /out/);
  assert.match(result.output, /err/);
  assert.equal(readFileSync(logFile, 'utf8'), result.output);
});
