import { envInteger, envList } from '@fv/service-kit';
import { runtimeConfigSchema } from '@fv/service-runtime';
import { z } from 'zod';

const CURRENCY_CODE = /^[A-Z]{3}$/;

/** A comma-separated list of ISO 4217 codes, e.g. `USD,EUR,GBP`. */
function currencyList() {
  return envList({ upperCase: true })
    .refine((codes) => codes.length > 0 && codes.every((code) => CURRENCY_CODE.test(code)), {
      message: 'must be a comma-separated list of three-letter ISO 4217 currency codes',
    })
    .transform((codes) => [...new Set(codes)]);
}

/** The catalog's configuration: the runtime's variables plus its own. The only reader of the environment. */
export const catalogConfigSchema = runtimeConfigSchema.extend({
  /** Currencies a price may be set in (all with two decimal places). */
  CATALOG_CURRENCIES: currencyList().default('USD,EUR,GBP,CAD,AUD,CHF'),
  /** How long the first answer to a create request is replayed for the same X-Idempotency-Key. */
  IDEMPOTENCY_KEY_TTL_HOURS: envInteger(1, 720).default(24),
  /** Requests a minute a new publishable key may make, when its creator names no limit. */
  PUBLISHABLE_KEY_RATE_LIMIT_PER_MINUTE: envInteger(1, 1_000_000).default(600),
});

export type CatalogConfig = z.output<typeof catalogConfigSchema>;
