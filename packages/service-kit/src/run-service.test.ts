import { EventEmitter } from 'node:events';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runService, type Closeable, type ProcessLike } from './run-service.js';
import { buildTestApp, type TestApp } from './test-support/test-app.js';

class FakeProcess extends EventEmitter implements ProcessLike {
  readonly exitCodes: number[] = [];

  exit(code: number): void {
    this.exitCodes.push(code);
  }
}

const config = { HOST: '127.0.0.1', PORT: 0, SHUTDOWN_TIMEOUT_MS: 5000 };

let built: TestApp | undefined;

afterEach(async () => {
  if (built?.app.server.listening) await built.app.close();
  built = undefined;
});

function recorder() {
  const events: string[] = [];
  const closeable = (name: string, behaviour: 'ok' | 'fail' | 'hang' = 'ok'): Closeable => ({
    name,
    close: async () => {
      events.push(
        `${name}: server listening=${built?.app.server.listening}, ready=${!built?.app.health.shuttingDown}`,
      );
      if (behaviour === 'fail') throw new Error(`${name} exploded`);
      if (behaviour === 'hang') await new Promise(() => {});
    },
  });
  return { events, closeable };
}

describe('runService', () => {
  it('listens on HOST:PORT and says where', async () => {
    built = await buildTestApp();
    const proc = new FakeProcess();
    const running = await runService({ app: built.app, config, logger: built.logger, process: proc });
    expect(running.address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${running.address}/health/live`);
    expect(response.status).toBe(200);
    expect(built.logs.lines.some((line) => line.msg === `listening on ${running.address}`)).toBe(true);
    await running.shutdown('test over');
  });

  it('on SIGTERM stops the server, then closes everything in the given order, and exits 0', async () => {
    built = await buildTestApp();
    const proc = new FakeProcess();
    const { events, closeable } = recorder();
    const running = await runService({
      app: built.app,
      config,
      logger: built.logger,
      process: proc,
      closeables: [
        closeable('consumers'),
        closeable('outbox relay'),
        closeable('producer'),
        closeable('database'),
      ],
    });

    proc.emit('SIGTERM');
    const code = await running.shutdown('already under way');

    expect(code).toBe(0);
    expect(proc.exitCodes).toEqual([0]);
    expect(events).toEqual([
      'consumers: server listening=false, ready=false',
      'outbox relay: server listening=false, ready=false',
      'producer: server listening=false, ready=false',
      'database: server listening=false, ready=false',
    ]);
    await expect(fetch(`${running.address}/health/live`)).rejects.toThrow();
    expect(built.logs.lines.find((line) => line.msg === 'shutting down')).toMatchObject({
      reason: 'SIGTERM',
    });
  });

  it('keeps closing the rest when one fails, then exits 1', async () => {
    built = await buildTestApp();
    const proc = new FakeProcess();
    const { events, closeable } = recorder();
    const running = await runService({
      app: built.app,
      config,
      logger: built.logger,
      process: proc,
      closeables: [closeable('consumers', 'fail'), closeable('database')],
    });

    proc.emit('SIGINT');
    expect(await running.shutdown('SIGINT')).toBe(1);
    expect(proc.exitCodes).toEqual([1]);
    expect(events.map((event) => event.split(':')[0])).toEqual(['consumers', 'database']);
    expect(built.logs.lines.find((line) => line.msg === 'consumers failed to close')).toMatchObject({
      level: 'error',
    });
  });

  it('gives up after SHUTDOWN_TIMEOUT_MS, names what is still open and exits 1', async () => {
    built = await buildTestApp();
    const proc = new FakeProcess();
    const { events, closeable } = recorder();
    const running = await runService({
      app: built.app,
      config: { ...config, SHUTDOWN_TIMEOUT_MS: 20 },
      logger: built.logger,
      process: proc,
      closeables: [closeable('consumers'), closeable('outbox relay', 'hang'), closeable('database')],
    });

    expect(await running.shutdown('SIGTERM')).toBe(1);
    expect(proc.exitCodes).toEqual([1]);
    expect(events.map((event) => event.split(':')[0])).toEqual(['consumers', 'outbox relay']);
    const timedOut = built.logs.lines.find((line) => String(line.msg).startsWith('shutdown timed out'));
    expect(timedOut).toMatchObject({
      level: 'error',
      stillOpen: ['outbox relay', 'database'],
      timeoutMs: 20,
    });
  });

  it('exits at once on a second signal', async () => {
    built = await buildTestApp();
    const proc = new FakeProcess();
    const { closeable } = recorder();
    await runService({
      app: built.app,
      config,
      logger: built.logger,
      process: proc,
      closeables: [closeable('consumers', 'hang')],
    });

    proc.emit('SIGINT');
    proc.emit('SIGINT');
    expect(proc.exitCodes).toEqual([1]);
  });

  it('shuts down with status 1 after an uncaught exception or unhandled rejection', async () => {
    for (const event of ['uncaughtException', 'unhandledRejection']) {
      built = await buildTestApp();
      const proc = new FakeProcess();
      const { events, closeable } = recorder();
      const running = await runService({
        app: built.app,
        config,
        logger: built.logger,
        process: proc,
        closeables: [closeable('database')],
      });

      proc.emit(event, new Error('something broke'));
      expect(await running.shutdown('joined')).toBe(1);
      expect(proc.exitCodes).toEqual([1]);
      expect(events).toHaveLength(1);
      expect(built.logs.lines.find((line) => line.level === 'fatal')).toMatchObject({
        err: expect.objectContaining({ message: 'something broke' }),
      });
      expect(built.logs.lines.find((line) => line.msg === 'shutting down')).toMatchObject({ reason: event });
      expect(proc.listenerCount(event)).toBe(0);
    }
  });

  it('closes what it was given and exits 1 when it cannot listen', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    if (address === null || typeof address === 'string') throw new Error('no port');

    try {
      built = await buildTestApp();
      const proc = new FakeProcess();
      const { events, closeable } = recorder();
      await expect(
        runService({
          app: built.app,
          config: { ...config, PORT: address.port },
          logger: built.logger,
          process: proc,
          closeables: [closeable('database')],
        }),
      ).rejects.toThrow(/EADDRINUSE/);
      expect(proc.exitCodes).toEqual([1]);
      expect(events.map((event) => event.split(':')[0])).toEqual(['database']);
      expect(proc.listenerCount('SIGTERM')).toBe(0);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
