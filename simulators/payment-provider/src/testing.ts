import { createTestDatabase } from '@fv/testing';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildProviderApp } from './app.js';
import { providerConfigSchema } from './config.js';
import { MIGRATIONS_DIR } from './index.js';

/*
 * The simulator for other packages' tests: its own HTTP server on a free port with its own
 * database, which a test can stop and start again to play an outage.
 */

const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** The payment provider simulator, as its own HTTP server with its own database. */
export interface TestProvider {
  url: string;
  app: FastifyInstance;
  /** What the provider holds for an order: its authorizations with their captures, voids and refunds. */
  authorizationsFor(orderId: string): Promise<
    {
      id: string;
      status: string;
      capturedAmount: string;
      operations: { object: string; amount: string | null }[];
    }[]
  >;
  /** Stops the provider's HTTP server (its ledger stays): calls to `url` are refused until `start()`. */
  stop(): Promise<void>;
  /** Starts the provider again on the same address, with the same ledger. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startProvider(name: string): Promise<TestProvider> {
  const database = await createTestDatabase({ name: `provider-${name}`, migrationsDir: MIGRATIONS_DIR });
  const build = () =>
    buildProviderApp({
      config: providerConfigSchema.parse({ LOG_LEVEL: 'fatal', TIMEOUT_TOKEN_HOLD_MS: '5000' }),
      db: database.db,
      logger,
    });
  let app = await build();
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const port = Number(new URL(url).port);
  let running = true;
  const provider: TestProvider = {
    url,
    app,
    async authorizationsFor(orderId) {
      const response = await app.inject({ url: `/v1/authorizations?merchantReference=${orderId}` });
      return response.json().authorizations;
    },
    async stop() {
      if (!running) return;
      running = false;
      // Down at once, as in an outage: connections kept alive by the order service are cut too.
      const closing = app.close();
      app.server.closeAllConnections();
      await closing;
    },
    async start() {
      if (running) return;
      app = await build();
      await app.listen({ host: '127.0.0.1', port });
      provider.app = app;
      running = true;
    },
    async close() {
      if (running) await app.close();
      running = false;
      await database.dispose();
    },
  };
  return provider;
}
