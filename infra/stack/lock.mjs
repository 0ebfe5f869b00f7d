/** A lock file per state folder, so concurrent `up`/`down` calls (parallel test runs) take turns. */
import {
  linkSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { IS_LINUX, LOCK_WAIT_MS, StackError } from './config.mjs';
import { isAlive, sleep } from './processes.mjs';

export const heldLocks = new Map();

/** Start time of a process in clock ticks since boot (Linux), to tell a live holder from a reused pid. */
export function processStartTicks(pid) {
  if (!IS_LINUX) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

export function lockIsStale(content, mtimeMs) {
  let holder;
  try {
    holder = JSON.parse(content);
  } catch {
    // Created but not yet written, or torn by a crash: give a writer a moment before calling it stale.
    return Date.now() - mtimeMs > 5000;
  }
  if (!Number.isInteger(holder.pid) || !isAlive(holder.pid)) return true;
  return Boolean(
    holder.startTicks && processStartTicks(holder.pid) && processStartTicks(holder.pid) !== holder.startTicks,
  );
}

/** Moves a stale lock aside; if it turns out to be a fresh lock that replaced the stale one, puts it back. */
export function removeStaleLock(lockFile, observed) {
  const aside = `${lockFile}.stale-${process.pid}-${Date.now()}`;
  try {
    renameSync(lockFile, aside);
  } catch (error) {
    if (error.code === 'ENOENT') return;
    throw error;
  }
  let content = null;
  try {
    content = readFileSync(aside, 'utf8');
  } catch {
    // gone already
  }
  if (content !== null && content !== observed) {
    try {
      linkSync(aside, lockFile);
    } catch {
      // another waiter took the slot meanwhile; the lock it created stands
    }
  }
  rmSync(aside, { force: true });
}

export async function withLock(cfg, operation, log, action) {
  mkdirSync(cfg.runDir, { recursive: true });
  const lockFile = join(cfg.runDir, 'stack.lock');
  const record = JSON.stringify({
    pid: process.pid,
    startTicks: processStartTicks(process.pid),
    operation,
    since: new Date().toISOString(),
  });
  const deadline = Date.now() + LOCK_WAIT_MS;
  let announced = false;
  for (;;) {
    try {
      writeFileSync(lockFile, record, { flag: 'wx' });
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    let content;
    let mtimeMs;
    try {
      content = readFileSync(lockFile, 'utf8');
      mtimeMs = statSync(lockFile).mtimeMs;
    } catch (error) {
      if (error.code === 'ENOENT') continue;
      throw error;
    }
    if (lockIsStale(content, mtimeMs)) {
      log(`removing stale lock ${lockFile}`);
      removeStaleLock(lockFile, content);
      continue;
    }
    if (!announced) {
      let holder = 'another process';
      try {
        const parsed = JSON.parse(content);
        holder = `pid ${parsed.pid}, "${parsed.operation}" since ${parsed.since}`;
      } catch {
        // still being written
      }
      log(`waiting for another stack operation to finish (${holder})`);
      announced = true;
    }
    if (Date.now() > deadline) {
      throw new StackError(
        `Another stack operation has held ${lockFile} for over ${LOCK_WAIT_MS / 60_000} minutes. ` +
          'If no other stack command is running, delete that file.',
      );
    }
    await sleep(200);
  }
  heldLocks.set(lockFile, record);
  try {
    return await action();
  } finally {
    releaseLock(lockFile);
  }
}

export function releaseLock(lockFile) {
  const record = heldLocks.get(lockFile);
  heldLocks.delete(lockFile);
  try {
    if (readFileSync(lockFile, 'utf8') === record) unlinkSync(lockFile);
  } catch {
    // already gone
  }
}

/** Releases the locks this process holds; for signal handlers of embedding processes. */
export function releaseLocks() {
  for (const lockFile of [...heldLocks.keys()]) releaseLock(lockFile);
}
