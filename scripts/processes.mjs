// Process and port helpers for the root commands: who listens on a port, what a process is (its command
// line and working folder), signalling with a grace period, atomic pid files. Dependency-free; Linux reads
// /proc, other systems fall back to `lsof` and `ps`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const IS_LINUX = process.platform === 'linux';

/** True while the process exists and is not a zombie (exited, waiting for its parent to reap it). */
export function isAlive(pid) {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if (error.code !== 'EPERM') return false;
  }
  if (!IS_LINUX) return true;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** The arguments of a process (argv[0] first), or null when it is gone or cannot be read. */
export function commandLine(pid) {
  if (IS_LINUX) {
    try {
      const args = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      return args.length ? args : null;
    } catch {
      return null;
    }
  }
  const result = spawnSync('ps', ['-ww', '-o', 'args=', '-p', String(pid)], { encoding: 'utf8' });
  return result.status === 0 && result.stdout.trim() ? result.stdout.trim().split(/\s+/) : null;
}

/** The working folder of a process, or null when it cannot be read. */
export function workingDirectory(pid) {
  if (IS_LINUX) {
    try {
      return fs.readlinkSync(`/proc/${pid}/cwd`);
    } catch {
      return null;
    }
  }
  const result = spawnSync('lsof', ['-a', '-d', 'cwd', '-Fn', '-p', String(pid)], { encoding: 'utf8' });
  const line = (result.stdout ?? '').split('\n').find((l) => l.startsWith('n'));
  return line ? line.slice(1) : null;
}

/** The executable of a process (Linux), or null. */
function executable(pid) {
  if (!IS_LINUX) return null;
  try {
    return fs.readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return null;
  }
}

/** The process group of a process, or null. */
function processGroup(pid) {
  if (IS_LINUX) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
    } catch {
      return null;
    }
  }
  const result = spawnSync('ps', ['-o', 'pgid=', '-p', String(pid)], { encoding: 'utf8' });
  const pgid = Number.parseInt(result.stdout ?? '', 10);
  return Number.isInteger(pgid) ? pgid : null;
}

export function describeProcess(pid) {
  const args = commandLine(pid);
  if (!args) return `pid ${pid}`;
  const text = args.join(' ');
  return `pid ${pid} (${text.length > 120 ? `${text.slice(0, 117)}...` : text})`;
}

function inside(file, dir) {
  const relative = path.relative(dir, file);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

function canonical(file) {
  try {
    return fs.realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}

/**
 * True when `pid` is a Node.js process of the package in `dir`: it runs with that folder (or one below it)
 * as its working folder, or one of its arguments is a file in it. That is how a server started by
 * `npm start`, by an older `npm start` (npm → sh → tsx → node) or by hand (`cd services/x && npm start`)
 * looks; a foreign program on the same port does not.
 */
export function belongsTo(pid, dir) {
  if (!pid || !isAlive(pid)) return false;
  const args = commandLine(pid);
  if (!args) return false;
  const exe = executable(pid);
  const node = exe ? /node[^/]*$/.test(exe) : /(^|\/)(node|npm|tsx)\b/.test(args[0]);
  if (!node) return false;
  const home = canonical(dir);
  const cwd = workingDirectory(pid);
  if (cwd && inside(canonical(cwd), home)) return true;
  return args.some((arg) => {
    const file = arg.startsWith('file://') ? new URL(arg).pathname : arg;
    return path.isAbsolute(file) && inside(canonical(file), home);
  });
}

/** Whether the port can be bound on 127.0.0.1 now (nothing listens there). */
export function portIsFree(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

// The process listening on a TCP port: the stack's own probe (/proc on Linux, lsof elsewhere).
export { findListener } from '../infra/stack/processes.mjs';

function signal(pid, name) {
  // A process that leads its own group (as `npm start` starts them) is signalled with its group, so a
  // launcher's children go with it.
  const target = processGroup(pid) === pid ? -pid : pid;
  try {
    process.kill(target, name);
  } catch (error) {
    if (error.code === 'ESRCH') return;
    if (target !== pid) {
      try {
        process.kill(pid, name);
      } catch (inner) {
        if (inner.code !== 'ESRCH') throw inner;
      }
      return;
    }
    throw error;
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Stops processes: SIGTERM, then SIGKILL for those still alive after `graceMs`. Resolves once all are gone
 * with the pids that had to be killed.
 */
export async function terminate(pids, { graceMs = 15_000 } = {}) {
  const live = [...new Set(pids)].filter((pid) => pid && isAlive(pid));
  for (const pid of live) signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (live.some(isAlive) && Date.now() < deadline) await sleep(100);
  const killed = live.filter(isAlive);
  for (const pid of killed) signal(pid, 'SIGKILL');
  const killDeadline = Date.now() + 10_000;
  while (killed.some(isAlive) && Date.now() < killDeadline) await sleep(50);
  return killed;
}

/** Writes a file so that a reader sees the old content or the new one, never a torn one. */
export function writeFileAtomic(file, content) {
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, content);
  fs.renameSync(temporary, file);
}
