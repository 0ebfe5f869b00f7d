import { envBoolean, envInteger, envList, envUrl } from '@fv/service-kit';
import { runtimeConfigSchema } from '@fv/service-runtime';
import { z } from 'zod';
import { parseIsoDuration } from './shared/domain/iso-duration.js';
import { traceUrlTemplateProblem } from './shared/domain/trace-link.js';
import { parseAllowEntry } from './net/outbound-policy.js';

/**
 * A comma-separated allow-list of host names, IP addresses and CIDR ranges (each optionally `:port`);
 * `none` is the empty list.
 */
export function envAllowList() {
  return envList({ noneIsEmpty: true }).transform((entries, context) => {
    const bad = entries.filter((entry) => parseAllowEntry(entry) === null);
    if (bad.length) {
      context.addIssue({
        code: z.ZodIssueCode.custom,
        message: `must be a comma-separated list of host names, IP addresses or CIDR ranges, each optionally :port, or none (not: ${bad.join(', ')})`,
      });
      return z.NEVER;
    }
    return entries;
  });
}

/** An ISO 8601 duration (`PT10M`, `PT1M30S`) between the bounds, read as milliseconds. */
export function envDuration(minMs: number, maxMs: number) {
  const rule = `must be an ISO 8601 duration such as PT2M, between ${minMs / 1000} s and ${maxMs / 1000} s`;
  return z.string({ required_error: 'is required' }).transform((value, context) => {
    const ms = parseIsoDuration(value);
    if (ms === null || ms < minMs || ms > maxMs) {
      context.addIssue({ code: z.ZodIssueCode.custom, message: rule });
      return z.NEVER;
    }
    return ms;
  });
}

/**
 * The coordination service's variables, on top of the runtime's. This is the only module that reads
 * the environment; the defaults make the local stack run with no configuration.
 */
export const configSchema = runtimeConfigSchema.extend({
  /** Interval every instance is told to heartbeat at. */
  REGISTRY_HEARTBEAT_INTERVAL_SECONDS: envInteger(1, 3600).default(10),
  /** An instance whose last heartbeat is older than this turns critical (Consul's TTL, Eureka's lease). */
  REGISTRY_HEARTBEAT_TTL_SECONDS: envInteger(1, 86_400).default(30),
  /** A critical instance is removed after this much longer without a heartbeat (Consul's deregister-critical-after). */
  REGISTRY_DEREGISTER_CRITICAL_AFTER_SECONDS: envInteger(0, 604_800).default(90),
  /** How often leases are checked: a lapsed lease (30 s by default) is noticed at most this late. */
  REGISTRY_SWEEP_INTERVAL_MS: envInteger(100, 600_000).default(5000),
  /** Self-preservation: expiry stops when fewer than this share of the instances renewed their lease. */
  REGISTRY_SELF_PRESERVATION_THRESHOLD: z.coerce
    .number({ invalid_type_error: 'must be a number between 0 and 1' })
    .min(0, 'must be a number between 0 and 1')
    .max(1, 'must be a number between 0 and 1')
    .default(0.5),
  /** Self-preservation only applies with at least this many instances registered (0 turns it off). */
  REGISTRY_SELF_PRESERVATION_MIN_INSTANCES: envInteger(0, 1_000_000).default(3),
  /**
   * Instances one service name may have registered at once: a leaked or compromised service token
   * cannot fill the registry (and, letting them lapse, hold it in self-preservation).
   */
  /** Discovery queries are answered from a snapshot at most this old (ms); 0: a query each. */
  REGISTRY_READ_CACHE_MS: envInteger(0, 60_000).default(1000),
  REGISTRY_MAX_INSTANCES_PER_SERVICE: envInteger(1, 100_000).default(100),
  /** Poll every registered instance's health URL (true). */
  HEALTH_POLL_ENABLED: envBoolean().default(true),
  /**
   * How often each instance's health URL is asked. Heartbeats (every 10 s, 30 s lease) already tell a live
   * instance from a dead one; the probe adds what the instance says of its dependencies.
   */
  HEALTH_POLL_INTERVAL_MS: envInteger(100, 3_600_000).default(30_000),
  /** A probe that takes longer is critical. */
  HEALTH_POLL_TIMEOUT_MS: envInteger(10, 60_000).default(2000),
  /** Probes in flight at once. */
  HEALTH_POLL_CONCURRENCY: envInteger(1, 1000).default(16),
  /** Probe results kept per instance. */
  HEALTH_HISTORY_SIZE: envInteger(1, 500).default(20),
  /** Longest wait a client may ask for when watching a configuration (`timeout`, seconds). */
  CONFIG_WATCH_MAX_TIMEOUT_SECONDS: envInteger(1, 3600).default(300),
  /** How often a watch re-reads the store, for writes made through another replica. */
  CONFIG_WATCH_RECHECK_MS: envInteger(50, 60_000).default(1000),
  /** Watches (`waitForVersion`) one caller (token subject) may hold open at once; more are 429. */
  CONFIG_WATCH_MAX_PER_CALLER: envInteger(1, 10_000).default(8),

  /** Follow the platform's order events as workflows (the saga observer). */
  SAGA_OBSERVER_ENABLED: envBoolean().default(true),
  /**
   * Producers whose events may open a workflow for an order not seen yet (comma-separated; empty: any).
   * Scopes the observer on a broker it shares, e.g. a staging cluster where other environments publish.
   */
  WORKFLOW_OPENING_PRODUCERS: envList().default(''),
  /** Seed 000 workflow.timeouts.order-fulfillment: longest an order's workflow may take. */
  WORKFLOW_TIMEOUT_ORDER_FULFILLMENT: envDuration(100, 7 * 86_400_000).default('PT10M'),
  /** Longest a return may take from its request to its refund (the customer sends the goods back). */
  WORKFLOW_TIMEOUT_RETURN_PROCESSING: envDuration(100, 90 * 86_400_000).default('P14D'),
  /** Longest a replenishment may take from the low-stock alert to the goods received. */
  WORKFLOW_TIMEOUT_INVENTORY_REPLENISHMENT: envDuration(100, 90 * 86_400_000).default('P14D'),
  /** Seed 000 workflow.timeouts.payment-processing. */
  WORKFLOW_TIMEOUT_PAYMENT_PROCESSING: envDuration(100, 86_400_000).default('PT2M'),
  /** Seed 000 workflow.timeouts.inventory-reservation. */
  WORKFLOW_TIMEOUT_INVENTORY_RESERVATION: envDuration(100, 86_400_000).default('PT1M'),
  /** Seed 000 workflow.retry: attempts of a step, the first included (limits POST /workflows/{id}/retry). */
  WORKFLOW_RETRY_MAX_ATTEMPTS: envInteger(1, 100).default(3),
  /** Seed 000 workflow.retry backoff (also the backoff of webhook deliveries). */
  WORKFLOW_RETRY_BACKOFF_MULTIPLIER: z.coerce
    .number({ invalid_type_error: 'must be a number between 1 and 10' })
    .min(1, 'must be a number between 1 and 10')
    .max(10, 'must be a number between 1 and 10')
    .default(2),
  WORKFLOW_RETRY_INITIAL_INTERVAL: envDuration(10, 3_600_000).default('PT1S'),
  WORKFLOW_RETRY_MAX_INTERVAL: envDuration(10, 86_400_000).default('PT30S'),
  /** Seed 000 saga.compensation.timeout: how long a compensation may go unanswered before it is asked again. */
  SAGA_COMPENSATION_TIMEOUT: envDuration(100, 86_400_000).default('PT5M'),
  /** Seed 000 saga.compensation.max-retries: requests after the first before a compensation is given up. */
  SAGA_COMPENSATION_MAX_RETRIES: envInteger(0, 100).default(5),
  /** Longest wait between two requests of one unanswered compensation (the backoff doubles up to this). */
  SAGA_COMPENSATION_MAX_INTERVAL: envDuration(100, 7 * 86_400_000).default('PT1H'),
  /**
   * The observer's clock (how far it has caught up with the platform's events) may stand still this long
   * and still count as live; a longer pause (the service down, the consumer behind) restarts every
   * timeout's count from when it caught up again.
   */
  SAGA_OBSERVER_MAX_PAUSE: envDuration(100, 86_400_000).default('PT10S'),
  /** How often due timeouts and compensation retries are looked for. */
  WORKFLOW_SWEEP_INTERVAL_MS: envInteger(50, 600_000).default(1000),
  /** An active workflow not updated for this long is stuck (seed 000 health indicator: 30 minutes). */
  WORKFLOW_STUCK_AFTER: envDuration(1000, 30 * 86_400_000).default('PT30M'),
  /** Health is DOWN when more workflows than this are stuck (seed 000: 10). */
  WORKFLOW_STUCK_THRESHOLD: envInteger(0, 1_000_000).default(10),
  /** The order service, which POST /workflows/order/start hands new orders to. */
  ORDERS_URL: envUrl().default('http://127.0.0.1:8084'),
  ORDERS_TIMEOUT_MS: envInteger(100, 60_000).default(5000),
  /**
   * Addresses webhook deliveries and health probes may reach although they are loopback, link-local
   * or private (see src/net/outbound-policy.ts): host names, IP addresses, CIDR ranges, each optionally
   * `:port`; `none` for no exception. Unset: loopback when NODE_ENV is development or test, else none.
   */
  OUTBOUND_ALLOW_HOSTS: envAllowList().optional(),
  /**
   * Where a saga's trace is shown, with `{traceId}` for its id (e.g. `http://localhost:16686/trace/{traceId}`
   * for Jaeger): the workflow document and the console link to it. Unset: no link.
   */
  TRACE_URL_TEMPLATE: z
    .string()
    .superRefine((value, ctx) => {
      const problem = traceUrlTemplateProblem(value);
      if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
    })
    .optional(),
  /** Webhook deliveries: attempts before one is given up, timeout of one attempt, polling interval. */
  WEBHOOK_MAX_ATTEMPTS: envInteger(1, 100).default(8),
  WEBHOOK_TIMEOUT_MS: envInteger(100, 60_000).default(5000),
  WEBHOOK_DISPATCH_INTERVAL_MS: envInteger(50, 600_000).default(1000),
  /** Record every `<topic>.DLQ` message in the dead-letter ledger (consumer group `<SERVICE_NAME>-dlq-ledger`). */
  DLQ_LEDGER_ENABLED: envBoolean().default(true),
  /** Retention: events of workflows finished this many days ago, settled webhook deliveries, start requests. */
  WORKFLOW_EVENTS_RETENTION_DAYS: envInteger(1, 3650).default(30),
  WEBHOOK_DELIVERIES_RETENTION_DAYS: envInteger(1, 3650).default(30),
  WORKFLOW_START_REQUESTS_RETENTION_HOURS: envInteger(1, 24 * 365).default(24 * 7),
  /** The analytics read model, read in the saga observer's consumer (docs/analytics.md). */
  ANALYTICS_ENABLED: envBoolean().default(true),
  /** Retention of the analytics per-minute counters (orders per minute, stock-outs). */
  ANALYTICS_MINUTE_COUNTS_RETENTION_DAYS: envInteger(1, 3650).default(30),
});

export type CoordinationConfig = z.output<typeof configSchema>;
