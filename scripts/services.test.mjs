// `npm start` / `npm stop` process management, on a repository tree of its own: tiny HTTP servers as
// services and simulators, a temporary state folder and free ports. Run with `node --test scripts/`.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, beforeEach, describe, test } from 'node:test';
import { findListener, isAlive, portIsFree } from './processes.mjs';
import { discover, startServices, stopServices } from './services.mjs';

// A server that answers /health/live (503 when started with UNHEALTHY=1) and stops on SIGTERM.
const SERVER = `
import http from 'node:http';
const server = http.createServer((request, response) => {
  const ok = process.env.UNHEALTHY !== '1';
  response.writeHead(request.url === '/health/live' && ok ? 200 : 503).end(String(process.pid));
});
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function until(condition, description) {
  // Generous: this waits for a process to exit or a server to listen, never to judge speed.
  const deadline = Date.now() + 30_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A package folder under `<root>/<group>/<name>` with the given start script and platform block. */
function writePackage(root, group, name, platform, start = 'node server.mjs') {
  const dir = path.join(root, group, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'server.mjs'), SERVER);
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: `@fake/${name}`, type: 'module', scripts: { start }, platform }),
  );
  return dir;
}

const handStarted = [];

/** Starts a server by hand, as a developer would (no pid file). */
async function startByHand(cwd, port, env = {}) {
  const child = spawn(process.execPath, ['server.mjs'], {
    cwd,
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, PORT: String(port), ...env },
  });
  child.unref();
  handStarted.push(child.pid);
  await until(async () => findListener(port)?.pid === child.pid, `the hand-started server on ${port}`);
  return child.pid;
}

let root;
let stateDir;
let options;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'fv-services-test-'));
  stateDir = path.join(root, '.state');
  options = { root, stateDir };
});

afterEach(async () => {
  await stopServices(options);
  for (const pid of handStarted.splice(0)) {
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
  fs.rmSync(root, { recursive: true, force: true });
});

after(() => {
  for (const pid of handStarted) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
});

const pidFileOf = (name) => Number(fs.readFileSync(path.join(stateDir, 'run', `${name}.pid`), 'utf8'));

// The assertions read /proc.
const linuxOnly = { skip: process.platform !== 'linux' && 'reads /proc' };

describe('npm start', linuxOnly, () => {
  test('the pid file holds the listening server; a SIGKILL leaves no orphan and start brings it back', async () => {
    const port = await freePort();
    writePackage(root, 'services', 'fake', { port });

    const [first] = await startServices({}, options);
    assert.equal(first.state, 'started');
    const pid = pidFileOf('fake');
    assert.equal(pid, first.pid);
    assert.equal(findListener(port)?.pid, pid, 'the pid file names the process that listens');

    process.kill(pid, 'SIGKILL');
    await until(async () => !isAlive(pid), 'the killed server to be gone');
    assert.equal(
      findListener(port)?.pid ?? null,
      null,
      'no process of the killed service listens on its port',
    );
    await until(() => portIsFree(port), 'the port to be released');

    const [second] = await startServices({}, options);
    assert.equal(second.state, 'restarted');
    assert.notEqual(second.pid, pid);
    assert.equal(pidFileOf('fake'), second.pid);
    assert.equal(findListener(port)?.pid, second.pid);
    assert.equal((await fetch(`http://127.0.0.1:${port}/health/live`)).status, 200);
  });

  test('a start script run through tsx is started as node --import tsx, the pid file naming node', async () => {
    const port = await freePort();
    const dir = writePackage(root, 'services', 'typed', { port }, 'tsx server.mjs');
    // The service's own tsx, as a workspace package would have it.
    fs.mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
    fs.symlinkSync(
      fs.realpathSync(path.join(import.meta.dirname, '..', 'packages', 'testing', 'node_modules', 'tsx')),
      path.join(dir, 'node_modules', 'tsx'),
    );
    const [started] = await startServices({}, options);
    assert.equal(findListener(port)?.pid, started.pid);
    assert.deepEqual(fs.readFileSync(`/proc/${started.pid}/cmdline`, 'utf8').split('\0').slice(1, 4), [
      '--import',
      'tsx',
      'server.mjs',
    ]);
  });

  test('with compiled, a built server runs as node dist/main.js; one not built yet from its start script', async () => {
    const port = await freePort();
    const buildable = (name, at) => {
      const folder = writePackage(root, 'services', name, { port: at });
      const manifest = JSON.parse(fs.readFileSync(path.join(folder, 'package.json'), 'utf8'));
      manifest.scripts.build = 'node build.mjs';
      fs.writeFileSync(path.join(folder, 'package.json'), JSON.stringify(manifest));
      return folder;
    };
    const dir = buildable('built', port);
    buildable('unbuilt', await freePort());
    fs.mkdirSync(path.join(dir, 'dist'));
    fs.copyFileSync(path.join(dir, 'server.mjs'), path.join(dir, 'dist', 'main.js'));
    fs.writeFileSync(path.join(dir, 'dist', 'package.json'), '{"type":"module"}');
    const started = await startServices({}, { ...options, compiled: true });
    const args = (pid) => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(1, -1);
    const byName = Object.fromEntries(started.map((server) => [server.name, server]));
    assert.deepEqual(args(byName.built.pid), ['--enable-source-maps', path.join('dist', 'main.js')]);
    assert.deepEqual(args(byName.unbuilt.pid), ['server.mjs']);
  });

  test('a start script it cannot run directly goes through npm; the pid file still names the listener', async () => {
    const port = await freePort();
    writePackage(root, 'services', 'wrapped', { port }, 'node server.mjs && true');
    const [started] = await startServices({}, options);
    assert.equal(findListener(port)?.pid, started.pid);
    assert.equal(pidFileOf('wrapped'), started.pid);
    assert.match(fs.readFileSync(`/proc/${started.pid}/cmdline`, 'utf8'), /server\.mjs/);
  });

  test('a healthy orphan of the repository on the port is adopted and the pid file rewritten', async () => {
    const port = await freePort();
    const dir = writePackage(root, 'services', 'fake', { port });
    const orphan = await startByHand(dir, port);

    const [result] = await startServices({}, options);
    assert.equal(result.state, 'adopted');
    assert.equal(result.pid, orphan);
    assert.equal(pidFileOf('fake'), orphan);

    const [again] = await startServices({}, options);
    assert.equal(again.state, 'running');
    assert.equal(again.pid, orphan);
  });

  test('an unhealthy orphan of the repository is stopped and replaced', async () => {
    const port = await freePort();
    const dir = writePackage(root, 'services', 'fake', { port });
    const orphan = await startByHand(dir, port, { UNHEALTHY: '1' });

    const [result] = await startServices({}, options);
    assert.equal(result.state, 'replaced');
    assert.equal(isAlive(orphan), false);
    assert.notEqual(result.pid, orphan);
    assert.equal(findListener(port)?.pid, result.pid);
  });

  test('a foreign process on the port is refused, naming its pid, and left alone', async () => {
    const port = await freePort();
    writePackage(root, 'services', 'fake', { port });
    const elsewhere = path.join(root, 'elsewhere');
    fs.mkdirSync(elsewhere);
    fs.writeFileSync(path.join(elsewhere, 'server.mjs'), SERVER);
    const foreign = await startByHand(elsewhere, port);

    await assert.rejects(startServices({}, options), (error) => {
      assert.match(error.message, new RegExp(`port ${port} \\(fake\\) is in use by pid ${foreign}\\b`));
      return true;
    });
    assert.equal(isAlive(foreign), true);
    await stopServices(options);
    assert.equal(isAlive(foreign), true, 'npm stop leaves a foreign process alone');
  });

  test('simulators are discovered (an empty folder is fine) and start before the services', async () => {
    fs.mkdirSync(path.join(root, 'simulators'));
    assert.deepEqual(discover(root), []);

    const servicePort = await freePort();
    const simulatorPort = await freePort();
    writePackage(root, 'services', 'shop', { port: servicePort });
    writePackage(root, 'simulators', 'payment-provider', { port: simulatorPort, kind: 'simulator' });
    writePackage(root, 'simulators', 'not-a-simulator', { port: await freePort() });

    const started = await startServices({}, options);
    assert.deepEqual(
      started.map((s) => [s.kind, s.name, s.port]),
      [
        ['simulator', 'payment-provider', simulatorPort],
        ['service', 'shop', servicePort],
      ],
    );
    for (const s of started) assert.equal(findListener(s.port)?.pid, s.pid);
  });
});

describe('npm stop', linuxOnly, () => {
  test('stops the servers it started and orphans of the repository on their ports', async () => {
    const port = await freePort();
    const orphanPort = await freePort();
    writePackage(root, 'services', 'fake', { port });
    const orphanDir = writePackage(root, 'simulators', 'sim', { port: orphanPort, kind: 'simulator' });
    await startServices({}, options);
    const pid = pidFileOf('fake');
    // The simulator's pid file is lost; its server still runs.
    fs.rmSync(path.join(stateDir, 'run', 'sim.pid'));
    const orphan = findListener(orphanPort).pid;
    assert.equal(fs.realpathSync(`/proc/${orphan}/cwd`), fs.realpathSync(orphanDir));

    const stopped = await stopServices(options);
    assert.deepEqual(
      stopped.map((s) => [s.name, s.pids]),
      [
        ['fake', [pid]],
        ['sim', [orphan]],
      ],
    );
    assert.equal(isAlive(pid), false);
    assert.equal(isAlive(orphan), false);
    assert.equal(await portIsFree(port), true);
    assert.equal(await portIsFree(orphanPort), true);
    assert.equal(fs.existsSync(path.join(stateDir, 'run', 'fake.pid')), false);
  });
});
