import { startTestSimulator, type TestSimulator } from '@fv/simulator-kit/testing';
import { buildSupplierApp } from './app.js';
import { supplierConfigSchema } from './config.js';
import { MIGRATIONS_DIR } from './index.js';
import type { Behaviour } from './purchase-orders.js';

/** The supplier simulator for other packages' tests, which can stop and start it to play an outage. */
export interface TestSupplier extends TestSimulator {
  /** How the supplier answers new purchase orders for a product. */
  behave(productId: string, behaviour: Behaviour): Promise<void>;
}

export async function startSupplier(
  name: string,
  env: { CONFIRM_DELAY_MS?: string; DELIVERY_DELAY_MS?: string } = {},
): Promise<TestSupplier> {
  const config = supplierConfigSchema.parse({
    LOG_LEVEL: 'fatal',
    CONFIRM_DELAY_MS: '200',
    DELIVERY_DELAY_MS: '600',
    ...env,
  });
  const simulator = await startTestSimulator({
    name: `supplier-${name}`,
    migrationsDir: MIGRATIONS_DIR,
    build: ({ db, logger }) => buildSupplierApp({ config, db, logger }),
  });
  return Object.assign(simulator, {
    async behave(productId: string, behaviour: Behaviour) {
      const response = await simulator.app.inject({
        method: 'PUT',
        url: `/v1/test-behaviours/${productId}`,
        payload: { behaviour },
      });
      if (response.statusCode !== 200) throw new Error(`behaviour refused: ${response.body}`);
    },
  });
}
