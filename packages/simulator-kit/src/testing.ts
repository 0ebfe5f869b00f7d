import type { Database } from '@fv/database';
import type { Logger } from '@fv/service-kit';
import { createTestDatabase } from '@fv/testing';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';

/** A simulator as other packages' tests run it: its own HTTP server on a free port, its own database. */
export interface TestSimulator {
  /** Where it listens; the same after a `stop()` and `start()`. */
  url: string;
  /** The app serving now (a new one after each `start()`). */
  app: FastifyInstance;
  /** Stops the HTTP server at once (its database stays): calls to `url` are refused until `start()`. */
  stop(): Promise<void>;
  /** Starts it again on the same address, over the same database. */
  start(): Promise<void>;
  /** Stops it and drops its database. */
  close(): Promise<void>;
}

export interface TestSimulatorOptions {
  /** Names its database (made unique). */
  name: string;
  /** The simulator's migrations folder. */
  migrationsDir: string;
  /** Builds the simulator's app over its database (again on each `start()`). */
  build(options: { db: Database; logger: Logger }): Promise<FastifyInstance>;
}

const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/**
 * Starts a simulator for a test, which can stop and start it again to play an outage: stopped, it is
 * down at once, connections kept alive by its clients cut too.
 */
export async function startTestSimulator(options: TestSimulatorOptions): Promise<TestSimulator> {
  const database = await createTestDatabase({ name: options.name, migrationsDir: options.migrationsDir });
  const build = () => options.build({ db: database.db, logger });
  let app: FastifyInstance;
  try {
    app = await build();
  } catch (error) {
    await database.dispose();
    throw error;
  }
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const port = Number(new URL(url).port);
  let running = true;
  const simulator: TestSimulator = {
    url,
    app,
    async stop() {
      if (!running) return;
      running = false;
      // Down at once, as in an outage: connections its clients keep alive are cut too.
      const closing = app.close();
      app.server.closeAllConnections();
      await closing;
    },
    async start() {
      if (running) return;
      app = await build();
      await app.listen({ host: '127.0.0.1', port });
      simulator.app = app;
      running = true;
    },
    async close() {
      if (running) await app.close();
      running = false;
      await database.dispose();
    },
  };
  return simulator;
}
