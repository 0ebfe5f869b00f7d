import { envInteger, LOCAL_DEVELOPMENT_JWT_SECRET, LOG_LEVELS } from '@fv/service-kit';
import { z } from 'zod';

/**
 * The settings every simulator reads from the environment at start, with its name and port as the
 * defaults; a simulator extends the schema with its own (`.extend({ … })`).
 */
export function simulatorConfigSchema(defaults: { service: string; port: number }) {
  return z.object({
    SERVICE_NAME: z.string().min(1, 'must not be empty').default(defaults.service),
    SERVICE_VERSION: z.string().min(1, 'must not be empty').default('0.1.0'),
    HOST: z.string().min(1, 'must not be empty').default('127.0.0.1'),
    PORT: envInteger(1, 65535).default(defaults.port),
    LOG_LEVEL: z
      .enum(LOG_LEVELS, { errorMap: () => ({ message: `must be one of ${LOG_LEVELS.join(', ')}` }) })
      .default('info'),
    /** Unused by a simulator's API (it needs no bearer token) but required by the app factory. */
    JWT_SECRET: z.string().min(16, 'must be at least 16 characters').default(LOCAL_DEVELOPMENT_JWT_SECRET),
    /** `postgresql://…` or `pglite:<dir>`; unset: database `fv_<service>` on the local server, else embedded. */
    DATABASE_URL: z.string().min(1, 'must not be empty').optional(),
    POSTGRES_ADMIN_URL: z.string().url('must be a postgresql:// URL').optional(),
    SHUTDOWN_TIMEOUT_MS: envInteger(1, 600_000).default(10_000),
  });
}

export type SimulatorConfig = z.output<ReturnType<typeof simulatorConfigSchema>>;
