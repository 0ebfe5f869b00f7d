import { DatabaseChoiceError, migrate, openDatabase, resolveDatabase, type Database } from '@fv/database';
import type { HealthCheck } from '@fv/service-kit';
import type { Logger } from 'pino';
import { retryForever } from './retry-forever.js';

/**
 * The service's database, resolved, opened and migrated in the background so the service starts and
 * answers its probes even while the database is not there yet; readiness stays red until it is.
 */
export class ManagedDatabase {
  private database: Database | null = null;
  private migrated = false;
  private readonly abort = new AbortController();
  readonly ready: Promise<Database>;
  private resolveReady!: (db: Database) => void;

  constructor(
    private readonly options: {
      service: string;
      databaseUrl?: string | undefined;
      migrationsDir: string;
      logger: Logger;
    },
  ) {
    this.ready = new Promise((resolve) => {
      this.resolveReady = resolve;
    });
  }

  /** Opens the database (for PostgreSQL a pool, which connects lazily) and starts migrating in the background. */
  async open(): Promise<Database> {
    const log = this.options.logger.child({ component: 'database' });
    let db: Database | null = null;
    await retryForever(
      'resolving the database',
      async () => {
        const target = await resolveDatabase({
          service: this.options.service,
          databaseUrl: this.options.databaseUrl,
        });
        db = await openDatabase(target);
      },
      // No database named outside local development: waiting would not mend it, the service stops.
      { logger: log, signal: this.abort.signal, fatal: (error) => error instanceof DatabaseChoiceError },
    );
    if (!db) throw new Error('database opening was aborted');
    this.database = db;
    const opened: Database = db;
    log.info({ database: opened.description }, 'database opened');
    void retryForever(
      'applying migrations',
      async () => {
        const result = await migrate(opened, this.options.migrationsDir);
        if (result.applied.length) log.info({ applied: result.applied }, 'migrations applied');
        this.migrated = true;
        this.resolveReady(opened);
      },
      { logger: log, signal: this.abort.signal },
    );
    return opened;
  }

  get db(): Database {
    if (!this.database) throw new Error('the database is not open yet');
    return this.database;
  }

  healthCheck(): HealthCheck {
    return {
      name: 'database',
      check: async () => {
        if (!this.database) throw new Error('not opened yet');
        await this.database.ping();
        if (!this.migrated) throw new Error('migrations not applied yet');
        const pool = this.database.stats();
        return {
          details: {
            database: this.database.target.kind === 'postgres' ? 'PostgreSQL' : 'PGlite (embedded)',
            connectionPool: `${pool.total - pool.idle}/${pool.max} active`,
            waiting: pool.waiting,
          },
        };
      },
    };
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.database?.close();
  }
}
