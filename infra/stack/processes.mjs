/** Processes and ports: which process is a component's, who holds a port, stopping, running commands, log tails. */
import { spawn, spawnSync } from 'node:child_process';
import {
  appendFileSync,
  closeSync,
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { basename } from 'node:path';
import { componentPidFile, identityArgs } from './components.mjs';
import { HOST, IS_LINUX, StackError } from './config.mjs';

export function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** The command line of a process as a list of arguments (on Linux) or one string (elsewhere), or null. */
export function commandLine(pid) {
  if (IS_LINUX) {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    } catch {
      return null;
    }
  }
  const result = spawnSync('ps', ['-ww', '-o', 'args=', '-p', String(pid)], { encoding: 'utf8' });
  return result.status === 0 && result.stdout.trim() ? [result.stdout.trim()] : null;
}

export function describeCommand(args) {
  if (!args || args.length === 0) return 'unknown command';
  const text = args.join(' ');
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

/** True when `pid` is a live process started by this stack (same state folder) as `component`. */
export function isOurs(cfg, component, pid) {
  if (!pid || !isAlive(pid)) return false;
  const args = commandLine(pid);
  if (!args || args.length === 0) return false;
  const markers = identityArgs(cfg, component);
  if (IS_LINUX) return markers.every((marker) => args.includes(marker));
  return markers.every((marker) => `${args[0]} `.includes(`${marker} `));
}

/** Why a running process no longer matches what would be started now (other ports, options), or null. */
export function configurationDrift(cfg, component, pid) {
  const expected = component.launchArgs(cfg);
  const actual = commandLine(pid);
  if (!actual) return null;
  const same = IS_LINUX
    ? actual.length === expected.length + 1 && expected.every((arg, index) => arg === actual[index + 1])
    : actual[0].endsWith(expected.join(' '));
  if (!same) return 'its launch options changed';
  for (const [file, content] of Object.entries(component.configFiles(cfg))) {
    if (!existsSync(file) || readFileSync(file, 'utf8') !== content) return `${basename(file)} changed`;
  }
  return null;
}

export function readPidFile(file) {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Processes (Linux) carrying this component's identity, whatever the pid file says. */
export function scanForComponent(cfg, component) {
  if (!IS_LINUX) return [];
  const found = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid !== process.pid && isOurs(cfg, component, pid)) found.push(pid);
  }
  return found;
}

/**
 * Finds the running process of a component: the pid file if it names one of ours, else (the pid file was
 * lost) a process carrying our identity. With `repair`, stale pid files are removed and found ones rewritten.
 *
 * @returns {{ pid: number } | null}
 */
export function locate(cfg, component, { repair, log }) {
  const pidFile = componentPidFile(cfg, component);
  const recorded = readPidFile(pidFile);
  if (recorded && isOurs(cfg, component, recorded)) return { pid: recorded };
  if (existsSync(pidFile) && repair) {
    log(
      `removing stale pid file ${pidFile}` +
        (recorded ? ` (pid ${recorded} is not our ${component.name})` : ''),
    );
    rmSync(pidFile, { force: true });
  }
  let candidates = scanForComponent(cfg, component);
  if (!IS_LINUX) {
    candidates = component
      .ports(cfg)
      .map(({ port }) => findListener(port)?.pid)
      .filter((pid) => pid && isOurs(cfg, component, pid));
  }
  if (candidates.length === 0) return null;
  const pid = candidates[0];
  if (repair) {
    log(`found our ${component.name} running as pid ${pid} without a pid file; adopting it`);
    writeFileSync(pidFile, `${pid}\n`);
  }
  return { pid };
}

/** How long ago a process started, or null when that cannot be told. */
export function processAgeMs(pid) {
  const result = spawnSync('ps', ['-o', 'etimes=', '-p', String(pid)], { encoding: 'utf8' });
  const seconds = Number.parseInt(result.stdout ?? '', 10);
  return result.status === 0 && Number.isFinite(seconds) ? seconds * 1000 : null;
}

/** Tries to bind the port on the loopback address the stack uses. */
export function portAvailability(port) {
  return new Promise((resolvePromise) => {
    const server = createServer();
    server.unref();
    server.once('error', (error) => resolvePromise({ free: false, code: error.code }));
    server.listen({ port, host: HOST, exclusive: true }, () =>
      server.close(() => resolvePromise({ free: true })),
    );
  });
}

/** The process listening on a TCP port, as far as this user may see: { pid, command } or { pid: null }. */
export function findListener(port) {
  if (IS_LINUX) {
    const inodes = new Set();
    for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
      let text;
      try {
        text = readFileSync(table, 'utf8');
      } catch {
        continue;
      }
      for (const line of text.split('\n').slice(1)) {
        const columns = line.trim().split(/\s+/);
        if (columns.length < 10 || columns[3] !== '0A') continue;
        const local = columns[1];
        if (parseInt(local.slice(local.lastIndexOf(':') + 1), 16) === port && columns[9] !== '0') {
          inodes.add(columns[9]);
        }
      }
    }
    if (inodes.size === 0) return null;
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      let descriptors;
      try {
        descriptors = readdirSync(`/proc/${entry}/fd`);
      } catch {
        continue;
      }
      for (const descriptor of descriptors) {
        let target;
        try {
          target = readlinkSync(`/proc/${entry}/fd/${descriptor}`);
        } catch {
          continue;
        }
        const match = /^socket:\[(\d+)\]$/.exec(target);
        if (match && inodes.has(match[1])) {
          const pid = Number(entry);
          return { pid, command: describeCommand(commandLine(pid)) };
        }
      }
    }
    return { pid: null };
  }
  const result = spawnSync('lsof', ['-nP', '-t', `-iTCP:${port}`, '-sTCP:LISTEN'], { encoding: 'utf8' });
  const pid = Number((result.stdout ?? '').split('\n')[0]);
  if (!pid) return result.error ? { pid: null } : null;
  return { pid, command: describeCommand(commandLine(pid)) };
}

/** Ports of `component` that something other than `ownPid` holds, each with a sentence naming the holder. */
export async function portConflicts(cfg, component, ownPid) {
  const conflicts = [];
  for (const { port, variable, role } of component.ports(cfg)) {
    const availability = await portAvailability(port);
    if (availability.free) continue;
    const what = `port ${port} (${component.name} ${role}, ${variable})`;
    if (availability.code === 'EACCES') {
      conflicts.push(`${what} may not be bound by this user (permission denied)`);
      continue;
    }
    const holder = findListener(port);
    if (holder?.pid && holder.pid === ownPid) continue;
    const who = holder?.pid ? `pid ${holder.pid} (${holder.command})` : 'a process this user cannot inspect';
    conflicts.push(`${what} is in use by ${who}, which is not part of the stack in ${cfg.stateDir}`);
  }
  return conflicts;
}

/** SIGTERM, then SIGKILL after the component's grace period. Resolves once the process is gone. */
export async function stopProcess(cfg, component, pid, log) {
  const started = Date.now();
  const gone = () => !isOurs(cfg, component, pid);
  const signal = (name) => {
    try {
      process.kill(pid, name);
    } catch (error) {
      if (error.code !== 'ESRCH') throw error;
    }
  };
  signal('SIGTERM');
  signal('SIGCONT'); // a stopped (suspended) process handles SIGTERM only once it runs again
  if (await waitUntil(gone, component.stopTimeoutMs)) return { forced: false, ms: Date.now() - started };
  log(
    `${component.title} (pid ${pid}) did not stop within ${component.stopTimeoutMs / 1000} s; ` +
      'sending SIGKILL',
  );
  signal('SIGKILL');
  if (await waitUntil(gone, 10_000)) return { forced: true, ms: Date.now() - started };
  throw new StackError(`${capitalize(component.title)} (pid ${pid}) is still running after SIGKILL.`);
}

export async function waitUntil(condition, timeoutMs, intervalMs = 100) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(intervalMs);
  }
}

export function formatSeconds(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}

export function capitalize(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function sleep(ms) {
  return new Promise((resolvePromise) => setTimeout(resolvePromise, ms));
}

/** Runs a command to completion, collecting its output (and appending it to `logFile` when given). */
export function run(command, args, { cwd, env, logFile, truncateLog = false } = {}) {
  return new Promise((resolvePromise, reject) => {
    let output = '';
    let child;
    try {
      child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      reject(error);
      return;
    }
    if (logFile && truncateLog) writeFileSync(logFile, '');
    const collect = (chunk) => {
      output += chunk;
      if (logFile) appendFileSync(logFile, chunk);
    };
    child.stdout.setEncoding('utf8').on('data', collect);
    child.stderr.setEncoding('utf8').on('data', collect);
    child.once('error', reject);
    child.once('close', (code, signal) => resolvePromise({ code: code ?? signal, output }));
  });
}

export function lastLines(text, count) {
  return text
    .trimEnd()
    .split('\n')
    .slice(-count)
    .map((line) => `    ${line}`)
    .join('\n');
}

/** The end of a log file from byte `from` on (what the current start wrote). */
export function logTail(file, from, count = 25) {
  try {
    const size = statSync(file).size;
    const start = Math.max(from, size - 64 * 1024);
    const buffer = Buffer.alloc(size - start);
    const fd = openSync(file, 'r');
    try {
      readSync(fd, buffer, 0, buffer.length, start);
    } finally {
      closeSync(fd);
    }
    return lastLines(buffer.toString('utf8'), count);
  } catch {
    return '    (no log output)';
  }
}
