import { migrate, openDatabase, resolveDatabase, type Database } from '@fv/database';
import { createLogger, loadConfigOrExit, runService, type Logger } from '@fv/service-kit';
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import type { SimulatorConfig } from './config.js';

export interface RunSimulatorOptions<S extends z.ZodType<SimulatorConfig, z.ZodTypeDef, unknown>> {
  /** The simulator's name: its default database is `fv_<service>`. */
  service: string;
  /** Its configuration schema, read from the environment (the process exits on a bad setting). */
  configSchema: S;
  /** Its migrations folder. */
  migrationsDir: string;
  /** Builds its HTTP app over its migrated database. */
  build(options: { config: z.output<S>; db: Database; logger: Logger }): Promise<FastifyInstance>;
}

/**
 * A simulator's `main`: reads its configuration, opens and migrates its database, and serves its app
 * until a signal stops it, closing the database last.
 */
export async function runSimulator<S extends z.ZodType<SimulatorConfig, z.ZodTypeDef, unknown>>(
  options: RunSimulatorOptions<S>,
): Promise<void> {
  const config = loadConfigOrExit(options.configSchema) as z.output<S>;
  const logger = createLogger({
    service: config.SERVICE_NAME,
    version: config.SERVICE_VERSION,
    level: config.LOG_LEVEL,
  });
  const target = await resolveDatabase({
    service: options.service,
    databaseUrl: config.DATABASE_URL,
    adminUrl: config.POSTGRES_ADMIN_URL,
  });
  const db = await openDatabase(target);
  const applied = await migrate(db, options.migrationsDir);
  logger.info({ database: db.description, migrations: applied.applied }, 'database ready');
  const app = await options.build({ config, db, logger });
  await runService({ app, config, logger, closeables: [{ name: 'database', close: () => db.close() }] });
}
