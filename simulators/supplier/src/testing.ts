import { createTestDatabase } from '@fv/testing';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildSupplierApp } from './app.js';
import { supplierConfigSchema } from './config.js';
import { MIGRATIONS_DIR } from './index.js';
import type { Behaviour } from './purchase-orders.js';

/*
 * The simulator for other packages' tests: its own HTTP server on a free port with its own database,
 * which a test can stop and start again to play an outage.
 */

const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export interface TestSupplier {
  url: string;
  app: FastifyInstance;
  /** How the supplier answers new purchase orders for a product. */
  behave(productId: string, behaviour: Behaviour): Promise<void>;
  /** Stops the HTTP server (its orders stay): calls to `url` are refused until `start()`. */
  stop(): Promise<void>;
  /** Starts the supplier again on the same address, with the same orders. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startSupplier(
  name: string,
  env: { CONFIRM_DELAY_MS?: string; DELIVERY_DELAY_MS?: string } = {},
): Promise<TestSupplier> {
  const database = await createTestDatabase({ name: `supplier-${name}`, migrationsDir: MIGRATIONS_DIR });
  const config = supplierConfigSchema.parse({
    LOG_LEVEL: 'fatal',
    CONFIRM_DELAY_MS: '200',
    DELIVERY_DELAY_MS: '600',
    ...env,
  });
  const build = () => buildSupplierApp({ config, db: database.db, logger });
  let app = await build();
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const port = Number(new URL(url).port);
  let running = true;
  const supplier: TestSupplier = {
    url,
    app,
    async behave(productId, behaviour) {
      const response = await app.inject({
        method: 'PUT',
        url: `/v1/test-behaviours/${productId}`,
        payload: { behaviour },
      });
      if (response.statusCode !== 200) throw new Error(`behaviour refused: ${response.body}`);
    },
    async stop() {
      if (!running) return;
      running = false;
      const closing = app.close();
      app.server.closeAllConnections();
      await closing;
    },
    async start() {
      if (running) return;
      app = await build();
      await app.listen({ host: '127.0.0.1', port });
      supplier.app = app;
      running = true;
    },
    async close() {
      if (running) await app.close();
      running = false;
      await database.dispose();
    },
  };
  return supplier;
}
