// Discovers the local simulators and the services of the repository and starts or stops them as
// background processes, with their logs and pid files in the ignored state folder. Used by `npm start`
// and `npm stop`.
//
// The pid file of a server holds the pid of the process that listens on its port (not of a launcher such
// as npm or tsx), so `kill <pid>` stops the server. What listens on a port is the truth: a server of this
// repository found there without a pid file (an orphan of an earlier run, or one started by hand) is
// adopted when healthy and replaced otherwise; a foreign program there is refused, naming its pid.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './lib.mjs';
import {
  belongsTo,
  describeProcess,
  findListener,
  isAlive,
  portIsFree,
  terminate,
  writeFileAtomic,
} from './processes.mjs';

const START_TIMEOUT_MS = 90_000;
const DEFAULT_HEALTH_PATH = '/health/live';

function stateFolders(options = {}) {
  const state = options.stateDir ?? process.env.FV_STATE_DIR ?? path.join(options.root ?? ROOT, '.local');
  return { runDir: path.join(state, 'run'), logDir: path.join(state, 'logs') };
}

function packagesIn(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .map((name) => path.join(dir, name, 'package.json'))
    .filter((file) => fs.existsSync(file))
    .map((file) => {
      try {
        return { file, pkg: JSON.parse(fs.readFileSync(file, 'utf8')) };
      } catch (error) {
        throw new Error(`${path.relative(ROOT, file)} is not valid JSON: ${error.message}`);
      }
    })
    .filter(({ pkg }) => pkg.scripts?.start && Number.isInteger(pkg.platform?.port));
}

function describe(kind, { file, pkg }) {
  return {
    name: path.basename(path.dirname(file)),
    kind,
    dir: path.dirname(file),
    port: pkg.platform.port,
    healthPath: pkg.platform.healthPath ?? DEFAULT_HEALTH_PATH,
    startScript: pkg.scripts.start,
    // Built by `turbo run build` into dist/main.js (scripts/build-service.mjs).
    compiled: pkg.scripts.build ? path.join(path.dirname(file), 'dist', 'main.js') : null,
  };
}

/**
 * What `npm start` runs, in start order: first the local simulators (packages under `simulators/` with a
 * `start` script and `"platform": { "port": N, "kind": "simulator" }`), then the services (packages under
 * `services/` with a `start` script and `"platform": { "port": N }`), each group by port.
 *
 * @param {string} [root] the repository (a test passes a folder of its own)
 */
export function discover(root = ROOT) {
  const byPort = (a, b) => a.port - b.port;
  const simulators = packagesIn(path.join(root, 'simulators'))
    .filter(({ pkg }) => pkg.platform.kind === 'simulator')
    .map((entry) => describe('simulator', entry))
    .sort(byPort);
  const services = packagesIn(path.join(root, 'services'))
    .filter(({ pkg }) => pkg.platform.kind === undefined || pkg.platform.kind === 'service')
    .map((entry) => describe('service', entry))
    .sort(byPort);
  const seen = new Map();
  for (const server of [...simulators, ...services]) {
    if (seen.has(server.port)) {
      throw new Error(`${seen.get(server.port)} and ${server.name} both declare port ${server.port}`);
    }
    seen.set(server.port, server.name);
  }
  return [...simulators, ...services];
}

/** The services only (see `discover`). */
export function discoverServices(root = ROOT) {
  return discover(root).filter((server) => server.kind === 'service');
}

/**
 * The command that runs the server itself rather than a launcher. With `compiled`, a server that has
 * been built runs as `node --enable-source-maps dist/main.js`. Otherwise its start script: `tsx <file>`
 * becomes `node --import tsx <file>` and `node <args>` runs as is; any other start script runs through
 * npm, and the pid of the process that then listens is recorded.
 */
export function launchCommand(server, { compiled = false } = {}) {
  if (compiled && server.compiled && fs.existsSync(server.compiled)) {
    return {
      command: process.execPath,
      args: ['--enable-source-maps', path.relative(server.dir, server.compiled)],
    };
  }
  const script = server.startScript.trim();
  if (/^[\w@./:=-]+(\s+[\w@./:=-]+)*$/.test(script)) {
    const [program, ...args] = script.split(/\s+/);
    if (program === 'tsx' && args.length > 0 && !args[0].startsWith('-')) {
      return { command: process.execPath, args: ['--import', 'tsx', ...args] };
    }
    if (program === 'node') return { command: process.execPath, args };
  }
  return { command: 'npm', args: ['run', '--silent', 'start'] };
}

function pidFile(folders, server) {
  return path.join(folders.runDir, `${server.name}.pid`);
}

function logFile(folders, server) {
  return path.join(folders.logDir, `${server.name}.log`);
}

function readPid(file) {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

async function healthy(server, timeoutMs = 1000) {
  try {
    const response = await fetch(`http://127.0.0.1:${server.port}${server.healthPath}`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits (briefly) until the port can be bound: the kernel closes a dead process's socket a moment later. */
async function released(port) {
  for (let attempt = 0; attempt < 50 && !(await portIsFree(port)); attempt += 1) {
    if (findListener(port)?.pid) return;
    await sleep(100);
  }
}

/** The process of this server that listens on its port (or null), refusing a foreign one. */
async function ownListener(server) {
  let listener = findListener(server.port);
  // A socket whose process just exited is listed for a moment without an owner: look again before
  // calling it foreign.
  for (let attempt = 0; listener && !listener.pid && attempt < 20; attempt += 1) {
    await sleep(100);
    listener = findListener(server.port);
  }
  if (!listener) return null;
  if (listener.pid && belongsTo(listener.pid, server.dir)) return listener.pid;
  const who = listener.pid ? describeProcess(listener.pid) : 'a process this user cannot inspect';
  throw new Error(
    `port ${server.port} (${server.name}) is in use by ${who}, which is not this repository's ${server.name}; ` +
      'stop it, or change the port in its package.json',
  );
}

/**
 * Brings one server to a known state without starting it: adopts a healthy one of ours on its port,
 * stops an unhealthy one (and a stale launcher from the pid file). Answers `{ pid, state }` when adopted.
 */
async function settle(folders, server) {
  const file = pidFile(folders, server);
  const recorded = readPid(file);
  const listening = await ownListener(server);
  if (listening && (await healthy(server))) {
    if (recorded !== listening) writeFileAtomic(file, `${listening}\n`);
    return { pid: listening, state: recorded === listening ? 'running' : 'adopted' };
  }
  const stale = [listening, recorded && belongsTo(recorded, server.dir) ? recorded : null].filter(Boolean);
  if (stale.length > 0) await terminate(stale);
  fs.rmSync(file, { force: true });
  await released(server.port);
  // Something foreign may have taken the port meanwhile.
  if (await ownListener(server)) throw new Error(`port ${server.port} (${server.name}) is still in use`);
  return { recorded, replaced: listening };
}

function launch(folders, server, env, options) {
  const { command, args } = launchCommand(server, options);
  const out = fs.openSync(logFile(folders, server), 'a');
  const child = spawn(command, args, {
    cwd: server.dir,
    // Its own process group and session: a Ctrl-C in the terminal of `npm start` does not reach it.
    detached: true,
    stdio: ['ignore', out, out],
    // Local development, said explicitly: services may fall back to the local PostgreSQL server or an
    // embedded database, and reach loopback addresses (a NODE_ENV of the caller's own wins).
    env: { NODE_ENV: 'development', ...process.env, ...env, PORT: String(server.port) },
  });
  fs.closeSync(out);
  if (!child.pid) throw new Error(`${server.name} could not be started (${command} ${args.join(' ')})`);
  child.unref();
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  child.once('error', () => {});
  writeFileAtomic(pidFile(folders, server), `${child.pid}\n`);
  return { child, exited };
}

async function awaitHealthy(folders, server, launched) {
  let exit = null;
  launched.exited.then((value) => (exit = value));
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await healthy(server))) {
    if (exit || Date.now() > deadline) {
      const why = exit
        ? `exited with ${exit.code ?? exit.signal}`
        : `did not answer ${server.healthPath} in ${START_TIMEOUT_MS / 1000} s`;
      throw new Error(`${server.name} ${why} (port ${server.port}); see ${logFile(folders, server)}`);
    }
    await sleep(250);
  }
  // The pid file names the listener, whether it is the process started or (through npm) its child.
  const listening = (await ownListener(server)) ?? launched.child.pid;
  if (listening !== launched.child.pid) writeFileAtomic(pidFile(folders, server), `${listening}\n`);
  return listening;
}

/**
 * Starts every simulator, then every service, reusing healthy ones, restarting dead or unhealthy ones and
 * adopting healthy orphans. Resolves once all answer their health check.
 *
 * @param {Record<string, string>} env added to each server's environment
 * @param {{ root?: string, stateDir?: string, compiled?: boolean }} [options] the repository and state
 *   folder (default: this repository and FV_STATE_DIR, else <root>/.local); `compiled` runs the servers
 *   that have been built from dist/ (see `launchCommand`)
 * @returns {Promise<{ name: string, kind: 'simulator' | 'service', port: number, pid: number,
 *   state: 'running' | 'adopted' | 'started' | 'restarted' | 'replaced', log: string }[]>}
 */
export async function startServices(env = {}, options = {}) {
  const folders = stateFolders(options);
  fs.mkdirSync(folders.runDir, { recursive: true });
  fs.mkdirSync(folders.logDir, { recursive: true });
  const servers = discover(options.root);
  const results = [];
  // Simulators first: services call them from their first request on.
  for (const kind of ['simulator', 'service']) {
    const group = servers.filter((server) => server.kind === kind);
    const pending = [];
    for (const server of group) {
      const settled = await settle(folders, server);
      if (settled.pid) {
        results.push({ server, pid: settled.pid, state: settled.state });
        continue;
      }
      const state = settled.replaced ? 'replaced' : settled.recorded ? 'restarted' : 'started';
      pending.push({ server, state, launched: launch(folders, server, env, options) });
    }
    for (const { server, state, launched } of pending) {
      results.push({ server, state, pid: await awaitHealthy(folders, server, launched) });
    }
  }
  return servers.map((server) => {
    const { pid, state } = results.find((result) => result.server === server);
    return {
      name: server.name,
      kind: server.kind,
      port: server.port,
      pid,
      state,
      log: logFile(folders, server),
    };
  });
}

/**
 * Stops the services, then the simulators: the process in each pid file and any process of this
 * repository listening on their ports (SIGTERM, then SIGKILL after a grace period).
 *
 * @param {{ root?: string, stateDir?: string }} [options] as for startServices
 * @returns {Promise<{ name: string, pids: number[], killed: number[] }[]>}
 */
export async function stopServices(options = {}) {
  const folders = stateFolders(options);
  const stopped = [];
  for (const server of discover(options.root).reverse()) {
    const file = pidFile(folders, server);
    const recorded = readPid(file);
    const listener = findListener(server.port)?.pid;
    const pids = [
      ...new Set([recorded, listener].filter((pid) => pid && isAlive(pid) && belongsTo(pid, server.dir))),
    ];
    if (pids.length > 0) {
      stopped.push({ name: server.name, pids, killed: await terminate(pids) });
      await released(server.port);
    }
    fs.rmSync(file, { force: true });
  }
  return stopped;
}
