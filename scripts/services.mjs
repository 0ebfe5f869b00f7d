// Discovers the services of the repository and starts or stops them as background processes, with
// their logs and pid files in the ignored state folder. Used by `npm start` and `npm stop`.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './lib.mjs';

const STATE = process.env.FV_STATE_DIR ?? path.join(ROOT, '.local');
const RUN_DIR = path.join(STATE, 'run');
const LOG_DIR = path.join(STATE, 'logs');

/** Every service package under services/ with a `start` script and a port (`"platform": { "port": … }`). */
export function discoverServices() {
  const dir = path.join(ROOT, 'services');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .map((name) => path.join(dir, name, 'package.json'))
    .filter((file) => fs.existsSync(file))
    .map((file) => ({ file, pkg: JSON.parse(fs.readFileSync(file, 'utf8')) }))
    .filter(({ pkg }) => pkg.scripts?.start && pkg.platform?.port)
    .map(({ file, pkg }) => ({
      name: path.basename(path.dirname(file)),
      dir: path.dirname(file),
      port: pkg.platform.port,
    }))
    .sort((a, b) => a.port - b.port);
}

function pidFile(service) {
  return path.join(RUN_DIR, `${service.name}.pid`);
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function readPid(service) {
  try {
    const pid = Number(fs.readFileSync(pidFile(service), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : null;
  } catch {
    return null;
  }
}

async function answers(port, timeoutMs = 1000) {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/health/live`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
    return response.ok;
  } catch {
    return false;
  }
}

export async function startServices(env) {
  fs.mkdirSync(RUN_DIR, { recursive: true });
  fs.mkdirSync(LOG_DIR, { recursive: true });
  const started = [];
  for (const service of discoverServices()) {
    const pid = readPid(service);
    if (pid && (await answers(service.port))) {
      started.push({ ...service, pid, reused: true });
      continue;
    }
    if (pid) process.kill(-pid, 'SIGTERM');
    if (await answers(service.port)) {
      throw new Error(
        `port ${service.port} (${service.name}) is answered by a process this repository did not start`,
      );
    }
    const out = fs.openSync(path.join(LOG_DIR, `${service.name}.log`), 'a');
    const child = spawn('npm', ['run', '--silent', 'start'], {
      cwd: service.dir,
      detached: true,
      stdio: ['ignore', out, out],
      env: { ...process.env, ...env, PORT: String(service.port) },
    });
    child.unref();
    fs.writeFileSync(pidFile(service), String(child.pid));
    started.push({ ...service, pid: child.pid, reused: false });
  }
  for (const service of started) {
    const deadline = Date.now() + 90_000;
    while (!(await answers(service.port))) {
      if (!alive(service.pid) || Date.now() > deadline) {
        throw new Error(
          `${service.name} did not come up on port ${service.port}; see ${path.join(LOG_DIR, `${service.name}.log`)}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  return started.map((s) => ({ ...s, log: path.join(LOG_DIR, `${s.name}.log`) }));
}

export async function stopServices() {
  const stopped = [];
  for (const service of discoverServices()) {
    const pid = readPid(service);
    if (!pid) continue;
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      process.kill(pid, 'SIGTERM');
    }
    const deadline = Date.now() + 15_000;
    while (alive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    if (alive(pid)) process.kill(-pid, 'SIGKILL');
    fs.rmSync(pidFile(service), { force: true });
    stopped.push(service.name);
  }
  return stopped;
}
