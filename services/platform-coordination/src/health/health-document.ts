import type { HealthCheckOutcome, OverallHealthStatus } from '@fv/service-kit';
import { statusSummary } from '../registry/instance-store.js';
import { isoDurationFromMs } from '../shared/domain/iso-duration.js';
import { serviceStatus, type InstanceStatus } from '../registry/domain/instance-status.js';
import type { PrismaClient } from '../generated/prisma/client.js';

export interface HealthDocumentSources {
  prisma: PrismaClient;
  /** This service's own name: it is not its own dependency. */
  self: string;
  /** Events committed but not yet on the broker. */
  queueDepth(): Promise<number>;
  selfPreservation(): boolean;
  /** Workflows being followed and those stuck. */
  workflows(): Promise<{ active: number; stuck: number }>;
  /** More stuck workflows than this make the coordination DOWN (seed 000 health indicator). */
  stuckThreshold: number;
}

interface DependencyHealth {
  status: InstanceStatus;
  responseTime: string | null;
  instances: number;
  instancesUp: number;
}

/** The registered services, one entry per service name, from their instances' latest status. */
export function summarizeDependencies(
  rows: readonly { name: string; status: string; response_time_ms: number | null }[],
  self: string,
): Record<string, DependencyHealth> {
  const byName = new Map<string, { statuses: InstanceStatus[]; times: number[] }>();
  for (const row of rows) {
    if (row.name === self) continue;
    const entry = byName.get(row.name) ?? { statuses: [], times: [] };
    entry.statuses.push(row.status as InstanceStatus);
    if (row.response_time_ms !== null && row.status !== 'DOWN') entry.times.push(row.response_time_ms);
    byName.set(row.name, entry);
  }
  const result: Record<string, DependencyHealth> = {};
  for (const name of [...byName.keys()].sort()) {
    const { statuses, times } = byName.get(name)!;
    result[name] = {
      status: serviceStatus(statuses),
      responseTime: times.length
        ? isoDurationFromMs(times.reduce((sum, t) => sum + t, 0) / times.length)
        : null,
      instances: statuses.length,
      instancesUp: statuses.filter((status) => status === 'UP').length,
    };
  }
  return result;
}

function outcome(outcomes: readonly HealthCheckOutcome[], name: string): HealthCheckOutcome | undefined {
  return outcomes.find((candidate) => candidate.name === name);
}

async function settle<T>(work: Promise<T>): Promise<{ value: T } | { error: string }> {
  try {
    return { value: await work };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/**
 * The seed's health document: the coordination service itself, the services it aggregates, and its
 * infrastructure. DOWN when its own database or broker is down; DEGRADED when a dependency is not UP.
 */
export function coordinationHealthDocument(sources: HealthDocumentSources) {
  return async (outcomes: readonly HealthCheckOutcome[]) => {
    const database = outcome(outcomes, 'database');
    const broker = outcome(outcomes, 'broker');
    const databaseUp = database?.status === 'UP';
    const brokerUp = broker?.status === 'UP';
    const [instances, depth, workflows] = await Promise.all([
      databaseUp ? settle(statusSummary(sources.prisma)) : Promise.resolve({ error: 'database unavailable' }),
      databaseUp ? settle(sources.queueDepth()) : Promise.resolve({ error: 'database unavailable' }),
      databaseUp ? settle(sources.workflows()) : Promise.resolve({ error: 'database unavailable' }),
    ]);
    const dependencies = 'value' in instances ? summarizeDependencies(instances.value, sources.self) : {};
    const dependenciesUp = Object.values(dependencies).every((dependency) => dependency.status === 'UP');
    const tooManyStuck = 'value' in workflows && workflows.value.stuck > sources.stuckThreshold;
    const status: OverallHealthStatus =
      !databaseUp || !brokerUp || tooManyStuck ? 'DOWN' : dependenciesUp ? 'UP' : 'DEGRADED';
    const count = 'value' in instances ? instances.value.length : null;
    return {
      status,
      details: {
        coordination: {
          status: databaseUp && !tooManyStuck ? 'UP' : 'DOWN',
          activeWorkflows: 'value' in workflows ? workflows.value.active : null,
          stuckWorkflows: 'value' in workflows ? workflows.value.stuck : null,
          stuckThreshold: sources.stuckThreshold,
          database: databaseUp ? 'Connected' : 'Disconnected',
          registeredInstances: count,
          selfPreservation: sources.selfPreservation(),
        },
        dependencies,
        infrastructure: {
          database: {
            status: database?.status ?? 'DOWN',
            ...(database?.details ?? {}),
          },
          messageQueue: {
            status: broker?.status ?? 'DOWN',
            queueDepth: 'value' in depth ? depth.value : null,
            ...(broker?.details ?? {}),
          },
        },
      },
      timestamp: new Date().toISOString(),
    };
  };
}
