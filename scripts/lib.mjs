// Helpers shared by the root commands. Dependency-free: they run before anything is installed.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const rootPackage = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
export const PNPM_VERSION = rootPackage.packageManager.replace(/^pnpm@/, '');

export function log(message) {
  process.stdout.write(`\u001b[36m▸\u001b[0m ${message}\n`);
}

export function fail(message) {
  process.stderr.write(`\u001b[31m✗ ${message}\u001b[0m\n`);
  process.exit(1);
}

const SIGNALS = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 };
/** Children a signal to this process is passed on to: `{ child, group }`, group when it leads one. */
const children = new Set();
let forwarding = false;

/**
 * Passes SIGINT, SIGTERM and SIGHUP on to `child` (to its whole process group when `group`: a child
 * spawned `detached` leads one of its own, which no terminal or supervisor signals by itself) for as long
 * as it runs. This process then goes on as when the child exits (its caller cleans up: a test run stops
 * its stack); it exits at once on a signal when no child runs, and on a second signal.
 */
export function forwardSignals(child, { group = false } = {}) {
  const entry = { child, group };
  children.add(entry);
  child.on('exit', () => children.delete(entry));
  child.on('error', () => children.delete(entry));
  if (forwarding) return child;
  forwarding = true;
  let received = 0;
  for (const [signal, number] of Object.entries(SIGNALS)) {
    process.on(signal, () => {
      received += 1;
      if (children.size === 0 || received > 1) process.exit(128 + number);
      for (const { child: running, group: leads } of children) {
        try {
          if (leads) process.kill(-running.pid, signal);
          else running.kill(signal);
        } catch {
          // gone already
        }
      }
    });
  }
  return child;
}

/** Runs a command, inheriting stdio; resolves with its exit code. A signal to this process is passed on. */
export function run(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = forwardSignals(spawn(command, args, { cwd: ROOT, stdio: 'inherit', ...options }));
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

export async function runOrFail(command, args, options) {
  const code = await run(command, args, options);
  if (code !== 0) fail(`${command} ${args.join(' ')} exited with ${code}`);
}

/** How to call pnpm at the version the repository pins, without a global install: `{ command, args }`. */
export function pnpmCommand() {
  const local = pnpmBinary();
  return local ? { command: local, args: [] } : { command: 'npx', args: ['-y', `pnpm@${PNPM_VERSION}`] };
}

/** pnpm, at the version the repository pins, without a global install. */
export function pnpm(args, options) {
  const { command, args: head } = pnpmCommand();
  return run(command, [...head, ...args], options);
}

function pnpmBinary() {
  const result = spawnSync('pnpm', ['--version'], { encoding: 'utf8' });
  return result.status === 0 && result.stdout.trim() === PNPM_VERSION ? 'pnpm' : null;
}

export function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 10))
    fail(`Node.js 20.10 or newer is needed (this is ${process.versions.node})`);
}

/** Installs dependencies when node_modules is missing or older than the lockfile. */
export async function ensureInstalled() {
  checkNode();
  const marker = path.join(ROOT, 'node_modules', '.modules.yaml');
  const lock = path.join(ROOT, 'pnpm-lock.yaml');
  const stale =
    !fs.existsSync(marker) ||
    (fs.existsSync(lock) && fs.statSync(lock).mtimeMs > fs.statSync(marker).mtimeMs);
  if (stale) {
    log(`installing dependencies (pnpm ${PNPM_VERSION})`);
    const args = ['install', process.env.CI ? '--frozen-lockfile' : '--prefer-offline'];
    if ((await pnpm(args)) !== 0) fail('dependency installation failed');
  }
  log('generating code (Prisma clients, event types)');
  if ((await pnpm(['exec', 'turbo', 'run', 'generate', '--output-logs=errors-only'])) !== 0)
    fail('code generation failed');
}
