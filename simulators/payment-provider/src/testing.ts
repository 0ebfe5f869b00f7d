import { startTestSimulator, type TestSimulator } from '@fv/simulator-kit/testing';
import { buildProviderApp } from './app.js';
import { providerConfigSchema } from './config.js';
import { MIGRATIONS_DIR } from './index.js';

/** The payment provider simulator for other packages' tests, which can stop and start it to play an outage. */
export interface TestProvider extends TestSimulator {
  /** What the provider holds for an order: its authorizations with their captures, voids and refunds. */
  authorizationsFor(orderId: string): Promise<
    {
      id: string;
      status: string;
      capturedAmount: string;
      operations: { object: string; amount: string | null }[];
    }[]
  >;
}

export async function startProvider(name: string): Promise<TestProvider> {
  const config = providerConfigSchema.parse({ LOG_LEVEL: 'fatal', TIMEOUT_TOKEN_HOLD_MS: '5000' });
  const simulator = await startTestSimulator({
    name: `provider-${name}`,
    migrationsDir: MIGRATIONS_DIR,
    build: ({ db, logger }) => buildProviderApp({ config, db, logger }),
  });
  return Object.assign(simulator, {
    async authorizationsFor(orderId: string) {
      const response = await simulator.app.inject({ url: `/v1/authorizations?merchantReference=${orderId}` });
      return response.json().authorizations;
    },
  });
}
