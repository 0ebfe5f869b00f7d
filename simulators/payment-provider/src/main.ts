import { runSimulator } from '@fv/simulator-kit';
import { buildProviderApp } from './app.js';
import { providerConfigSchema } from './config.js';
import { MIGRATIONS_DIR } from './index.js';

await runSimulator({
  service: 'payment-provider',
  configSchema: providerConfigSchema,
  migrationsDir: MIGRATIONS_DIR,
  build: (options) => buildProviderApp(options),
});
