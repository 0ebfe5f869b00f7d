import type { Prisma } from '../generated/prisma/client.js';
import type { WorkflowFilter } from './domain/workflow-filter.js';
import type { Db } from '../shared/db.js';

/** The workflows a console filter matches (the order id matches the workflow's id too). */
export function consoleWhere(filter: WorkflowFilter): Prisma.WorkflowWhereInput {
  const and: Prisma.WorkflowWhereInput[] = [];
  if (filter.type) and.push({ workflowType: filter.type });
  if (filter.statuses) and.push({ status: { in: filter.statuses } });
  if (filter.stuckBefore) and.push({ updatedAt: { lt: filter.stuckBefore } });
  if (filter.customerId) and.push({ customerId: filter.customerId });
  if (filter.orderId) and.push({ OR: [{ correlationId: filter.orderId }, { id: filter.orderId }] });
  if (filter.from) and.push({ startedAt: { gte: filter.from } });
  if (filter.to) and.push({ startedAt: { lt: filter.to } });
  return and.length ? { AND: and } : {};
}

const LIST_SELECT = {
  id: true,
  workflowType: true,
  correlationId: true,
  status: true,
  currentStep: true,
  customerId: true,
  priority: true,
  startedAt: true,
  updatedAt: true,
  completedAt: true,
  saga: { select: { id: true, status: true } },
} as const satisfies Prisma.WorkflowSelect;

export type ConsoleWorkflowRow = Prisma.WorkflowGetPayload<{ select: typeof LIST_SELECT }>;

/** A page of matching workflows, the most recently updated first. */
export async function listConsoleWorkflows(
  db: Db,
  filter: WorkflowFilter,
  page: number,
  size: number,
): Promise<{ rows: ConsoleWorkflowRow[]; total: number }> {
  const where = consoleWhere(filter);
  const [rows, total] = await Promise.all([
    db.workflow.findMany({
      where,
      select: LIST_SELECT,
      orderBy: [{ updatedAt: 'desc' }, { id: 'asc' }],
      skip: page * size,
      take: size,
    }),
    db.workflow.count({ where }),
  ]);
  return { rows, total };
}

/** Counts per status of the workflows a filter matches (whatever status it names), and how many are stuck. */
export async function consoleCounts(
  db: Db,
  filter: WorkflowFilter,
  activeStatuses: readonly string[],
  stuckBefore: Date,
): Promise<{ byStatus: Record<string, number>; stuck: number }> {
  const { statuses: _statuses, stuckBefore: _stuck, ...rest } = filter;
  const where = consoleWhere(rest);
  const [byStatus, stuck] = await Promise.all([
    db.workflow.groupBy({ by: ['status'], where, _count: { _all: true } }),
    db.workflow.count({
      where: { AND: [where, { status: { in: [...activeStatuses] } }, { updatedAt: { lt: stuckBefore } }] },
    }),
  ]);
  return {
    byStatus: Object.fromEntries(byStatus.map((row) => [row.status, row._count._all])),
    stuck,
  };
}

/** Ids (and order ids) of the workflows a bulk operation acts on, oldest first; at most `limit`. */
export async function consoleTargets(db: Db, filter: WorkflowFilter, limit: number) {
  return db.workflow.findMany({
    where: consoleWhere(filter),
    select: { id: true, correlationId: true },
    orderBy: [{ startedAt: 'asc' }, { id: 'asc' }],
    take: limit,
  });
}

export async function countConsoleTargets(db: Db, filter: WorkflowFilter): Promise<number> {
  return db.workflow.count({ where: consoleWhere(filter) });
}

/** The webhook deliveries made for a workflow, oldest first. */
export async function deliveriesOfWorkflow(db: Db, workflowId: string) {
  return db.webhookDelivery.findMany({
    where: { workflowId },
    select: {
      id: true,
      eventType: true,
      status: true,
      attempts: true,
      lastStatusCode: true,
      lastError: true,
      createdAt: true,
      deliveredAt: true,
      subscription: { select: { url: true } },
    },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    take: 200,
  });
}

/**
 * A fingerprint of everything the console shows: it changes whenever a workflow, a dead letter, a webhook
 * delivery or a batch operation does, and when a workflow becomes stuck (nothing else changes then).
 */
export async function consoleFingerprint(
  db: Db,
  activeStatuses: readonly string[],
  stuckBefore: Date,
): Promise<string> {
  const rows = await db.$queryRawUnsafe<{ mark: string | null }[]>(
    `select concat_ws('|',
       (select concat(max(updated_at), ':', count(*), ':',
               count(*) filter (where status = any($1::text[]) and updated_at < $2)) from workflows),
       (select concat(max(coalesce(replayed_at, discarded_at, recorded_at)), ':', count(*),
               ':', count(*) filter (where status = 'PENDING')) from dead_letters),
       (select concat(max(coalesce(delivered_at, next_attempt_at)), ':', sum(attempts)) from webhook_deliveries),
       (select concat(max(coalesce(completed_at, created_at)), ':', sum(succeeded + failed)) from batch_operations)
     ) as mark`,
    [...activeStatuses],
    stuckBefore,
  );
  return rows[0]?.mark ?? '';
}

/** The same for one workflow (its row, its dead letters and its deliveries). */
export async function workflowFingerprint(db: Db, workflowId: string, orderId: string): Promise<string> {
  const rows = await db.$queryRawUnsafe<{ mark: string | null }[]>(
    `select concat_ws('|',
       (select concat(updated_at, ':', (select version from sagas where workflow_id = $1::uuid)) from workflows where id = $1::uuid),
       (select concat(count(*), ':', count(*) filter (where status = 'PENDING')) from dead_letters
          where order_id = $2 or (order_id is null and correlation_id = $2)),
       (select concat(count(*), ':', sum(attempts), ':', count(*) filter (where status = 'DELIVERED')) from webhook_deliveries where workflow_id = $1::uuid)
     ) as mark`,
    workflowId,
    orderId,
  );
  return rows[0]?.mark ?? '';
}
