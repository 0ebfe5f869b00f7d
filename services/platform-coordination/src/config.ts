import { envBoolean, envInteger } from '@fv/service-kit';
import { runtimeConfigSchema } from '@fv/service-runtime';
import { z } from 'zod';

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
  /** How often leases are checked. */
  REGISTRY_SWEEP_INTERVAL_MS: envInteger(100, 600_000).default(1000),
  /** Self-preservation: expiry stops when fewer than this share of the instances renewed their lease. */
  REGISTRY_SELF_PRESERVATION_THRESHOLD: z.coerce
    .number({ invalid_type_error: 'must be a number between 0 and 1' })
    .min(0, 'must be a number between 0 and 1')
    .max(1, 'must be a number between 0 and 1')
    .default(0.5),
  /** Self-preservation only applies with at least this many instances registered (0 turns it off). */
  REGISTRY_SELF_PRESERVATION_MIN_INSTANCES: envInteger(0, 1_000_000).default(3),
  /** Poll every registered instance's health URL (true). */
  HEALTH_POLL_ENABLED: envBoolean().default(true),
  HEALTH_POLL_INTERVAL_MS: envInteger(100, 3_600_000).default(10_000),
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
});

export type CoordinationConfig = z.output<typeof configSchema>;
