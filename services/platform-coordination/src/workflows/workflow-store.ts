import { randomUUID } from 'node:crypto';
import type { StepView, WorkflowView } from './domain/derive.js';
import type { WorkflowState } from './domain/state.js';
import type { Prisma } from '../generated/prisma/client.js';
import type { SqlClient as Db } from '@fv/messaging';

/** A workflow as the observer works on it: its row, its saga's version, and its facts. */
export interface StoredWorkflow {
  id: string;
  sagaId: string;
  type: string;
  orderId: string;
  version: number;
  state: WorkflowState;
  createdAt: Date;
}

interface WorkflowRow {
  id: string;
  saga_id: string;
  workflow_type: string;
  correlation_id: string;
  version: number;
  context: WorkflowState;
  created_at: Date;
}

const SELECT = `select w.id, s.id as saga_id, w.workflow_type, w.correlation_id, s.version, w.context, w.created_at
  from workflows w join sagas s on s.workflow_id = w.id`;

function toStored(row: WorkflowRow | undefined): StoredWorkflow | null {
  if (!row) return null;
  return {
    id: row.id,
    sagaId: row.saga_id,
    type: row.workflow_type,
    orderId: row.correlation_id,
    version: row.version,
    state: row.context,
    createdAt: row.created_at,
  };
}

export async function loadByCorrelation(
  db: Db,
  type: string,
  orderId: string,
): Promise<StoredWorkflow | null> {
  const rows = await db.$queryRawUnsafe<WorkflowRow[]>(
    `${SELECT} where w.workflow_type = $1 and w.correlation_id = $2`,
    type,
    orderId,
  );
  return toStored(rows[0]);
}

export async function loadById(db: Db, id: string): Promise<StoredWorkflow | null> {
  const rows = await db.$queryRawUnsafe<WorkflowRow[]>(`${SELECT} where w.id = $1::uuid`, id);
  return toStored(rows[0]);
}

export async function loadBySaga(db: Db, sagaId: string): Promise<StoredWorkflow | null> {
  const rows = await db.$queryRawUnsafe<WorkflowRow[]>(`${SELECT} where s.id = $1::uuid`, sagaId);
  return toStored(rows[0]);
}

/** Whether any workflow waits for a timeout or a compensation retry at all. */
export async function anyDeadline(db: Db): Promise<boolean> {
  const rows = await db.$queryRawUnsafe<{ pending: boolean }[]>(
    'select exists (select 1 from workflows where next_deadline_at is not null) as pending',
  );
  return Boolean(rows[0]?.pending);
}

/** Workflow ids whose next timeout or compensation retry is due. */
export async function dueWorkflows(db: Db, now: Date, limit: number): Promise<{ id: string }[]> {
  return db.$queryRawUnsafe<{ id: string }[]>(
    `select id from workflows where next_deadline_at is not null and next_deadline_at <= $1 order by next_deadline_at limit $2`,
    now,
    limit,
  );
}

function date(ms: number | null): Date | null {
  return ms === null ? null : new Date(ms);
}

function metadataOf(orderId: string, state: WorkflowState): Record<string, unknown> {
  const order = state.order ?? state.request;
  // Another type's workflow (a return, a replenishment) shows the references it keeps instead.
  if (state.references) return { ...state.references };
  return {
    orderId,
    ...(order
      ? {
          customerId: order.customerId,
          customerEmail: order.customerEmail,
          totalAmount: order.totalAmount,
          currency: order.currency,
          priority: order.priority,
          itemCount: order.itemCount,
          shippingMethod: order.shippingMethod,
          ...(Object.keys(order.metadata).length ? { source: order.metadata } : {}),
        }
      : {}),
  };
}

function stepRows(workflowId: string, steps: StepView[]) {
  return steps.map((step) => ({
    workflowId,
    stepName: step.name,
    position: step.position,
    status: step.status,
    retryCount: Math.max(0, step.attempts - 1),
    input: {
      service: step.service,
      critical: step.critical,
      inferred: step.inferred,
      deadline: date(step.deadline)?.toISOString() ?? null,
    },
    output: step.result as Prisma.InputJsonValue,
    error: (step.error ?? undefined) as Prisma.InputJsonValue | undefined,
    startedAt: date(step.startedAt),
    completedAt: date(step.completedAt),
  }));
}

/** A step row as `jsonb_to_recordset` reads it. */
function rawStep(row: ReturnType<typeof stepRows>[number]) {
  return {
    step_name: row.stepName,
    position: row.position,
    status: row.status,
    retry_count: row.retryCount,
    input: row.input,
    output: row.output,
    error: row.error ?? null,
    started_at: row.startedAt?.toISOString() ?? null,
    completed_at: row.completedAt?.toISOString() ?? null,
  };
}

function sagaState(view: WorkflowView, state: WorkflowState) {
  return {
    state: {
      status: view.sagaStatus,
      currentStep: view.currentStep,
      trigger: state.trigger,
      completedSteps: view.steps.filter((step) => step.status === 'COMPLETED').map((step) => step.name),
    },
    compensationState: {
      actions: view.actions.map((action) => ({
        ...action,
        requestedAt: date(action.requestedAt)?.toISOString() ?? null,
        lastRequestedAt: date(action.lastRequestedAt)?.toISOString() ?? null,
        settledAt: date(action.settledAt)?.toISOString() ?? null,
      })),
    },
  };
}

function workflowColumns(orderId: string, state: WorkflowState, view: WorkflowView) {
  const order = state.order ?? state.request;
  return {
    status: view.status,
    currentStep: view.currentStep,
    context: state as unknown as Prisma.InputJsonValue,
    metadata: metadataOf(orderId, state) as Prisma.InputJsonValue,
    customerId: order?.customerId ?? null,
    priority: order?.priority ?? null,
    startedAt: new Date(view.startedAt),
    nextDeadlineAt: date(view.nextDeadline),
    completedAt: date(view.completedAt),
  };
}

/**
 * Stores a new workflow with its saga and steps. False when another writer created the workflow of the
 * same order first (the caller then applies its input to that one).
 */
export async function insertWorkflow(
  db: Db,
  input: {
    id: string;
    sagaId: string;
    type: string;
    sagaType: string;
    orderId: string;
    templateVersion: string;
    openedBy: string;
  },
  state: WorkflowState,
  view: WorkflowView,
  now: Date,
  traceId: string | null = null,
): Promise<boolean> {
  const columns = workflowColumns(input.orderId, state, view);
  const saga = sagaState(view, state);
  // One statement: the workflow (unless the order has one already), and with it its saga and steps.
  const rows = await db.$queryRawUnsafe<{ inserted: number }[]>(
    `with workflow as (
       insert into workflows (id, workflow_type, correlation_id, status, current_step, context, metadata, template_version,
         opened_by, customer_id, priority, started_at, next_deadline_at, created_at, updated_at, completed_at)
       values ($1::uuid, $2, $3, $4, $5, $6::jsonb,
         $7::jsonb || jsonb_strip_nulls(jsonb_build_object('traceId', $24::text)),
         $8, $9, $10, $11, $12, $13, $14, $14, $15)
       on conflict (workflow_type, correlation_id) do nothing
       returning id
     ), saga as (
       insert into sagas (id, saga_type, workflow_id, status, state, compensation_state, version, compensation_started_at,
         compensation_ended_at, created_at, updated_at)
       select $16::uuid, $17, workflow.id, $18, $19::jsonb, $20::jsonb, 1, $21, $22, $14, $14 from workflow
     ), steps as (
       insert into workflow_steps (id, workflow_id, step_name, position, status, retry_count, input, output, error,
         started_at, completed_at)
       select v.id, workflow.id, v.step_name, v.position, v.status, v.retry_count, v.input, v.output, v.error,
              v.started_at, v.completed_at
         from workflow, jsonb_to_recordset($23::jsonb) as v(id uuid, step_name text, position int, status text,
              retry_count int, input jsonb, output jsonb, error jsonb, started_at timestamptz, completed_at timestamptz)
     )
     select count(*)::int as inserted from workflow`,
    input.id,
    input.type,
    input.orderId,
    columns.status,
    columns.currentStep,
    JSON.stringify(columns.context),
    JSON.stringify(columns.metadata),
    input.templateVersion,
    input.openedBy,
    columns.customerId,
    columns.priority,
    columns.startedAt,
    columns.nextDeadlineAt,
    now,
    columns.completedAt,
    input.sagaId,
    input.sagaType,
    view.sagaStatus,
    JSON.stringify(saga.state),
    JSON.stringify(saga.compensationState),
    date(state.compensationStartedAt),
    date(view.compensationEndedAt),
    JSON.stringify(stepRows(input.id, view.steps).map((row) => ({ id: randomUUID(), ...rawStep(row) }))),
    traceId,
  );
  return Number(rows[0]?.inserted ?? 0) > 0;
}

/**
 * Moves a workflow's next deadline without changing its state (the observer's clock put it later than
 * the stored state alone says), unless another writer changed the saga meanwhile.
 */
export async function moveNextDeadline(
  db: Db,
  stored: StoredWorkflow,
  nextDeadline: number | null,
): Promise<void> {
  await db.$executeRawUnsafe(
    `update workflows w set next_deadline_at = $3 from sagas s
     where w.id = $1::uuid and s.workflow_id = w.id and s.version = $2`,
    stored.id,
    stored.version,
    date(nextDeadline),
  );
}

/**
 * Stores a workflow's new state if its saga is still at `expectedVersion` (compare-and-set). False when
 * another writer got there first: nothing was written and the caller starts again from the stored state.
 * The workflow keeps the trace it has (`metadata.traceId`, the first applied event's); one without takes
 * `traceId`.
 */
export async function saveWorkflow(
  db: Db,
  stored: StoredWorkflow,
  state: WorkflowState,
  view: WorkflowView,
  previous: WorkflowView,
  now: Date,
  traceId: string | null = null,
): Promise<boolean> {
  const saga = sagaState(view, state);
  const columns = workflowColumns(stored.orderId, state, view);
  const changed = stepRows(stored.id, view.steps).filter(
    (_row, index) => JSON.stringify(view.steps[index]) !== JSON.stringify(previous.steps[index]),
  );
  // One statement: the saga's compare-and-set, and only if it took, the workflow and its changed steps.
  const rows = await db.$queryRawUnsafe<{ saved: number }[]>(
    `with saga as (
       update sagas set version = version + 1, status = $3, state = $4::jsonb, compensation_state = $5::jsonb,
         compensation_started_at = $6, compensation_ended_at = $7, updated_at = $8
       where id = $1::uuid and version = $2
       returning workflow_id
     ), workflow as (
       update workflows w set status = $9, current_step = $10, context = $11::jsonb,
         metadata = $12::jsonb
           || jsonb_strip_nulls(jsonb_build_object('traceId', coalesce(w.metadata->'traceId', to_jsonb($19::text)))),
         customer_id = $13, priority = $14, started_at = $15, next_deadline_at = $16, completed_at = $17, updated_at = $8
       from saga where w.id = saga.workflow_id
     ), steps as (
       update workflow_steps s set status = v.status, retry_count = v.retry_count, input = v.input, output = v.output,
         error = v.error, started_at = v.started_at, completed_at = v.completed_at
       from saga, jsonb_to_recordset($18::jsonb) as v(step_name text, status text, retry_count int, input jsonb,
            output jsonb, error jsonb, started_at timestamptz, completed_at timestamptz)
       where s.workflow_id = saga.workflow_id and s.step_name = v.step_name
     )
     select count(*)::int as saved from saga`,
    stored.sagaId,
    stored.version,
    view.sagaStatus,
    JSON.stringify(saga.state),
    JSON.stringify(saga.compensationState),
    date(state.compensationStartedAt),
    date(view.compensationEndedAt),
    now,
    columns.status,
    columns.currentStep,
    JSON.stringify(columns.context),
    JSON.stringify(columns.metadata),
    columns.customerId,
    columns.priority,
    columns.startedAt,
    columns.nextDeadlineAt,
    columns.completedAt,
    JSON.stringify(changed.map(rawStep)),
    traceId,
  );
  return Number(rows[0]?.saved ?? 0) > 0;
}

export interface HistoryEntry {
  eventType: string;
  stepName?: string | null;
  sourceEventId?: string | null;
  payload: Record<string, unknown>;
  occurredAt: Date;
}

const HISTORY_INSERT = `insert into workflow_events (id, workflow_id, event_type, step_name, source_event_id, payload, occurred_at, created_at)
  select v.id, $1::uuid, v.event_type, v.step_name, v.source_event_id, v.payload, v.occurred_at, now()
    from jsonb_to_recordset($2::jsonb) as v(id uuid, event_type text, step_name text, source_event_id uuid, payload jsonb,
         occurred_at timestamptz)`;

function historyRows(entries: HistoryEntry[]): string {
  return JSON.stringify(
    entries.map((entry) => ({
      id: randomUUID(),
      event_type: entry.eventType,
      step_name: entry.stepName ?? null,
      source_event_id: entry.sourceEventId ?? null,
      payload: entry.payload,
      occurred_at: entry.occurredAt.toISOString(),
    })),
  );
}

export async function appendHistory(db: Db, workflowId: string, entries: HistoryEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await db.$executeRawUnsafe(HISTORY_INSERT, workflowId, historyRows(entries));
}

export interface LogEntry {
  stepName: string;
  action: string;
  status: 'REQUESTED' | 'COMPENSATED' | 'FAILED';
  attempt: number;
  details: Record<string, unknown>;
}

const LOG_INSERT = `insert into compensation_logs (id, saga_id, step_name, action, status, attempt, details, executed_at)
  select v.id, $3::uuid, v.step_name, v.action, v.status, v.attempt, v.details, $5
    from jsonb_to_recordset($4::jsonb) as v(id uuid, step_name text, action text, status text, attempt int, details jsonb)`;

/** A workflow's history entries and its saga's compensation log entries, in one statement. */
export async function appendRecords(
  db: Db,
  workflow: { id: string; sagaId: string },
  history: HistoryEntry[],
  logs: LogEntry[],
  now: Date,
): Promise<void> {
  if (logs.length === 0) return appendHistory(db, workflow.id, history);
  await db.$executeRawUnsafe(
    `with history as (${HISTORY_INSERT}) ${LOG_INSERT}`,
    workflow.id,
    historyRows(history),
    workflow.sagaId,
    JSON.stringify(
      logs.map((entry) => ({
        id: randomUUID(),
        step_name: entry.stepName,
        action: entry.action,
        status: entry.status,
        attempt: entry.attempt,
        details: entry.details,
      })),
    ),
    now,
  );
}
