import type { SqlClient } from '@fv/messaging';
import type { Prisma, ServiceInstance } from '../generated/prisma/client.js';
import type { Db } from '../shared/db.js';
import type { HeartbeatCheckStatus, HttpCheckStatus, InstanceStatus } from './domain/instance-status.js';

export interface InstanceFields {
  name: string;
  version: string;
  host: string;
  port: number;
  baseUrl: string;
  healthUrl: string;
  tags: string[];
  zone: string | null;
  metadata: Record<string, string>;
}

export interface ProbeRecord {
  checkedAt: string;
  status: Exclude<HttpCheckStatus, 'unknown'>;
  httpStatus: number | null;
  responseTimeMs: number;
  error: string | null;
}

export interface InstanceFilter {
  name?: string;
  status?: InstanceStatus;
  tag?: string;
  zone?: string;
}

export interface StatusTransition {
  id: string;
  name: string;
  previous: InstanceStatus;
  status: InstanceStatus;
}

export function findByAddress(
  db: Db,
  name: string,
  host: string,
  port: number,
): Promise<ServiceInstance | null> {
  return db.serviceInstance.findUnique({ where: { name_host_port: { name, host, port } } });
}

export function findById(db: Db, id: string): Promise<ServiceInstance | null> {
  return db.serviceInstance.findUnique({ where: { id } });
}

/** Locks the row for the rest of the transaction. */
export async function lockById(db: Db, id: string): Promise<ServiceInstance | null> {
  const rows = await db.$queryRawUnsafe<{ id: string }[]>(
    'select id from service_instances where id = $1::uuid for update',
    id,
  );
  return rows.length ? findById(db, id) : null;
}

export function insertInstance(
  db: Db,
  id: string,
  fields: InstanceFields,
  now: Date,
  status: { status: InstanceStatus; heartbeat: HeartbeatCheckStatus; http: HttpCheckStatus },
): Promise<ServiceInstance> {
  return db.serviceInstance.create({
    data: {
      id,
      ...fields,
      status: status.status,
      heartbeatStatus: status.heartbeat,
      httpStatus: status.http,
      registeredAt: now,
      lastHeartbeatAt: now,
      updatedAt: now,
    },
  });
}

export function updateRegistration(
  db: Db,
  id: string,
  fields: InstanceFields,
  now: Date,
  status: InstanceStatus,
): Promise<ServiceInstance> {
  return db.serviceInstance.update({
    where: { id },
    data: {
      ...fields,
      status,
      heartbeatStatus: 'passing',
      criticalSince: null,
      lastHeartbeatAt: now,
      updatedAt: now,
    },
  });
}

export interface RenewedLease {
  id: string;
  name: string;
  status: InstanceStatus;
  lastHeartbeatAt: Date;
}

/** The common heartbeat: renews a passing lease (of service `name`, when given) in one statement; null otherwise. */
export async function renewPassingLease(
  db: SqlClient,
  id: string,
  now: Date,
  name: string | null,
): Promise<RenewedLease | null> {
  const rows = await db.$queryRawUnsafe<RenewedLease[]>(
    `update service_instances set last_heartbeat_at = $2
      where id = $1::uuid and heartbeat_status = 'passing' and ($3::text is null or name = $3::text)
     returning id::text as id, name, status, last_heartbeat_at as "lastHeartbeatAt"`,
    id,
    now,
    name,
  );
  return rows[0] ?? null;
}

/** Renews a lapsed lease (the row is locked by the caller). */
export function reviveLease(db: Db, id: string, now: Date, status: InstanceStatus): Promise<ServiceInstance> {
  return db.serviceInstance.update({
    where: { id },
    data: { heartbeatStatus: 'passing', criticalSince: null, lastHeartbeatAt: now, status, updatedAt: now },
  });
}

export async function deleteById(db: Db, id: string): Promise<ServiceInstance | null> {
  const row = await lockById(db, id);
  if (!row) return null;
  await db.serviceInstance.delete({ where: { id } });
  return row;
}

function where(filter: InstanceFilter): Prisma.ServiceInstanceWhereInput {
  return {
    ...(filter.name ? { name: filter.name } : {}),
    ...(filter.status ? { status: filter.status } : {}),
    ...(filter.tag ? { tags: { has: filter.tag } } : {}),
    ...(filter.zone ? { zone: filter.zone } : {}),
  };
}

export async function listInstances(
  db: Db,
  filter: InstanceFilter,
  page: number,
  size: number,
): Promise<{ rows: ServiceInstance[]; total: number }> {
  const condition = where(filter);
  const [rows, total] = await Promise.all([
    db.serviceInstance.findMany({
      where: condition,
      orderBy: [{ name: 'asc' }, { registeredAt: 'asc' }, { id: 'asc' }],
      skip: page * size,
      take: size,
    }),
    db.serviceInstance.count({ where: condition }),
  ]);
  return { rows, total };
}

export function allForProbing(db: Db): Promise<Pick<ServiceInstance, 'id' | 'name' | 'healthUrl'>[]> {
  return db.serviceInstance.findMany({
    select: { id: true, name: true, healthUrl: true },
    orderBy: { id: 'asc' },
  });
}

/** Per instance: its service, status and the response time of its latest probe (null before the first). */
export function statusSummary(
  db: Db,
): Promise<{ name: string; status: string; response_time_ms: number | null }[]> {
  return db.$queryRawUnsafe(
    `select name, status, (health_history -> 0 ->> 'responseTimeMs')::int as response_time_ms from service_instances`,
  );
}

/** How many instances there are and how many still renew their lease (heartbeat at or after `renewedSince`). */
export async function renewalFigures(
  db: Db,
  renewedSince: Date | null,
): Promise<{ total: number; renewing: number }> {
  const rows = await db.$queryRawUnsafe<{ total: bigint | number; renewing: bigint | number }[]>(
    `select count(*) as total,
            count(*) filter (where $1::timestamptz is null or last_heartbeat_at >= $1::timestamptz) as renewing
       from service_instances`,
    renewedSince,
  );
  return { total: Number(rows[0]?.total ?? 0), renewing: Number(rows[0]?.renewing ?? 0) };
}

/**
 * What a lease sweep would find, read without a transaction or lock: the renewal figures, and whether
 * any lease lapsed before `expireBefore` or any critical instance before `removeBefore`.
 */
export async function sweepLook(
  db: SqlClient,
  cutoffs: { expireBefore: Date | null; removeBefore: Date | null },
): Promise<{ total: number; renewing: number; due: boolean }> {
  const rows = await db.$queryRawUnsafe<
    { total: string | number; renewing: string | number; due: boolean }[]
  >(
    `select count(*) as total,
            count(*) filter (where $1::timestamptz is null or last_heartbeat_at >= $1::timestamptz) as renewing,
            coalesce(bool_or((heartbeat_status = 'passing' and last_heartbeat_at < $1::timestamptz)
                          or (heartbeat_status = 'critical' and last_heartbeat_at < $2::timestamptz)), false) as due
       from service_instances`,
    cutoffs.expireBefore,
    cutoffs.removeBefore,
  );
  return {
    total: Number(rows[0]?.total ?? 0),
    renewing: Number(rows[0]?.renewing ?? 0),
    due: rows[0]?.due === true,
  };
}

/** Marks passing leases whose last heartbeat is before `cutoff` critical (status DOWN); returns the transitions. */
export async function expireLeases(db: Db, cutoff: Date, now: Date): Promise<StatusTransition[]> {
  return db.$queryRawUnsafe<StatusTransition[]>(
    `with lapsed as (
       select id, status as previous from service_instances
        where heartbeat_status = 'passing' and last_heartbeat_at < $1
        for update skip locked
     )
     update service_instances s
        set heartbeat_status = 'critical', critical_since = $2, status = 'DOWN', updated_at = $2
       from lapsed
      where s.id = lapsed.id
     returning s.id::text as id, s.name, lapsed.previous, s.status`,
    cutoff,
    now,
  );
}

/** Removes critical instances whose last heartbeat is before `cutoff`. */
export async function removeLapsed(db: Db, cutoff: Date): Promise<{ id: string; name: string }[]> {
  return db.$queryRawUnsafe<{ id: string; name: string }[]>(
    `delete from service_instances
      where id in (select id from service_instances
                    where heartbeat_status = 'critical' and last_heartbeat_at < $1
                    for update skip locked)
     returning id::text as id, name`,
    cutoff,
  );
}

/**
 * Stores a probe result: the HTTP check, the status it leads to (DOWN regardless while the lease has
 * lapsed), and the result at the head of the history, trimmed to `historySize`. Null when the instance
 * is gone.
 */
export async function recordProbe(
  db: Db,
  id: string,
  probe: ProbeRecord,
  statusWhenLeaseHolds: InstanceStatus,
  historySize: number,
): Promise<StatusTransition | null> {
  const rows = await db.$queryRawUnsafe<StatusTransition[]>(
    `with previous as (select id, status from service_instances where id = $1::uuid for update)
     update service_instances s
        set http_status = $2,
            status = case when s.heartbeat_status = 'critical' then 'DOWN' else $3 end,
            last_checked_at = $4,
            updated_at = $4,
            health_history = (
              select coalesce(jsonb_agg(h.entry order by h.position), '[]'::jsonb)
                from jsonb_array_elements(jsonb_build_array($5::jsonb) || s.health_history) with ordinality as h(entry, position)
               where h.position <= $6
            )
       from previous
      where s.id = previous.id
     returning s.id::text as id, s.name, previous.status as previous, s.status`,
    id,
    probe.status,
    statusWhenLeaseHolds,
    new Date(probe.checkedAt),
    JSON.stringify(probe),
    historySize,
  );
  return rows[0] ?? null;
}
