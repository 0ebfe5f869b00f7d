import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const STACK = fileURLToPath(new URL('../stack.mjs', import.meta.url));

/** Ports nothing listens on (bound, noted and let go). */
async function freePorts(count) {
  const servers = await Promise.all(
    Array.from({ length: count }, async () => {
      const server = createServer();
      await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
      return server;
    }),
  );
  const ports = servers.map((server) => server.address().port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

const stack = (args, env = {}) =>
  spawnSync(process.execPath, [STACK, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });

test('an unknown command or flag prints the usage and exits 2; --help exits 0', () => {
  for (const args of [[], ['start'], ['up', '--verbose'], ['up', 'down']]) {
    const result = stack(args);
    assert.equal(result.status, 2, args.join(' '));
    assert.match(result.stderr, /^Usage: node infra\/stack\.mjs <up\|down\|status> \[--json\]/);
  }
  const help = stack(['--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /^Usage: /);
});

test('status of a stack that is not running: each component stopped, exit code 3, as JSON too', async () => {
  const [kafka, controller, registry] = await freePorts(3);
  const env = {
    FV_STATE_DIR: mkdtempSync(join(tmpdir(), 'fv-stack-cli-')),
    FV_KAFKA_PORT: String(kafka),
    FV_KAFKA_CONTROLLER_PORT: String(controller),
    FV_REGISTRY_PORT: String(registry),
  };
  const text = stack(['status'], env);
  assert.equal(text.status, 3, text.stderr);
  assert.match(
    text.stdout,
    new RegExp(`kafka +stopped .*127\\.0\\.0\\.1:${kafka} \\(controller 127\\.0\\.0\\.1:${controller}\\)`),
  );
  assert.match(
    text.stdout,
    new RegExp(`schema-registry +stopped .*http://127\\.0\\.0\\.1:${registry}/apis/ccompat/v7`),
  );

  const json = stack(['status', '--json'], env);
  assert.equal(json.status, 3);
  const result = JSON.parse(json.stdout.trim().split('\n').at(-1));
  assert.equal(result.healthy, false);
  assert.deepEqual(Object.keys(result.components), ['kafka', 'schemaRegistry']);
});

test('a bad port is a clear message and exit code 1', () => {
  const result = stack(['status'], { FV_KAFKA_PORT: 'ninety' });
  assert.equal(result.status, 1);
  assert.equal(
    result.stderr.trim(),
    'stack: FV_KAFKA_PORT must be a TCP port between 1 and 65535, got "ninety".',
  );
});
