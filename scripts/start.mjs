#!/usr/bin/env node
// `npm start`: installs what is missing, builds the servers that changed, brings up the local stack (broker, schema registry; databases
// are created by each service on first start), registers the event schemas, starts the local simulators
// and then every service in the background, and prints where each one listens. Safe to run again: what
// runs healthy is reused (an orphan of an earlier run is adopted), what died or hangs is started again.
// Last, the reference storefront (examples/storefront) on a port of its own.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, ensureInstalled, fail, log, pnpm } from './lib.mjs';
import { belongsTo, describeProcess, findListener, terminate, writeFileAtomic } from './processes.mjs';
import { startServices } from './services.mjs';

await ensureInstalled();

// The servers run as compiled JavaScript (scripts/build-service.mjs): turbo rebuilds only a server whose
// sources, or whose workspace packages' sources, changed since its last build. FV_RUN_SOURCES=1 runs them
// from TypeScript through tsx instead.
const compiled = process.env.FV_RUN_SOURCES !== '1';
if (compiled) {
  log('building the servers (what changed since the last build)');
  if ((await pnpm(['exec', 'turbo', 'run', 'build', '--output-logs=errors-only'])) !== 0) {
    fail('the build failed');
  }
}

/** `stack.mjs up --json`: progress on stderr, where everything listens as the last line of stdout. */
function stackUp() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['infra/stack.mjs', 'up', '--json'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error('the local stack did not start'));
      resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '{}'));
    });
  });
}

let stack;
try {
  stack = await stackUp();
} catch (error) {
  fail(error.message);
}
// The services and scripts started from here talk to that stack, whatever ports it was given.
const env = { KAFKA_BROKERS: stack.kafkaBrokers, SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl };
log(`broker ${stack.kafkaBrokers}, schema registry ${stack.schemaRegistryUrl}`);

log('registering event schemas');
if (
  (await pnpm(['--filter', '@fv/contracts', 'run', '--silent', 'register'], {
    env: { ...process.env, ...env },
  })) !== 0
) {
  fail('schema registration failed');
}

let servers;
try {
  servers = await startServices(env, { compiled });
} catch (error) {
  fail(error.message);
}
const STATES = {
  running: 'already running',
  adopted: 'already running (adopted)',
  started: 'started',
  restarted: 'restarted',
  replaced: 'replaced an unhealthy one',
};
for (const [kind, title, api] of [
  ['simulator', 'Simulators', ''],
  ['service', 'Services', '  (api /api/v1, docs /docs)'],
]) {
  const group = servers.filter((s) => s.kind === kind);
  if (group.length === 0) {
    if (kind === 'service') log('no services to start yet');
    continue;
  }
  console.log(`\n${title}:`);
  for (const s of group) {
    console.log(
      `  ${s.name.padEnd(24)} http://127.0.0.1:${s.port}${api}  ${STATES[s.state]} (pid ${s.pid})  log ${s.log}`,
    );
  }
}

/** The storefront: reused when healthy, else (re)started in the background like the services. */
async function startStorefront() {
  const server = { dir: path.join(ROOT, 'examples', 'storefront'), port: 8088 };
  const state = process.env.FV_STATE_DIR ?? path.join(ROOT, '.local');
  const pidFile = path.join(state, 'run', 'storefront.pid');
  const logFile = path.join(state, 'logs', 'storefront.log');
  const healthy = () =>
    fetch(`http://127.0.0.1:${server.port}/health/live`, { signal: AbortSignal.timeout(1000) }).then(
      (response) => response.ok,
      () => false,
    );
  const listener = findListener(server.port);
  if (listener?.pid && belongsTo(listener.pid, server.dir)) {
    if (await healthy()) {
      writeFileAtomic(pidFile, `${listener.pid}\n`);
      return { pid: listener.pid, state: 'running', log: logFile };
    }
    await terminate([listener.pid]);
  } else if (listener) {
    throw new Error(`port ${server.port} (storefront) is in use by ${describeProcess(listener.pid)}`);
  }
  const out = fs.openSync(logFile, 'a');
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: server.dir,
    detached: true,
    stdio: ['ignore', out, out],
    // Local development, as for the services: the development secret and key (a caller's NODE_ENV wins).
    env: { NODE_ENV: 'development', ...process.env, PORT: String(server.port) },
  });
  fs.closeSync(out);
  child.unref();
  writeFileAtomic(pidFile, `${child.pid}\n`);
  for (let waited = 0; !(await healthy()); waited += 250) {
    if (child.exitCode !== null || waited > 30_000)
      throw new Error(`the storefront did not start; see ${logFile}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { pid: child.pid, state: 'started', log: logFile };
}

try {
  const shop = await startStorefront();
  console.log('\nStorefront:');
  console.log(
    `  ${'storefront'.padEnd(24)} http://127.0.0.1:8088  ${STATES[shop.state]} (pid ${shop.pid})  log ${shop.log}`,
  );
} catch (error) {
  log(`storefront not started: ${error.message}`);
}
console.log(`\nBroker ${stack.kafkaBrokers}   schema registry ${stack.schemaRegistryUrl}`);
console.log('A token for calls: npm run -s dev-token -- --roles admin');
console.log('Stop everything with: npm stop');
