import { envInteger, LOCAL_DEVELOPMENT_JWT_SECRET, LOG_LEVELS } from '@fv/service-kit';
import { z } from 'zod';

/** The simulator's configuration, read once from the environment at start. */
export const supplierConfigSchema = z.object({
  SERVICE_NAME: z.string().min(1, 'must not be empty').default('supplier'),
  SERVICE_VERSION: z.string().min(1, 'must not be empty').default('0.1.0'),
  HOST: z.string().min(1, 'must not be empty').default('127.0.0.1'),
  PORT: envInteger(1, 65535).default(8089),
  LOG_LEVEL: z
    .enum(LOG_LEVELS, { errorMap: () => ({ message: `must be one of ${LOG_LEVELS.join(', ')}` }) })
    .default('info'),
  /** Unused by the simulator's API (it needs no bearer token) but required by the app factory. */
  JWT_SECRET: z.string().min(16, 'must be at least 16 characters').default(LOCAL_DEVELOPMENT_JWT_SECRET),
  /** `postgresql://…` or `pglite:<dir>`; unset: database `fv_supplier` on the local server, else embedded. */
  DATABASE_URL: z.string().min(1, 'must not be empty').optional(),
  POSTGRES_ADMIN_URL: z.string().url('must be a postgresql:// URL').optional(),
  SHUTDOWN_TIMEOUT_MS: envInteger(1, 600_000).default(10_000),
  /** How long after it was placed a purchase order is confirmed (milliseconds). */
  CONFIRM_DELAY_MS: envInteger(0, 86_400_000).default(5_000),
  /** How long after it was placed a purchase order's goods are delivered (milliseconds; at least the confirmation delay). */
  DELIVERY_DELAY_MS: envInteger(0, 86_400_000).default(15_000),
  /** Most units one purchase order may ask for; more is rejected (QUANTITY_TOO_LARGE). */
  MAX_QUANTITY: envInteger(1, 10_000_000).default(100_000),
});

export type SupplierConfig = z.output<typeof supplierConfigSchema>;
