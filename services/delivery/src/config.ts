import { envDelayList, envInteger, envList, envUrl } from '@fv/service-kit';
import { runtimeConfigSchema } from '@fv/service-runtime';
import { z } from 'zod';

const COUNTRY_LIST_RULE = 'must be a comma-separated list of ISO 3166-1 alpha-2 country codes, e.g. US,CA,GB';

/** A comma-separated list of two-letter country codes, upper-cased. */
function envCountryList() {
  return envList({ upperCase: true }).refine(
    (codes) => codes.length > 0 && codes.every((code) => /^[A-Z]{2}$/.test(code)),
    {
      message: COUNTRY_LIST_RULE,
    },
  );
}

export const deliveryConfigSchema = runtimeConfigSchema.extend({
  /** Destination countries the carrier serves; an order shipping elsewhere gets DeliverySchedulingFailed. */
  CARRIER_SUPPORTED_COUNTRIES: envCountryList().default(
    'US,CA,GB,IE,DE,FR,NL,BE,LU,AT,ES,PT,IT,DK,SE,FI,NO,PL,AU,NZ',
  ),
  /**
   * Shared secret carriers sign tracking webhooks with (HMAC-SHA256). Unset: only callers with a
   * service or admin token may post tracking updates.
   */
  CARRIER_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  /** How far a signed webhook's timestamp may be from now, in seconds (replay protection). */
  CARRIER_WEBHOOK_TOLERANCE_SECONDS: envInteger(1, 86_400).default(300),
  /** Days after delivery during which the customer may request a return. */
  RETURN_WINDOW_DAYS: envInteger(0, 3650).default(30),
  /** Base URL this service is reached at from outside; printable label links are built from it. */
  PUBLIC_BASE_URL: envUrl().default('http://127.0.0.1:8085'),
  /** Backoff before each retry of an event whose handling failed transiently (seed 003: 1 s, 2 s, 4 s). */
  EVENT_RETRY_DELAYS_MS: envDelayList().default('1000,2000,4000'),
  /** How long stored answers to X-Idempotency-Key are kept before the retention purge deletes them (7 days). */
  IDEMPOTENCY_RETENTION_HOURS: envInteger(1, 24 * 365).default(24 * 7),
});

export type DeliveryConfig = z.output<typeof deliveryConfigSchema>;
