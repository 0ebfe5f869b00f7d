import fs from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestSimulator } from './testing.js';

const migrationsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'simulator-kit-migrations-'));
afterAll(() => fs.rmSync(migrationsDir, { recursive: true, force: true }));

/** A simulator whose one route answers which build of the app serves it. */
function counting() {
  let builds = 0;
  return async () => {
    builds += 1;
    const build = builds;
    const app = Fastify();
    app.get('/build', async () => ({ build }));
    return app;
  };
}

describe('startTestSimulator', () => {
  it('serves on a free port, refuses calls once stopped, and serves again on the same address once started', async () => {
    const simulator = await startTestSimulator({ name: 'kit', migrationsDir, build: counting() });
    try {
      expect(await (await fetch(`${simulator.url}/build`)).json()).toEqual({ build: 1 });

      await simulator.stop();
      await expect(fetch(`${simulator.url}/build`)).rejects.toThrow();
      await simulator.stop();

      await simulator.start();
      expect(await (await fetch(`${simulator.url}/build`)).json()).toEqual({ build: 2 });
      expect((await simulator.app.inject({ url: '/build' })).json()).toEqual({ build: 2 });
    } finally {
      await simulator.close();
    }
    await expect(fetch(`${simulator.url}/build`)).rejects.toThrow();
  });

  it('cuts the connections its clients keep open when it stops, as an outage would', async () => {
    const simulator = await startTestSimulator({ name: 'kit', migrationsDir, build: counting() });
    const closed = new Promise<void>((resolve) => simulator.app.server.once('close', () => resolve()));
    const held = new Promise<void>((resolve) => {
      simulator.app.server.once('connection', () => resolve());
    });
    const socket = net.connect(Number(new URL(simulator.url).port), '127.0.0.1');
    await held;
    await simulator.stop();
    await closed;
    socket.destroy();
    await simulator.close();
  });

  it('hands the app its database and drops the database when the app cannot be built', async () => {
    let handed: unknown;
    await expect(
      startTestSimulator({
        name: 'kit',
        migrationsDir,
        build: async ({ db }) => {
          handed = db;
          throw new Error('no app');
        },
      }),
    ).rejects.toThrow('no app');
    expect(handed).toMatchObject({ ping: expect.any(Function) });
  });
});
