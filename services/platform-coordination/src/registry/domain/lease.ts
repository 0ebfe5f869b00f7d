export interface LeasePolicy {
  /** An instance whose last heartbeat is older than this turns critical. */
  ttlMs: number;
  /** A critical instance is removed once its last heartbeat is older than ttl + this. */
  deregisterCriticalAfterMs: number;
  /** Expiry stops while fewer than this share of the instances renew their lease. */
  selfPreservationThreshold: number;
  /** Self-preservation only applies with at least this many instances (0 turns it off). */
  selfPreservationMinInstances: number;
}

export interface LeaseCutoffs {
  /** Heartbeats before this instant have lapsed; null when no lease can have lapsed yet. */
  expireBefore: Date | null;
  /** Heartbeats before this instant are removed; null when none can be removed yet. */
  removeBefore: Date | null;
}

/**
 * The instants before which a heartbeat counts as lapsed or as gone for good. Leases are only judged
 * from `clockStart` on — when this process began watching them, or resumed after a pause long enough to
 * have missed heartbeats — so an outage of the registry itself never expires the instances that were
 * heartbeating into the void (Consul resets TTLs on a new leader for the same reason).
 */
export function leaseCutoffs(now: Date, clockStart: Date, policy: LeasePolicy): LeaseCutoffs {
  const cutoff = (ageMs: number): Date | null => {
    const before = now.getTime() - ageMs;
    return clockStart.getTime() < before ? new Date(before) : null;
  };
  return {
    expireBefore: cutoff(policy.ttlMs),
    removeBefore: cutoff(policy.ttlMs + policy.deregisterCriticalAfterMs),
  };
}

export interface RenewalFigures {
  /** Instances registered. */
  total: number;
  /** Instances whose lease has not lapsed. */
  renewing: number;
}

/**
 * Eureka's self-preservation: when a large share of the instances stop renewing at the same moment,
 * the likelier cause is that the registry was cut off from them, not that they all died. Expiring them
 * then would empty the registry for everyone, so expiry pauses until renewals recover.
 */
export function selfPreservationActive(figures: RenewalFigures, policy: LeasePolicy): boolean {
  if (policy.selfPreservationMinInstances <= 0 || figures.total < policy.selfPreservationMinInstances)
    return false;
  return figures.renewing / figures.total < policy.selfPreservationThreshold;
}
