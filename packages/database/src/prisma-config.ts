import path from 'node:path';
import { openDatabase } from './open-database.js';
import { resolveDatabase } from './resolve-database.js';

/**
 * The body of a package's `prisma.config.ts`: Prisma's CLI works through the same driver adapter as
 * the service (PostgreSQL or embedded PGlite, as resolved by `resolveDatabase`), with the JavaScript
 * schema engine, so no native engine is ever downloaded.
 */
export function prismaConfigFor(options: {
  service: string;
  schema: string;
  migrations: string;
  root: string;
}) {
  return {
    experimental: { adapter: true },
    engine: 'js' as const,
    schema: path.resolve(options.root, options.schema),
    migrations: { path: path.resolve(options.root, options.migrations) },
    async adapter() {
      const target = await resolveDatabase({
        service: options.service,
        databaseUrl: process.env.DATABASE_URL,
      });
      const db = await openDatabase(target);
      return db.adapter;
    },
  };
}
