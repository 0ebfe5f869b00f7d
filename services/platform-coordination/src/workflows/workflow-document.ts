import { formatIsoDuration } from '../shared/domain/iso-duration.js';
import type { WorkflowRecord } from './workflow-queries.js';
import type { ActionView } from './domain/derive.js';
import type { WorkflowState } from './domain/state.js';
import { ORDER_FULFILLMENT, type WorkflowTemplate } from './domain/template.js';

/** Average durations of recent completed steps, workflows and compensations (milliseconds). */
export interface Estimates {
  steps: Record<string, number>;
  workflow: number | null;
  compensation: number | null;
}

/** Rows of a workflow's history, as the documents read them. */
type HistoryRows = { occurredAt: Date; eventType: string; stepName: string | null; payload: unknown }[];

const iso = (date: Date | null | undefined) => (date ? date.toISOString() : null);

interface StoredAction extends Omit<ActionView, 'requestedAt' | 'lastRequestedAt' | 'settledAt'> {
  requestedAt: string | null;
  lastRequestedAt: string | null;
  settledAt: string | null;
}

export function actionsOf(record: WorkflowRecord): StoredAction[] {
  return ((record.saga?.compensationState as { actions?: StoredAction[] } | null)?.actions ??
    []) as StoredAction[];
}

export function stepDocuments(
  template: WorkflowTemplate,
  record: WorkflowRecord,
  estimates: Estimates | null,
) {
  return record.steps.map((step) => {
    const definition = template.steps.find((candidate) => candidate.name === step.stepName);
    const input = (step.input ?? {}) as { inferred?: boolean; deadline?: string | null; service?: string };
    const average = estimates?.steps[step.stepName];
    const duration =
      step.startedAt && step.completedAt
        ? formatIsoDuration(step.completedAt.getTime() - step.startedAt.getTime())
        : null;
    return {
      name: step.stepName,
      status: step.status,
      description: definition?.description ?? step.stepName,
      service: input.service ?? definition?.service ?? null,
      ...(step.startedAt ? { startedAt: iso(step.startedAt) } : {}),
      ...(step.completedAt ? { completedAt: iso(step.completedAt) } : {}),
      ...(duration ? { duration } : {}),
      ...(step.status === 'PENDING' && average !== undefined
        ? { estimatedDuration: formatIsoDuration(average) }
        : {}),
      ...(step.status === 'IN_PROGRESS' && step.startedAt && average !== undefined
        ? { estimatedCompletion: new Date(step.startedAt.getTime() + average).toISOString() }
        : {}),
      ...(step.status === 'IN_PROGRESS' && input.deadline ? { timeoutAt: input.deadline } : {}),
      attempts: step.retryCount + 1,
      ...(input.inferred ? { inferred: true } : {}),
      ...(step.output && Object.keys(step.output as object).length ? { result: step.output } : {}),
      ...(step.error ? { error: step.error } : {}),
    };
  });
}

export function progressOf(record: { steps: { status: string }[] }) {
  const completed = record.steps.filter((step) => step.status === 'COMPLETED').length;
  const total = record.steps.length;
  return {
    completedSteps: completed,
    totalSteps: total,
    percentage: total ? Math.round((completed / total) * 10_000) / 100 : 0,
  };
}

export function metadataOf(record: WorkflowRecord): Record<string, unknown> {
  return (record.metadata ?? { orderId: record.correlationId }) as Record<string, unknown>;
}

/** When the workflow should end, from the average time completed workflows of its type took (null without history). */
export function estimatedCompletion(record: WorkflowRecord, estimates: Estimates | null): string | null {
  if (record.completedAt) return iso(record.completedAt);
  if (!estimates?.workflow) return null;
  return new Date(record.startedAt.getTime() + estimates.workflow).toISOString();
}

export function sagaBlock(record: WorkflowRecord) {
  const saga = record.saga!;
  const actions = actionsOf(record);
  return {
    sagaId: saga.id,
    state: saga.status,
    version: saga.version,
    compensationPlan: actions.map((action) => action.action),
    compensationExecuted: actions
      .filter((action) => action.status === 'COMPENSATED' || action.status === 'FAILED')
      .map((action) => ({
        step: action.action,
        status: action.status,
        attempts: action.attempts,
        completedAt: action.settledAt,
        answer: action.answer,
      })),
  };
}

export function compensationSteps(template: WorkflowTemplate, actions: StoredAction[]) {
  return actions.map((action) => ({
    step: action.action,
    status: action.status,
    description:
      template.compensations.find((definition) => definition.slot === action.slot)?.description ??
      action.action,
    service: action.service,
    attempts: action.attempts,
    ...(action.requestedAt ? { startedAt: action.requestedAt } : {}),
    ...(action.settledAt ? { completedAt: action.settledAt } : {}),
    ...(action.answer ? { answer: action.answer } : {}),
  }));
}

/** What an operator must look at (a failure after the order completed, an order nobody knows). */
export function flagsOf(state: WorkflowState) {
  return (state.flags ?? []).map((flag) => ({
    code: flag.code,
    at: new Date(flag.at).toISOString(),
    step: flag.step,
    eventId: flag.eventId,
    source: flag.source,
    message: flag.message,
  }));
}

/**
 * The order a workflow concerns: its correlation key for an order's, the reference a return keeps;
 * null for a workflow about no order (a replenishment).
 */
export function orderIdOf(record: WorkflowRecord): string | null {
  if (record.workflowType === ORDER_FULFILLMENT) return record.correlationId;
  const references = (record.context as unknown as WorkflowState).references ?? {};
  return references.orderId ?? null;
}

/** A workflow's history entries, as the status and saga documents list them. */
function historyEvents(history: HistoryRows) {
  return history.map((entry) => ({
    timestamp: entry.occurredAt.toISOString(),
    event: entry.eventType,
    ...(entry.stepName ? { step: entry.stepName } : {}),
    details: String((entry.payload as { details?: unknown }).details ?? ''),
  }));
}

/** GET /workflows/{id}/status. */
export function statusDocument(
  template: WorkflowTemplate,
  record: WorkflowRecord,
  history: HistoryRows,
  estimates: Estimates | null,
) {
  const state = record.context as unknown as WorkflowState;
  return {
    workflowId: record.id,
    workflowType: record.workflowType,
    status: record.status,
    orderId: orderIdOf(record),
    correlationId: record.correlationId,
    currentStep: record.currentStep,
    openedBy: record.openedBy,
    templateVersion: record.templateVersion,
    needsAttention: (state.flags ?? []).length > 0,
    flags: flagsOf(state),
    progress: progressOf(record),
    steps: stepDocuments(template, record, estimates),
    saga: {
      ...sagaBlock(record),
      ...(state.trigger
        ? {
            trigger: {
              kind: state.trigger.kind,
              reason: state.trigger.reason,
              step: state.trigger.step,
              initiatedBy: state.trigger.initiatedBy,
              at: new Date(state.trigger.at).toISOString(),
              ...(state.trigger.error ? { error: state.trigger.error } : {}),
            },
            compensationSteps: compensationSteps(template, actionsOf(record)),
          }
        : {}),
    },
    metadata: metadataOf(record),
    events: historyEvents(history),
    estimatedCompletion: estimatedCompletion(record, estimates),
    startedAt: iso(record.startedAt),
    createdAt: iso(record.createdAt),
    updatedAt: iso(record.updatedAt),
    ...(record.completedAt
      ? {
          completedAt: iso(record.completedAt),
          duration: formatIsoDuration(record.completedAt.getTime() - record.startedAt.getTime()),
        }
      : {}),
  };
}

/** The saga's context (seed 001): the references and the facts its steps produced, the ones it has. */
function sagaContext(record: WorkflowRecord, state: WorkflowState): Record<string, unknown> {
  const order = state.order ?? state.request;
  const stepResult = (name: string) =>
    (record.steps.find((step) => step.stepName === name)?.output ?? {}) as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries({
      ...(state.references ?? {}),
      orderId: orderIdOf(record),
      customerId: order?.customerId,
      customerEmail: order?.customerEmail,
      reservationId: stepResult('INVENTORY_RESERVATION').reservationId,
      paymentId: stepResult('PAYMENT_PROCESSING').paymentId,
      // Seed 001's name for the payment's reference at the provider.
      paymentIntent: stepResult('PAYMENT_PROCESSING').paymentId,
      amount: stepResult('PAYMENT_PROCESSING').amount,
      currency: stepResult('PAYMENT_PROCESSING').currency ?? order?.currency,
      shipmentId: stepResult('SHIPPING_LABEL_CREATION').shipmentId,
      trackingId: stepResult('SHIPPING_LABEL_CREATION').trackingId,
    }).filter(([, value]) => value !== undefined && value !== null),
  );
}

/** Seed 001's form of the compensation plan: one entry per action, its condition, and parameters named after the context. */
function compensationPlanOf(template: WorkflowTemplate) {
  return template.compensations.flatMap((definition) =>
    definition.actions.map((candidate) => ({
      step: candidate.action,
      condition: candidate.condition,
      service: definition.service,
      action: candidate.action.toLowerCase(),
      description: definition.description,
      parameters: Object.fromEntries(
        Object.keys(definition.parameters).map((name) => [name, `{{context.${name}}}`]),
      ),
      ...(definition.triggers ? { triggers: definition.triggers } : {}),
    })),
  );
}

/** What the saga's compensation did: its trigger, the actions executed, pending, skipped and withdrawn, and its log. */
function compensationStateOf(template: WorkflowTemplate, record: WorkflowRecord, state: WorkflowState) {
  const saga = record.saga!;
  return {
    ...(state.trigger
      ? { trigger: { kind: state.trigger.kind, reason: state.trigger.reason, step: state.trigger.step } }
      : {}),
    executed: compensationSteps(
      template,
      actionsOf(record).filter((action) => action.status === 'COMPENSATED' || action.status === 'FAILED'),
    ),
    pending: compensationSteps(
      template,
      actionsOf(record).filter((action) => action.status === 'PENDING' || action.status === 'IN_PROGRESS'),
    ),
    // Not asked: an action before them was rejected by its owner.
    skipped: compensationSteps(
      template,
      actionsOf(record).filter((action) => action.status === 'SKIPPED'),
    ),
    // Compensations a retry of the failed step called off before they took effect.
    withdrawn: (state.withdrawn ?? []).map((entry) => ({
      trigger: { kind: entry.trigger.kind, reason: entry.trigger.reason, step: entry.trigger.step },
      requested: entry.actions.map((action) => action.action),
      withdrawnAt: new Date(entry.at).toISOString(),
    })),
    log: (saga.logs ?? []).map((log) => ({
      action: log.action,
      step: log.stepName,
      status: log.status,
      attempt: log.attempt,
      at: iso(log.executedAt),
      details: log.details,
    })),
  };
}

/** GET /sagas/{id}. */
export function sagaDocument(template: WorkflowTemplate, record: WorkflowRecord, history: HistoryRows) {
  const saga = record.saga!;
  const state = record.context as unknown as WorkflowState;
  return {
    sagaId: saga.id,
    sagaType: saga.sagaType,
    workflowId: record.id,
    orderId: orderIdOf(record),
    correlationId: record.correlationId,
    state: saga.status,
    version: saga.version,
    currentStep: record.currentStep,
    needsAttention: (state.flags ?? []).length > 0,
    flags: flagsOf(state),
    context: sagaContext(record, state),
    completedSteps: record.steps
      .filter((step) => step.status === 'COMPLETED')
      .map((step) => ({
        step: step.stepName,
        completedAt: iso(step.completedAt),
        attempts: step.retryCount + 1,
        result: step.output ?? {},
      })),
    compensationPlan: compensationPlanOf(template),
    compensationState: compensationStateOf(template, record, state),
    events: historyEvents(history),
    createdAt: iso(saga.createdAt),
    updatedAt: iso(saga.updatedAt),
  };
}
