import type { Db } from '../shared/db.js';
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { Outbox, SqlClient } from '@fv/messaging';
import { AppError, insufficientPermissions, invalidFields, notFound, type SchemaType } from '@fv/service-kit';
import type { PrismaClient, ServiceInstance } from '../generated/prisma/client.js';
import {
  deleteById,
  expireLeases,
  findByAddress,
  findById,
  insertInstance,
  listInstances,
  lockById,
  recordProbe,
  removeLapsed,
  sweepLook,
  renewalFigures,
  renewPassingLease,
  reviveLease,
  updateRegistration,
  type InstanceFields,
  type InstanceFilter,
  type ProbeRecord,
  type StatusTransition,
} from './instance-store.js';
import { hostPort, isValidHost } from './domain/host.js';
import { aggregateStatus, type HttpCheckStatus, type InstanceStatus } from './domain/instance-status.js';
import { leaseCutoffs, selfPreservationActive, type LeasePolicy } from './domain/lease.js';
import type { OutboundPolicy } from '../net/outbound-policy.js';
import type { registrationBody } from './registry-routes.js';
import {
  historyOf,
  toInstanceView,
  type InstancePage,
  type InstancePageRenderer,
  type InstanceView,
} from './instance-view.js';
import { RegistryReadCache } from './read-cache.js';

/** An instance's registration as POST /services/register sends it. */
export type RegistrationInput = SchemaType<typeof registrationBody>;

export type DeregistrationReason = 'SHUTDOWN' | 'HEARTBEAT_EXPIRED' | 'ADMIN';

export interface RegistryDependencies {
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  prisma: PrismaClient;
  /**
   * The database without Prisma: a lease sweep first reads what it would find, outside any transaction,
   * and takes the sweep's lock only when a lease lapsed.
   */
  sql?: SqlClient;
  outbox: Outbox;
  policy: LeasePolicy;
  heartbeatIntervalSeconds: number;
  /** Instances one service name may have registered at once (unlimited when absent). */
  maxInstancesPerService?: number;
  /** Which health URLs may be stored (the health aggregator calls them). */
  outbound: OutboundPolicy;
  clock?: () => Date;
  /**
   * How old the snapshot that answers discovery queries may be, in ms (REGISTRY_READ_CACHE_MS); 0 asks
   * the database on every query.
   */
  readCacheMs?: number;
}

export interface SweepResult {
  selfPreservation: boolean;
  total: number;
  renewing: number;
  expired: string[];
  removed: string[];
}

const UNIQUE_VIOLATION = 'P2002';

/**
 * The service registry: registration (idempotent per name + host + port), heartbeats that renew a
 * lease, deregistration, queries, lease expiry with self-preservation, and the status changes the
 * health aggregator observes. Every state change and its event commit together.
 */
export class RegistryService {
  private readonly clock: () => Date;
  private selfPreservation = false;
  private readonly cache: RegistryReadCache | null;

  constructor(private readonly deps: RegistryDependencies) {
    this.clock = deps.clock ?? (() => new Date());
    this.cache = deps.readCacheMs
      ? new RegistryReadCache({
          load: () => deps.prisma.serviceInstance.findMany(),
          view: (row) => this.view(row),
          maxAgeMs: deps.readCacheMs,
          ...(deps.clock ? { now: () => this.clock().getTime() } : {}),
        })
      : null;
  }

  get policy(): LeasePolicy {
    return this.deps.policy;
  }

  /** Whether the last sweep paused expiry. */
  get selfPreservationActive(): boolean {
    return this.selfPreservation;
  }

  async register(
    input: RegistrationInput,
    meta: { traceparent?: string | null },
  ): Promise<{ created: boolean; instance: InstanceView }> {
    const fields = normalizeRegistration(input);
    const refused = await this.deps.outbound.admit(fields.healthUrl);
    if (refused) {
      // The health URL defaults to http://host:port/health: name the field the caller chose.
      const field = input.healthUrl === undefined ? 'body.host' : 'body.healthUrl';
      throw invalidFields([
        {
          field,
          rule: 'outbound-policy',
          message: `${field === 'body.host' ? 'health URL ' : ''}${refused.reason}`,
        },
      ]);
    }
    for (let attempt = 1; ; attempt += 1) {
      try {
        const { created, row } = await this.deps.transaction((tx) => this.registerIn(tx, fields, meta));
        this.cache?.put(row);
        return { created, instance: this.view(row) };
      } catch (error) {
        // Two first registrations of the same address raced: the second becomes a re-registration.
        if ((error as { code?: string }).code === UNIQUE_VIOLATION && attempt < 3) continue;
        throw error;
      }
    }
  }

  private async registerIn(
    tx: Db,
    fields: InstanceFields,
    meta: { traceparent?: string | null },
  ): Promise<{ created: boolean; row: ServiceInstance }> {
    const now = this.clock();
    const limit = this.deps.maxInstancesPerService;
    // New instances of one name are counted one at a time, so concurrent registrations cannot overshoot.
    if (limit !== undefined) await lockServiceName(tx, fields.name);
    const existing = await findByAddress(tx, fields.name, fields.host, fields.port);
    if (!existing) {
      if (limit !== undefined) {
        const registered = await tx.serviceInstance.count({ where: { name: fields.name } });
        if (registered >= limit) throw instanceLimitReached(fields.name, limit);
      }
      const id = randomUUID();
      const row = await insertInstance(tx, id, fields, now, {
        status: 'UP',
        heartbeat: 'passing',
        http: 'unknown',
      });
      await this.publishRegistered(tx, row, meta.traceparent);
      return { created: true, row };
    }
    await lockById(tx, existing.id);
    const status = aggregateStatus('passing', existing.httpStatus as HttpCheckStatus);
    const row = await updateRegistration(tx, existing.id, fields, now, status);
    if (!sameRegistration(existing, fields)) await this.publishRegistered(tx, row, meta.traceparent);
    if (existing.status !== status) {
      await this.publishHealthChanged(
        tx,
        { id: row.id, name: row.name, previous: existing.status as InstanceStatus, status },
        'REGISTERED_AGAIN',
        meta.traceparent,
      );
    }
    return { created: false, row };
  }

  /** Renews the lease. 404 when the registry does not know the instance (the client then registers again). */
  async heartbeat(
    id: string,
    meta: { traceparent?: string | null; actsFor?: string | null },
  ): Promise<{ instanceId: string; name: string; status: InstanceStatus; leaseExpiresAt: string }> {
    const now = this.clock();
    const actsFor = meta.actsFor ?? null;
    const lease = (row: { id: string; name: string; status: string; lastHeartbeatAt: Date }) => ({
      instanceId: row.id,
      name: row.name,
      status: row.status as InstanceStatus,
      leaseExpiresAt: new Date(row.lastHeartbeatAt.getTime() + this.deps.policy.ttlMs).toISOString(),
    });
    const renewed = await renewPassingLease(this.deps.sql ?? this.deps.prisma, id, now, actsFor);
    if (renewed) {
      this.cache?.renewed(renewed.id, renewed.lastHeartbeatAt);
      return lease(renewed);
    }
    const resumed = await this.deps.transaction(async (tx) => {
      const row = await lockById(tx, id);
      if (!row) throw instanceNotFound(id);
      if (actsFor !== null && row.name !== actsFor) throw notYours(actsFor, row.name);
      const status = aggregateStatus('passing', row.httpStatus as HttpCheckStatus);
      const revived = await reviveLease(tx, id, now, status);
      if (row.status !== status) {
        await this.publishHealthChanged(
          tx,
          { id, name: row.name, previous: row.status as InstanceStatus, status },
          'HEARTBEAT_RESUMED',
          meta.traceparent,
        );
      }
      return lease(revived);
    });
    this.cache?.invalidate();
    return resumed;
  }

  async deregister(
    id: string,
    reason: DeregistrationReason,
    meta: { traceparent?: string | null },
  ): Promise<void> {
    await this.deps.transaction(async (tx) => {
      const row = await deleteById(tx, id);
      if (!row) throw instanceNotFound(id);
      await this.publishDeregistered(tx, row.id, row.name, reason, meta.traceparent);
    });
    this.cache?.removed(id);
  }

  async get(id: string): Promise<InstanceView> {
    const row = await findById(this.deps.prisma, id);
    if (!row) throw instanceNotFound(id);
    return this.view(row);
  }

  async health(id: string): Promise<{ instance: InstanceView; history: ProbeRecord[] }> {
    const row = await findById(this.deps.prisma, id);
    if (!row) throw instanceNotFound(id);
    return { instance: this.view(row), history: historyOf(row) };
  }

  async list(filter: InstanceFilter, page: number, size: number): Promise<InstancePage> {
    if (this.cache) return this.cache.list(filter, page, size);
    const { rows, total } = await listInstances(this.deps.prisma, filter, page, size);
    return { items: rows.map((row) => this.view(row)), total };
  }

  /** `list`, rendered by `render`; with the read cache, once per query and snapshot. */
  async listRendered<T>(
    filter: InstanceFilter,
    page: number,
    size: number,
    render: InstancePageRenderer<T>,
  ): Promise<T> {
    if (this.cache) return this.cache.listRendered(filter, page, size, render);
    return render(await this.list(filter, page, size));
  }

  /**
   * One pass over the leases at `now`, judged from `clockStart` on: lapsed leases turn critical, and
   * instances critical for longer than the grace period are removed — unless so many lapsed at once
   * that the registry itself is the likelier one cut off (self-preservation), in which case nothing
   * changes until renewals recover.
   */
  async sweep(clockStart: Date, now: Date = this.clock()): Promise<SweepResult> {
    const cutoffs = leaseCutoffs(now, clockStart, this.deps.policy);
    if (this.deps.sql) {
      const { due, ...figures } = await sweepLook(this.deps.sql, cutoffs);
      if (!due) {
        // Nothing to expire or remove: the same answer the locked sweep would give, without the lock.
        this.selfPreservation = selfPreservationActive(figures, this.deps.policy);
        return { selfPreservation: this.selfPreservation, ...figures, expired: [], removed: [] };
      }
    }
    const result = await this.deps.transaction(async (tx) => {
      const locked = await tx.$queryRawUnsafe<{ locked: boolean }[]>(
        "select pg_try_advisory_xact_lock(hashtext('platform-coordination:lease-sweep')) as locked",
      );
      const figures = await renewalFigures(tx, cutoffs.expireBefore);
      const result: SweepResult = { selfPreservation: false, ...figures, expired: [], removed: [] };
      if (!locked[0]?.locked) return result;
      if (selfPreservationActive(figures, this.deps.policy)) {
        this.selfPreservation = true;
        return { ...result, selfPreservation: true };
      }
      this.selfPreservation = false;
      if (cutoffs.expireBefore) {
        for (const transition of await expireLeases(tx, cutoffs.expireBefore, now)) {
          result.expired.push(transition.id);
          if (transition.previous !== transition.status)
            await this.publishHealthChanged(tx, transition, 'HEARTBEAT_EXPIRED', null);
        }
      }
      if (cutoffs.removeBefore) {
        for (const removed of await removeLapsed(tx, cutoffs.removeBefore)) {
          result.removed.push(removed.id);
          await this.publishDeregistered(tx, removed.id, removed.name, 'HEARTBEAT_EXPIRED', null);
        }
      }
      return result;
    });
    if (result.expired.length || result.removed.length) this.cache?.invalidate();
    return result;
  }

  /** Stores a probe result and publishes ServiceHealthChanged when the status really changed. */
  async applyProbe(id: string, probe: ProbeRecord, historySize: number): Promise<StatusTransition | null> {
    const applied = await this.deps.transaction(async (tx) => {
      const statusWhenLeaseHolds = aggregateStatus('passing', probe.status);
      const transition = await recordProbe(tx, id, probe, statusWhenLeaseHolds, historySize);
      if (transition && transition.previous !== transition.status) {
        const reason =
          probe.error ??
          (probe.httpStatus === null ? 'no answer' : `health endpoint answered ${probe.httpStatus}`);
        await this.publishHealthChanged(tx, transition, reason, null, {
          http: probe.status,
          ...(probe.httpStatus === null ? {} : { httpStatus: String(probe.httpStatus) }),
          responseTimeMs: String(probe.responseTimeMs),
        });
      }
      return transition;
    });
    // A new status shows at once; the probe's other figures once the snapshot is renewed.
    if (applied && applied.previous !== applied.status) this.cache?.invalidate();
    return applied;
  }

  view(row: ServiceInstance): InstanceView {
    return toInstanceView(row, this.deps.policy.ttlMs);
  }

  private async publishRegistered(
    tx: Db,
    row: ServiceInstance,
    traceparent: string | null | undefined,
  ): Promise<void> {
    const metadata: Record<string, string> = { ...(row.metadata as Record<string, string>) };
    if (row.tags.length) metadata.tags = row.tags.join(',');
    if (row.zone) metadata.zone = row.zone;
    await this.deps.outbox.publish(
      tx,
      'ServiceRegistered',
      {
        serviceId: row.id,
        serviceName: row.name,
        version: row.version,
        host: row.host,
        port: row.port,
        baseUrl: row.baseUrl,
        healthCheckUrl: row.healthUrl,
        metadata,
      },
      { correlationId: row.id, traceparent: traceparent ?? null },
    );
  }

  private async publishDeregistered(
    tx: Db,
    id: string,
    name: string,
    reason: DeregistrationReason,
    traceparent: string | null | undefined,
  ): Promise<void> {
    await this.deps.outbox.publish(
      tx,
      'ServiceDeregistered',
      { serviceId: id, serviceName: name, reason },
      { correlationId: id, traceparent: traceparent ?? null },
    );
  }

  private async publishHealthChanged(
    tx: Db,
    transition: StatusTransition,
    reason: string,
    traceparent: string | null | undefined,
    details: Record<string, string> = {},
  ): Promise<void> {
    await this.deps.outbox.publish(
      tx,
      'ServiceHealthChanged',
      {
        serviceId: transition.id,
        serviceName: transition.name,
        previousStatus: transition.previous,
        status: transition.status,
        reason,
        details,
      },
      { correlationId: transition.id, traceparent: traceparent ?? null },
    );
  }
}

function notYours(subject: string, service: string): AppError {
  return insufficientPermissions(`A service token for ${subject} cannot act on instances of ${service}`, {
    subject,
    service,
  });
}

export function instanceNotFound(id: string): AppError {
  return notFound('NOT_FOUND', `Service instance ${id} is not registered`, {
    instanceId: id,
    reason: 'INSTANCE_NOT_FOUND',
  });
}

/** Checks what JSON Schema cannot (host syntax, health URL) and fills the defaults. */
/** Serialises the registrations of one service name until the transaction ends. */
async function lockServiceName(tx: Db, name: string): Promise<void> {
  await tx.$queryRawUnsafe('select pg_advisory_xact_lock(hashtext($1))::text', `registry-name:${name}`);
}

function instanceLimitReached(name: string, limit: number): AppError {
  return new AppError(
    'CONFLICT',
    `${name} already has ${limit} registered instances, the most one service may have; deregister one first`,
    { details: { reason: 'INSTANCE_LIMIT_REACHED', service: name, limit } },
  );
}

export function normalizeRegistration(input: RegistrationInput): InstanceFields {
  const issues = [];
  if (!isValidHost(input.host)) {
    issues.push({ field: 'body.host', rule: 'format', message: 'must be a host name or an IP address' });
  }
  const address = hostPort(input.host, input.port);
  let healthUrl = `http://${address}/health`;
  if (input.healthUrl !== undefined) {
    try {
      const url = new URL(input.healthUrl);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
      healthUrl = url.toString();
    } catch {
      issues.push({ field: 'body.healthUrl', rule: 'format', message: 'must be an absolute http(s) URL' });
    }
  }
  if (issues.length) throw invalidFields(issues);
  const { tags = [], zone, ...rest } = input.metadata ?? {};
  return {
    name: input.name,
    version: input.version,
    host: input.host,
    port: input.port,
    baseUrl: `http://${address}/api/v1`,
    healthUrl,
    tags: [...new Set(tags)].sort(),
    zone: zone ?? null,
    metadata: Object.fromEntries(Object.entries(rest).map(([key, value]) => [key, String(value)])),
  };
}

function sameRegistration(row: ServiceInstance, fields: InstanceFields): boolean {
  return (
    row.version === fields.version &&
    row.baseUrl === fields.baseUrl &&
    row.healthUrl === fields.healthUrl &&
    row.zone === fields.zone &&
    isDeepStrictEqual([...row.tags].sort(), fields.tags) &&
    isDeepStrictEqual(row.metadata, fields.metadata)
  );
}
