import { runSimulator } from '@fv/simulator-kit';
import { buildSupplierApp } from './app.js';
import { supplierConfigSchema } from './config.js';
import { MIGRATIONS_DIR } from './index.js';

await runSimulator({
  service: 'supplier',
  configSchema: supplierConfigSchema,
  migrationsDir: MIGRATIONS_DIR,
  build: (options) => buildSupplierApp(options),
});
