import type { Prisma } from '../generated/prisma/client.js';
import type { Db } from '../shared/db.js';

export const WORKFLOW_RECORD_INCLUDE = {
  steps: { orderBy: { position: 'asc' } },
  saga: { include: { logs: { orderBy: [{ executedAt: 'asc' }, { id: 'asc' }] } } },
} as const satisfies Prisma.WorkflowInclude;

export type WorkflowRecord = Prisma.WorkflowGetPayload<{ include: typeof WORKFLOW_RECORD_INCLUDE }>;

/** A workflow by its id, or by the order it follows; with its saga's log only when asked. */
export async function findWorkflowRecord(
  db: Db,
  type: string,
  id: string,
  options: { logs?: boolean } = {},
): Promise<WorkflowRecord | null> {
  const rows = await db.$queryRawUnsafe<{ id: string }[]>(
    // By its id, else by what it follows (an order's, a return's or a replenishment's id), `type` first.
    `select id from workflows where id = $1::uuid or correlation_id = $3
     order by (id = $1::uuid) desc, (workflow_type = $2) desc limit 1`,
    id,
    type,
    id,
  );
  if (!rows[0]) return null;
  const include = options.logs
    ? WORKFLOW_RECORD_INCLUDE
    : { steps: WORKFLOW_RECORD_INCLUDE.steps, saga: true };
  return (await db.workflow.findUnique({ where: { id: rows[0].id }, include })) as WorkflowRecord | null;
}

export async function findSagaRecord(db: Db, sagaId: string): Promise<WorkflowRecord | null> {
  const saga = await db.saga.findUnique({ where: { id: sagaId }, select: { workflowId: true } });
  if (!saga) return null;
  return db.workflow.findUnique({ where: { id: saga.workflowId }, include: WORKFLOW_RECORD_INCLUDE });
}

/** The newest `limit` history entries of a workflow, oldest first. */
export async function recentHistory(db: Db, workflowId: string, limit: number) {
  const rows = await db.workflowEvent.findMany({
    where: { workflowId },
    orderBy: [{ occurredAt: 'desc' }, { createdAt: 'desc' }],
    take: limit,
  });
  return rows.reverse();
}

export interface ActiveFilter {
  statuses: string[];
  type?: string;
  customerId?: string;
  priority?: string;
}

function activeWhere(filter: ActiveFilter): Prisma.WorkflowWhereInput {
  return {
    status: { in: filter.statuses },
    ...(filter.type ? { workflowType: filter.type } : {}),
    ...(filter.customerId ? { customerId: filter.customerId } : {}),
    ...(filter.priority ? { priority: filter.priority } : {}),
  };
}

export async function listActive(
  db: Db,
  filter: ActiveFilter,
  page: {
    page: number;
    size: number;
    sort: { field: 'startedAt' | 'createdAt' | 'updatedAt'; direction: 'asc' | 'desc' };
  },
) {
  const where = activeWhere(filter);
  const [rows, total] = await Promise.all([
    db.workflow.findMany({
      where,
      include: { steps: { select: { status: true } } },
      orderBy: [{ [page.sort.field]: page.sort.direction }, { id: 'asc' }],
      skip: page.page * page.size,
      take: page.size,
    }),
    db.workflow.count({ where }),
  ]);
  return { rows, total };
}

export async function activeSummary(db: Db, filter: ActiveFilter, now: Date) {
  const where = activeWhere(filter);
  const [byType, byStatus, age] = await Promise.all([
    db.workflow.groupBy({ by: ['workflowType'], where, _count: { _all: true } }),
    db.workflow.groupBy({ by: ['status'], where, _count: { _all: true } }),
    db.workflow.aggregate({ where, _min: { startedAt: true }, _count: { _all: true } }),
  ]);
  const averageAge = age._count._all
    ? await db.$queryRawUnsafe<{ avg_ms: number | null }[]>(
        `select avg(extract(epoch from ($1::timestamptz - started_at)) * 1000)::float8 as avg_ms from workflows
         where status = any($2::text[]) and ($3::text is null or workflow_type = $3) and ($4::text is null or customer_id = $4)
           and ($5::text is null or priority = $5)`,
        now,
        filter.statuses,
        filter.type ?? null,
        filter.customerId ?? null,
        filter.priority ?? null,
      )
    : [{ avg_ms: null }];
  return {
    totalActive: age._count._all,
    byType: Object.fromEntries(byType.map((row) => [row.workflowType, row._count._all])),
    byStatus: Object.fromEntries(byStatus.map((row) => [row.status, row._count._all])),
    averageAgeMs: averageAge[0]?.avg_ms ?? null,
  };
}

/** Active workflows, and those stuck: not updated for `stuckAfterMs`. */
export async function activeAndStuck(db: Db, statuses: readonly string[], now: Date, stuckAfterMs: number) {
  const rows = await db.$queryRawUnsafe<{ active: bigint; stuck: bigint }[]>(
    `select count(*) as active, count(*) filter (where updated_at < $2) as stuck from workflows where status = any($1::text[])`,
    [...statuses],
    new Date(now.getTime() - stuckAfterMs),
  );
  return { active: Number(rows[0]?.active ?? 0), stuck: Number(rows[0]?.stuck ?? 0) };
}

/** Average durations of completed steps and workflows since `since` (the status API's estimates). */
export async function averageDurations(db: Db, type: string, since: Date) {
  const [steps, workflows, compensations] = await Promise.all([
    db.$queryRawUnsafe<{ step_name: string; avg_ms: number }[]>(
      `select s.step_name, avg(extract(epoch from (s.completed_at - s.started_at)) * 1000)::float8 as avg_ms
         from workflow_steps s join workflows w on w.id = s.workflow_id
        where w.workflow_type = $1 and s.status = 'COMPLETED' and s.started_at is not null and s.completed_at is not null
          and s.completed_at >= $2
        group by s.step_name`,
      type,
      since,
    ),
    db.$queryRawUnsafe<{ avg_ms: number | null }[]>(
      `select avg(extract(epoch from (completed_at - started_at)) * 1000)::float8 as avg_ms
         from workflows where workflow_type = $1 and status = 'COMPLETED' and completed_at >= $2`,
      type,
      since,
    ),
    db.$queryRawUnsafe<{ avg_ms: number | null }[]>(
      `select avg(extract(epoch from (s.compensation_ended_at - s.compensation_started_at)) * 1000)::float8 as avg_ms
         from sagas s join workflows w on w.id = s.workflow_id
        where w.workflow_type = $1 and s.compensation_ended_at >= $2`,
      type,
      since,
    ),
  ]);
  return {
    steps: Object.fromEntries(steps.map((row) => [row.step_name, row.avg_ms])) as Record<string, number>,
    workflow: workflows[0]?.avg_ms ?? null,
    compensation: compensations[0]?.avg_ms ?? null,
  };
}
