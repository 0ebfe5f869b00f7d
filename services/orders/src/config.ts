import { ConfigError, envInteger, envList, envUrl, type ConfigIssue } from '@fv/service-kit';
import { runtimeConfigSchema } from '@fv/service-runtime';
import { z } from 'zod';
import { currencyExponent, MAX_SUPPORTED_EXPONENT } from './domain/money.js';

/**
 * The longest a payment call may keep the saga's database transaction open. The runtime gives a
 * transaction 30 s; the rest is left for the database work around the call.
 */
export const PAYMENT_CALL_BUDGET_MS = 25_000;

const CURRENCY = /^[A-Z]{3}$/;

/** A comma-separated list of ISO 4217 codes that the service accepts orders in. */
function envCurrencyList() {
  return envList({ upperCase: true })
    .superRefine((codes, ctx) => {
      if (codes.length === 0)
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must list at least one currency' });
      for (const code of codes) {
        if (!CURRENCY.test(code)) {
          ctx.addIssue({
            code: z.ZodIssueCode.custom,
            message: `"${code}" is not a three-letter ISO 4217 code`,
          });
        } else if (currencyExponent(code) > MAX_SUPPORTED_EXPONENT) {
          ctx.addIssue({
            code: z.ZodIssueCode.custom,
            message: `${code} has more than ${MAX_SUPPORTED_EXPONENT} decimal places, which amounts are not stored with`,
          });
        }
      }
    })
    .transform((codes) => [...new Set(codes)]);
}

/** A comma-separated list of delays in milliseconds, e.g. "1000,2000,4000"; empty for no retries. */
function envPaymentRetryDelays() {
  const rule = 'must be a comma-separated list of delays in milliseconds (0 to 60000), e.g. 1000,2000,4000';
  return envList()
    .refine((entries) => entries.every((entry) => /^\d+$/.test(entry) && Number(entry) <= 60_000), {
      message: rule,
    })
    .transform((entries) => entries.map(Number));
}

export const ordersConfigSchema = runtimeConfigSchema.extend({
  SERVICE_NAME: z.string().min(1, 'must not be empty').default('orders'),
  /** Currencies orders may be placed in. */
  ORDER_CURRENCIES: envCurrencyList().default('USD,EUR,GBP'),
  /** Most units of one product on one order line. */
  ORDER_MAX_QUANTITY_PER_LINE: envInteger(1, 1_000_000).default(100),
  /** Most lines on one order. */
  ORDER_MAX_LINES: envInteger(1, 1000).default(50),
  /** Base URL of the payment provider's HTTP API (the payment provider simulator locally). */
  PAYMENT_PROVIDER_URL: envUrl().default('http://127.0.0.1:8087'),
  /**
   * The least time between two rounds of the recovery sweeper, which sleeps until the next saga payment
   * call is due for a retry (after a provider outage) or left unsettled by a crash; also the first retry
   * delay of a call that met an outage.
   */
  PAYMENT_RECOVERY_INTERVAL_MS: envInteger(100, 60_000).default(2000),
  /** The longest delay between two retries of a call waiting for the provider (the backoff's cap). */
  PAYMENT_RECOVERY_BACKOFF_MAX_MS: envInteger(100, 3_600_000).default(15_000),
  /** How old an unsettled payment call must be before recovery takes it over from its handler. */
  PAYMENT_RECOVERY_AFTER_MS: envInteger(0, 86_400_000).default(60_000),
  /**
   * Attempts at refunding a received return before it is given up (PaymentRefundFailed retriable=false,
   * for an operator); the retries back off like the recovery sweeper's.
   */
  RETURN_REFUND_MAX_ATTEMPTS: envInteger(1, 20).default(4),
  /**
   * How long an authorization waits for an unavailable provider (outage, 5xx, 429, timeouts, open
   * circuit) before the payment fails with PROVIDER_UNAVAILABLE / PROVIDER_TIMEOUT. A capture never
   * gives up; past this it is reported (error log, payment_captures_waiting).
   */
  PAYMENT_PROVIDER_PATIENCE_MS: envInteger(0, 86_400_000).default(120_000),
  /** How long one call to the payment provider may take before it counts as a timeout. */
  PAYMENT_TIMEOUT_MS: envInteger(10, 60_000).default(4000),
  /**
   * Longest delays before each retry of a payment call that failed transiently (seed 003: 1 s, 2 s, 4 s);
   * half of each is jittered (docs/seed-deviations.md).
   */
  PAYMENT_RETRY_DELAYS_MS: envPaymentRetryDelays().default('1000,2000,4000'),
  /** Transient failures within the window that open the circuit breaker. */
  PAYMENT_CIRCUIT_FAILURE_THRESHOLD: envInteger(1, 1000).default(5),
  /** The window failures are counted in. */
  PAYMENT_CIRCUIT_WINDOW_MS: envInteger(100, 3_600_000).default(60_000),
  /** How long the open circuit refuses calls before it lets one trial call through. */
  PAYMENT_CIRCUIT_OPEN_MS: envInteger(10, 3_600_000).default(30_000),
  /**
   * The share of the window's payment calls that must have failed, besides the threshold, for the circuit
   * to open (0.5): stray failures among many good calls are the request's, not an outage of the provider.
   */
  PAYMENT_CIRCUIT_MIN_FAILURE_RATE: z.coerce.number().min(0).max(1).default(0.5),
  /** How long the first answer to an X-Idempotency-Key is kept. */
  IDEMPOTENCY_KEY_TTL_HOURS: envInteger(1, 24 * 365).default(24),
});

export type OrdersConfig = z.output<typeof ordersConfigSchema>;

/**
 * Rules that span variables, checked once the schema has parsed them. (They stay out of the schema
 * itself so it remains a plain object schema that the runtime can inspect.)
 */
export function crossVariableIssues(config: OrdersConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const attempts = config.PAYMENT_RETRY_DELAYS_MS.length + 1;
  const worstCase =
    attempts * config.PAYMENT_TIMEOUT_MS +
    config.PAYMENT_RETRY_DELAYS_MS.reduce((sum, delay) => sum + delay, 0);
  if (worstCase > PAYMENT_CALL_BUDGET_MS) {
    issues.push({
      variable: 'PAYMENT_TIMEOUT_MS',
      rule: `with ${attempts} attempts (PAYMENT_RETRY_DELAYS_MS) a payment call may take ${worstCase} ms, more than the ${PAYMENT_CALL_BUDGET_MS} ms a transaction may stay open`,
    });
  }
  if (config.PAYMENT_RECOVERY_BACKOFF_MAX_MS < config.PAYMENT_RECOVERY_INTERVAL_MS) {
    issues.push({
      variable: 'PAYMENT_RECOVERY_BACKOFF_MAX_MS',
      rule: `must be at least PAYMENT_RECOVERY_INTERVAL_MS (${config.PAYMENT_RECOVERY_INTERVAL_MS} ms), the first retry delay`,
    });
  }
  return issues;
}

/** Throws ConfigError naming each variable that breaks a cross-variable rule. */
export function assertConsistentConfig(config: OrdersConfig): void {
  const issues = crossVariableIssues(config);
  if (issues.length > 0) throw new ConfigError(issues);
}
