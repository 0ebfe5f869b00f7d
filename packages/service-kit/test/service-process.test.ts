import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { signToken } from '../src/auth.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));
const SECRET = 'process-test-secret-0123';

interface LogLine {
  msg: string;
  level: string;
  [key: string]: unknown;
}

interface RunningProcess {
  child: ChildProcess;
  lines: LogLine[];
  /** Resolves with the first line `predicate` accepts. */
  waitFor(predicate: (line: LogLine) => boolean): Promise<LogLine>;
  exited: Promise<number | null>;
}

const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function start(env: Record<string, string>): RunningProcess {
  const child = spawn(tsx, ['test/fixtures/demo-service.ts'], {
    cwd: packageDir,
    env: { ...process.env, NODE_ENV: 'test', JWT_SECRET: SECRET, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const lines: LogLine[] = [];
  const waiters: { predicate: (line: LogLine) => boolean; resolve: (line: LogLine) => void }[] = [];
  createInterface({ input: child.stdout! }).on('line', (text) => {
    if (!text.startsWith('{')) return;
    const line = JSON.parse(text) as LogLine;
    lines.push(line);
    for (const waiter of [...waiters]) {
      if (waiter.predicate(line)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    lines,
    exited,
    waitFor: (predicate) => {
      const seen = lines.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ predicate, resolve });
        void exited.then((code) =>
          reject(new Error(`service exited with ${code} before the expected log line`)),
        );
      });
    },
  };
}

describe('a service process', () => {
  it('serves, then on SIGTERM closes everything in order and exits 0', async () => {
    const port = await freePort();
    const service = start({ PORT: String(port) });
    await service.waitFor((line) => line.msg.startsWith('listening on'));

    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);
    const token = signToken(SECRET, { sub: 'local-dev', roles: ['admin'], expiresIn: '5m' });
    const whoami = await fetch(`${base}/api/v1/whoami`, { headers: { authorization: `Bearer ${token}` } });
    expect(await whoami.json()).toMatchObject({ sub: 'local-dev', roles: ['admin'] });

    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    const closing = service.lines
      .filter((line) => line.msg.startsWith('closing '))
      .map((line) => line.closeable);
    expect(closing).toEqual(['consumers', 'outbox relay', 'producer', 'database']);
    const order = service.lines.map((line) => line.msg);
    expect(order.indexOf('http server closed')).toBeLessThan(order.indexOf('closing consumers'));
    expect(order.at(-1)).toBe('shutdown complete');
  });

  it('exits 1 naming what did not close within SHUTDOWN_TIMEOUT_MS', async () => {
    const port = await freePort();
    const service = start({ PORT: String(port), HANG_CLOSING: 'producer', SHUTDOWN_TIMEOUT_MS: '300' });
    await service.waitFor((line) => line.msg.startsWith('listening on'));

    service.child.kill('SIGINT');
    expect(await service.exited).toBe(1);
    const timedOut = service.lines.find((line) => line.msg.startsWith('shutdown timed out'));
    expect(timedOut).toMatchObject({ stillOpen: ['producer', 'database'] });
  });

  it('stays live but not ready while a critical dependency is down', async () => {
    const port = await freePort();
    const service = start({ PORT: String(port), DATABASE_DOWN: 'true' });
    await service.waitFor((line) => line.msg.startsWith('listening on'));

    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
    const ready = await fetch(`${base}/health/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ failing: ['database'] });

    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
  });

  it('refuses to start with a bad configuration, naming the variable', async () => {
    const child = spawn(tsx, ['test/fixtures/demo-service.ts'], {
      cwd: packageDir,
      env: { ...process.env, PORT: 'eighty' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.push(child);
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('PORT: must be an integer between 1 and 65535 (got "eighty")');
  });

  it('refuses to start with NODE_ENV unset and no key, naming JWT_SECRET (finding 1)', async () => {
    const env: Record<string, string | undefined> = { ...process.env, PORT: String(await freePort()) };
    delete env.NODE_ENV;
    delete env.JWT_SECRET;
    const child = spawn(tsx, ['test/fixtures/demo-service.ts'], {
      cwd: packageDir,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.push(child);
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('JWT_SECRET: is required (NODE_ENV is not set)');
  });
});
