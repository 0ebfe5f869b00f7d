import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { lockIsStale, withLock } from './lock.mjs';

const stateDir = () => mkdtempSync(join(tmpdir(), 'fv-stack-lock-'));
const cfgOf = (dir) => ({ runDir: join(dir, 'run') });

test('withLock: operations on one state folder take turns, and the lock is gone afterwards', async () => {
  const cfg = cfgOf(stateDir());
  const events = [];
  const logs = [];
  const operation = (name, ms) => async () => {
    events.push(`${name} begins`);
    assert.equal(JSON.parse(readFileSync(join(cfg.runDir, 'stack.lock'), 'utf8')).operation, name);
    await new Promise((resolve) => setTimeout(resolve, ms));
    events.push(`${name} ends`);
    return name;
  };
  const results = await Promise.all([
    withLock(cfg, 'up', (line) => logs.push(line), operation('up', 150)),
    withLock(cfg, 'down', (line) => logs.push(line), operation('down', 10)),
  ]);
  assert.deepEqual(results, ['up', 'down']);
  assert.deepEqual(events, ['up begins', 'up ends', 'down begins', 'down ends']);
  assert.match(logs.join('\n'), /waiting for another stack operation to finish \(pid \d+, "up" since /);
  assert.equal(existsSync(join(cfg.runDir, 'stack.lock')), false);
});

test('withLock: releases the lock when the operation fails', async () => {
  const cfg = cfgOf(stateDir());
  await assert.rejects(
    withLock(
      cfg,
      'up',
      () => {},
      async () => {
        throw new Error('broken');
      },
    ),
    /broken/,
  );
  assert.equal(existsSync(join(cfg.runDir, 'stack.lock')), false);
});

test('withLock: a lock left by a process that is gone is removed, not waited for', async () => {
  const cfg = cfgOf(stateDir());
  mkdirSync(cfg.runDir, { recursive: true });
  // Pids are below 2^22 on Linux: this one cannot be alive.
  writeFileSync(join(cfg.runDir, 'stack.lock'), JSON.stringify({ pid: 2 ** 30, operation: 'up' }));
  const logs = [];
  assert.equal(
    await withLock(
      cfg,
      'status',
      (line) => logs.push(line),
      async () => 'ran',
    ),
    'ran',
  );
  assert.match(logs[0], /^removing stale lock /);
});

test('lockIsStale: a live holder is not stale; a dead one, or one torn for over 5 s, is', () => {
  assert.equal(lockIsStale(JSON.stringify({ pid: process.pid }), Date.now()), false);
  assert.equal(lockIsStale(JSON.stringify({ pid: 2 ** 30 }), Date.now()), true);
  assert.equal(lockIsStale('{"pid":', Date.now()), false);
  assert.equal(lockIsStale('{"pid":', Date.now() - 6000), true);
});
