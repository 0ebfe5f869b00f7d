/** Status of a registered instance, as the registry and the health document report it. */
export type InstanceStatus = 'UP' | 'DEGRADED' | 'DOWN';
export const INSTANCE_STATUSES: readonly InstanceStatus[] = ['UP', 'DEGRADED', 'DOWN'];

/** The heartbeat check: passing while the instance renews its lease, critical once the lease lapses. */
export type HeartbeatCheckStatus = 'passing' | 'critical';

/** The health aggregator's HTTP check; unknown until the first probe. */
export type HttpCheckStatus = 'unknown' | 'passing' | 'warning' | 'critical';

/**
 * One status from the two checks: a lapsed lease or a critical probe is DOWN, a warning probe is
 * DEGRADED, otherwise UP. An instance not probed yet counts on its heartbeat alone.
 */
export function aggregateStatus(heartbeat: HeartbeatCheckStatus, http: HttpCheckStatus): InstanceStatus {
  if (heartbeat === 'critical' || http === 'critical') return 'DOWN';
  if (http === 'warning') return 'DEGRADED';
  return 'UP';
}

export interface ProbeOutcome {
  /** HTTP status of the answer; null when there was none (refused, reset, timed out). */
  httpStatus: number | null;
  timedOut: boolean;
}

/** 2xx passing, 429 warning (alive but shedding load), anything else or no answer critical. */
export function classifyProbe(outcome: ProbeOutcome): Exclude<HttpCheckStatus, 'unknown'> {
  if (outcome.timedOut || outcome.httpStatus === null) return 'critical';
  if (outcome.httpStatus >= 200 && outcome.httpStatus < 300) return 'passing';
  if (outcome.httpStatus === 429) return 'warning';
  return 'critical';
}

/**
 * Status of a service from its instances: UP when all are UP, DOWN when none is UP or DEGRADED,
 * DEGRADED in between.
 */
export function serviceStatus(instances: readonly InstanceStatus[]): InstanceStatus {
  if (instances.length === 0) return 'DOWN';
  if (instances.every((status) => status === 'UP')) return 'UP';
  if (instances.some((status) => status === 'UP' || status === 'DEGRADED')) return 'DEGRADED';
  return 'DOWN';
}
