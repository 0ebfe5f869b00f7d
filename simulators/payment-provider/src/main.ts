import { migrate, openDatabase, resolveDatabase } from '@fv/database';
import { createLogger, loadConfigOrExit, runService } from '@fv/service-kit';
import { buildProviderApp } from './app.js';
import { providerConfigSchema } from './config.js';

const config = loadConfigOrExit(providerConfigSchema);
const logger = createLogger({
  service: config.SERVICE_NAME,
  version: config.SERVICE_VERSION,
  level: config.LOG_LEVEL,
});
const target = await resolveDatabase({
  service: 'payment-provider',
  databaseUrl: config.DATABASE_URL,
  adminUrl: config.POSTGRES_ADMIN_URL,
});
const db = await openDatabase(target);
const applied = await migrate(db, new URL('../migrations', import.meta.url).pathname);
logger.info({ database: db.description, migrations: applied.applied }, 'database ready');
const app = await buildProviderApp({ config, db, logger });
await runService({ app, config, logger, closeables: [{ name: 'database', close: () => db.close() }] });
