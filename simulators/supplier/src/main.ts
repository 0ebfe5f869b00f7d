import { migrate, openDatabase, resolveDatabase } from '@fv/database';
import { createLogger, loadConfigOrExit, runService } from '@fv/service-kit';
import { buildSupplierApp } from './app.js';
import { supplierConfigSchema } from './config.js';

const config = loadConfigOrExit(supplierConfigSchema);
const logger = createLogger({
  service: config.SERVICE_NAME,
  version: config.SERVICE_VERSION,
  level: config.LOG_LEVEL,
});
const target = await resolveDatabase({
  service: 'supplier',
  databaseUrl: config.DATABASE_URL,
  adminUrl: config.POSTGRES_ADMIN_URL,
});
const db = await openDatabase(target);
const applied = await migrate(db, new URL('../migrations', import.meta.url).pathname);
logger.info({ database: db.description, migrations: applied.applied }, 'database ready');
const app = await buildSupplierApp({ config, db, logger });
await runService({ app, config, logger, closeables: [{ name: 'database', close: () => db.close() }] });
