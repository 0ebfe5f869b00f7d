import type { ServiceInstance } from '../generated/prisma/client.js';
import type { ProbeRecord } from './instance-store.js';
import { isoDurationFromMs } from '../shared/domain/iso-duration.js';

/** One page of a discovery query: the instances on it and how many match in all. */
export interface InstancePage {
  items: InstanceView[];
  total: number;
}

/** Turns a page into what a route sends (its serializer), so that a page can be rendered once. */
export type InstancePageRenderer<T> = (page: InstancePage) => T;

/** An instance as the API returns it. */
export interface InstanceView {
  instanceId: string;
  name: string;
  version: string;
  host: string;
  port: number;
  baseUrl: string;
  healthUrl: string;
  metadata: { tags: string[]; zone: string | null } & Record<string, unknown>;
  status: string;
  checks: {
    heartbeat: {
      status: string;
      lastHeartbeatAt: string;
      leaseExpiresAt: string;
      criticalSince: string | null;
    };
    http: {
      status: string;
      lastCheckedAt: string | null;
      httpStatus: number | null;
      responseTime: string | null;
      error: string | null;
    };
  };
  registeredAt: string;
  updatedAt: string;
}

export function historyOf(row: Pick<ServiceInstance, 'healthHistory'>): ProbeRecord[] {
  return Array.isArray(row.healthHistory) ? (row.healthHistory as unknown as ProbeRecord[]) : [];
}

export function toInstanceView(row: ServiceInstance, ttlMs: number): InstanceView {
  const latest = historyOf(row)[0];
  return {
    instanceId: row.id,
    name: row.name,
    version: row.version,
    host: row.host,
    port: row.port,
    baseUrl: row.baseUrl,
    healthUrl: row.healthUrl,
    metadata: { ...(row.metadata as Record<string, string>), tags: row.tags, zone: row.zone },
    status: row.status,
    checks: {
      heartbeat: {
        status: row.heartbeatStatus,
        lastHeartbeatAt: row.lastHeartbeatAt.toISOString(),
        leaseExpiresAt: new Date(row.lastHeartbeatAt.getTime() + ttlMs).toISOString(),
        criticalSince: row.criticalSince?.toISOString() ?? null,
      },
      http: {
        status: row.httpStatus,
        lastCheckedAt: row.lastCheckedAt?.toISOString() ?? null,
        httpStatus: latest?.httpStatus ?? null,
        responseTime: latest ? isoDurationFromMs(latest.responseTimeMs) : null,
        error: latest?.error ?? null,
      },
    },
    registeredAt: row.registeredAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
