import type { Outbox, SqlClient as Db } from '@fv/messaging';
import type { Logger } from '@fv/service-kit';
import type { HistoryEntry, LogEntry, StoredWorkflow } from './workflow-store.js';
import { formatIsoDuration } from '../shared/domain/iso-duration.js';
import type { StepView, WorkflowView } from './domain/derive.js';
import type { Reduction, WorkflowEffect } from './domain/reduce.js';
import type { OrderFacts, WorkflowState } from './domain/state.js';
import type { WorkflowTemplate } from './domain/template.js';
import type { WebhookEvent } from '../webhooks/webhook-fanout.js';

/**
 * What carrying out one stored change's effects reads, and where it collects what they produce: the
 * events it publishes go to the outbox at once (in the change's transaction); history entries,
 * compensation logs and webhook deliveries are collected and written together after the last effect.
 */
export interface EffectScope {
  tx: Db;
  outbox: Outbox;
  template: WorkflowTemplate;
  workflow: StoredWorkflow;
  reduction: Reduction;
  view: WorkflowView;
  state: WorkflowState;
  /** Business references kept from the events (a return's order id, ...). */
  references: Record<string, string>;
  /** The order the workflow concerns: its key for an order's, the reference for a return's. */
  orderId: string | null;
  /** The order's facts, from its events or from the request that started the workflow. */
  order: OrderFacts | null;
  base: { workflowId: string; workflowType: string };
  /** Meta of an event the change publishes (a fixed id when the effect names one). */
  meta(eventId?: string): { correlationId: string; causationId: string | null; traceparent: string | null };
  history: HistoryEntry[];
  logs: LogEntry[];
  hooks: WebhookEvent[];
  now: Date;
  logger: Logger;
}

type EffectOf<T extends WorkflowEffect['type']> = Extract<WorkflowEffect, { type: T }>;

/** Values as an event's string map: strings as they are, other values as JSON, null and undefined left out. */
function stringMap(values: Record<string, unknown>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    if (value === null || value === undefined) continue;
    result[key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return result;
}

function stepDuration(step: StepView): string {
  return formatIsoDuration(
    step.startedAt !== null && step.completedAt !== null ? step.completedAt - step.startedAt : 0,
  );
}

async function workflowStarted(scope: EffectScope, _effect: EffectOf<'workflow-started'>): Promise<void> {
  const {
    tx,
    outbox,
    template,
    workflow,
    view,
    state,
    orderId,
    order,
    meta,
    history,
    hooks,
    now,
    references,
    base,
  } = scope;
  const metadata = stringMap({
    ...references,
    orderId,
    customerId: order?.customerId,
    totalAmount: order?.totalAmount,
    currency: order?.currency,
    priority: order?.priority,
  });
  await outbox.publish(
    tx,
    'WorkflowStarted',
    { ...base, sagaId: workflow.sagaId, currentStep: view.currentStep, metadata },
    meta(),
  );
  history.push({
    eventType: 'WORKFLOW_STARTED',
    payload: { details: `${template.name} initiated`, openedBy: state.openedBy },
    occurredAt: now,
  });
  hooks.push({
    event: 'workflow.started',
    workflowId: workflow.id,
    timestamp: now,
    data: { ...base, metadata },
  });
}

async function stepStarted(scope: EffectScope, effect: EffectOf<'step-started'>): Promise<void> {
  const { history, now } = scope;
  history.push({
    eventType: 'STEP_STARTED',
    stepName: effect.step.name,
    payload: { details: `${effect.step.description} (${effect.step.service})` },
    occurredAt: effect.step.startedAt !== null ? new Date(effect.step.startedAt) : now,
  });
}

async function stepSettled(scope: EffectScope, effect: EffectOf<'step-settled'>): Promise<void> {
  const { tx, outbox, workflow, view, meta, history, hooks, now, base } = scope;
  const { step } = effect;
  await outbox.publish(
    tx,
    'SagaStepCompleted',
    {
      workflowId: workflow.id,
      sagaId: workflow.sagaId,
      stepName: step.name,
      status: effect.status,
      duration: stepDuration(step),
      result: stringMap(
        effect.status === 'FAILED' && step.error
          ? { ...step.result, errorCode: step.error.code }
          : step.result,
      ),
    },
    meta(),
  );
  history.push({
    eventType: effect.status === 'SUCCESS' ? 'STEP_COMPLETED' : 'STEP_FAILED',
    stepName: step.name,
    payload: {
      details:
        effect.status === 'SUCCESS'
          ? `${step.name} completed`
          : `${step.name} failed: ${step.error?.message ?? ''}`,
      result: step.result,
      ...(step.error ? { error: step.error } : {}),
    },
    occurredAt: step.completedAt !== null ? new Date(step.completedAt) : now,
  });
  if (effect.status === 'SUCCESS') {
    const next = view.currentStep;
    hooks.push({
      event: 'workflow.step.completed',
      workflowId: workflow.id,
      timestamp: now,
      data: {
        ...base,
        step: step.name,
        status: 'COMPLETED',
        completedAt: step.completedAt !== null ? new Date(step.completedAt).toISOString() : null,
        result: step.result,
        nextStep: next,
      },
    });
  }
}

async function compensationStarted(
  scope: EffectScope,
  effect: EffectOf<'compensation-started'>,
): Promise<void> {
  const { workflow, history, hooks, now, base } = scope;
  history.push({
    eventType: effect.trigger.kind === 'CANCELLATION' ? 'CANCELLATION_STARTED' : 'COMPENSATION_STARTED',
    stepName: effect.trigger.step,
    payload: {
      details: `Compensation started: ${effect.trigger.reason}`,
      trigger: effect.trigger,
      plan: effect.actions,
    },
    occurredAt: now,
  });
  if (effect.trigger.kind === 'CANCELLATION') {
    hooks.push({
      event: 'workflow.cancelled',
      workflowId: workflow.id,
      timestamp: now,
      data: {
        ...base,
        reason: effect.trigger.reason,
        initiatedBy: effect.trigger.initiatedBy,
        compensationSteps: effect.actions,
      },
    });
  }
  hooks.push({
    event: 'saga.compensating',
    workflowId: workflow.id,
    timestamp: now,
    data: {
      ...base,
      sagaId: workflow.sagaId,
      reason: effect.trigger.reason,
      compensationSteps: effect.actions,
    },
  });
}

async function workflowFailed(scope: EffectScope, effect: EffectOf<'workflow-failed'>): Promise<void> {
  const { tx, outbox, workflow, meta, hooks, now, base } = scope;
  const error = effect.trigger.error ?? {
    code: effect.trigger.reason,
    message: effect.trigger.reason,
    details: {},
  };
  await outbox.publish(
    tx,
    'WorkflowFailed',
    { ...base, failedStep: effect.trigger.step, error, compensationSteps: effect.compensationSteps },
    meta(),
  );
  hooks.push({
    event: 'workflow.failed',
    workflowId: workflow.id,
    timestamp: now,
    data: {
      ...base,
      failedStep: effect.trigger.step,
      error,
      compensationSteps: effect.compensationSteps,
    },
  });
}

async function compensationRequested(
  scope: EffectScope,
  effect: EffectOf<'compensation-requested'>,
): Promise<void> {
  const { tx, outbox, workflow, meta, history, logs, now } = scope;
  const { action } = effect;
  await outbox.publish(
    tx,
    'CompensationRequested',
    {
      sagaId: workflow.sagaId,
      workflowId: workflow.id,
      orderId: workflow.orderId,
      action: action.action,
      attempt: effect.attempt,
      reason: effect.reason,
      parameters: effect.parameters,
    },
    meta(effect.eventId),
  );
  logs.push({
    stepName: action.step ?? action.slot,
    action: action.action,
    status: 'REQUESTED',
    attempt: effect.attempt,
    details: {
      eventId: effect.eventId,
      reason: effect.reason,
      parameters: effect.parameters,
      round: action.round,
    },
  });
  history.push({
    eventType: 'COMPENSATION_REQUESTED',
    stepName: action.step,
    payload: {
      details: `${action.action} requested (attempt ${effect.attempt})`,
      eventId: effect.eventId,
    },
    occurredAt: now,
  });
}

async function compensationSettled(
  scope: EffectScope,
  effect: EffectOf<'compensation-settled'>,
): Promise<void> {
  const { history, logs, now } = scope;
  const { action } = effect;
  logs.push({
    stepName: action.step ?? action.slot,
    action: action.action,
    status: action.status === 'COMPENSATED' ? 'COMPENSATED' : 'FAILED',
    attempt: action.attempts,
    details: { answer: action.answer },
  });
  history.push({
    eventType: action.status === 'COMPENSATED' ? 'COMPENSATION_COMPLETED' : 'COMPENSATION_FAILED',
    stepName: action.step,
    payload: {
      details: `${action.action}: ${action.answer?.event ?? ''} ${action.answer?.detail ?? ''}`.trim(),
    },
    occurredAt: action.settledAt !== null ? new Date(action.settledAt) : now,
  });
}

async function stepRetryRequested(
  scope: EffectScope,
  effect: EffectOf<'step-retry-requested'>,
): Promise<void> {
  const { tx, outbox, template, workflow, state, orderId, order, meta, history, now, references } = scope;
  const definition = template.steps.find((step) => step.name === effect.step)!;
  const parents = definition.after.map((name) => state.steps[name]?.completion?.result ?? {});
  await outbox.publish(
    tx,
    'StepRetryRequested',
    {
      sagaId: workflow.sagaId,
      workflowId: workflow.id,
      orderId: orderId ?? workflow.orderId,
      stepName: effect.step,
      attempt: effect.attempt,
      reason: effect.reason,
      requestedBy: effect.requestedBy,
      // What the owner needs to redo the step without another source: the results of the steps
      // before it, and the order's lines, address and amounts (values that are not strings as JSON).
      parameters: stringMap({
        ...Object.assign({}, ...parents),
        ...references,
        customerId: order?.customerId,
        customerEmail: order?.customerEmail,
        totalAmount: order?.totalAmount,
        currency: order?.currency,
        shippingMethod: order?.shippingMethod,
        items: order?.lines,
        shippingAddress: order?.shippingAddress,
        resetState: String(effect.resetState),
      }),
    },
    meta(effect.eventId),
  );
  history.push({
    eventType: 'STEP_RETRY_REQUESTED',
    stepName: effect.step,
    payload: {
      details: `${definition.service} asked to perform ${effect.step} again (attempt ${effect.attempt})`,
    },
    occurredAt: now,
  });
}

async function flagRaised(scope: EffectScope, effect: EffectOf<'flag-raised'>): Promise<void> {
  const { workflow, history, now, logger } = scope;
  history.push({
    eventType: 'OPERATOR_ATTENTION_REQUIRED',
    stepName: effect.flag.step,
    sourceEventId: null,
    payload: { details: `${effect.flag.code}: ${effect.flag.message}`, flag: effect.flag },
    occurredAt: now,
  });
  logger.warn(
    { workflowId: workflow.id, orderId: workflow.orderId, flag: effect.flag },
    'saga needs an operator',
  );
}

async function workflowFinished(scope: EffectScope, effect: EffectOf<'workflow-finished'>): Promise<void> {
  const { tx, outbox, workflow, reduction, meta, history, hooks, now, base } = scope;
  const finished = effect.view;
  const completedSteps = finished.steps
    .filter((step) => step.status === 'COMPLETED')
    .map((step) => step.name);
  const duration = formatIsoDuration((finished.completedAt ?? now.getTime()) - finished.startedAt);
  await outbox.publish(
    tx,
    'WorkflowCompleted',
    { ...base, status: finished.status, duration, completedSteps },
    meta(),
  );
  history.push({
    eventType: `WORKFLOW_${finished.status}`,
    payload: {
      details: `Workflow ${finished.status.toLowerCase()} after ${duration}`,
      completedSteps,
    },
    occurredAt: finished.completedAt !== null ? new Date(finished.completedAt) : now,
  });
  const data = {
    ...base,
    status: finished.status,
    duration,
    completedSteps,
    sagaId: workflow.sagaId,
    sagaState: finished.sagaStatus,
  };
  if (finished.status === 'COMPLETED')
    hooks.push({ event: 'workflow.completed', workflowId: workflow.id, timestamp: now, data });
  else if (finished.status === 'FAILED') {
    // A workflow with nothing to undo fails and finishes at once: one workflow.failed hook.
    if (!reduction.effects.some((candidate) => candidate.type === 'workflow-failed'))
      hooks.push({ event: 'workflow.failed', workflowId: workflow.id, timestamp: now, data });
  } else hooks.push({ event: 'saga.compensated', workflowId: workflow.id, timestamp: now, data });
}

const EFFECTS: {
  [T in WorkflowEffect['type']]: (scope: EffectScope, effect: EffectOf<T>) => Promise<void>;
} = {
  'workflow-started': workflowStarted,
  'step-started': stepStarted,
  'step-settled': stepSettled,
  'compensation-started': compensationStarted,
  'workflow-failed': workflowFailed,
  'compensation-requested': compensationRequested,
  'compensation-settled': compensationSettled,
  'step-retry-requested': stepRetryRequested,
  'flag-raised': flagRaised,
  'workflow-finished': workflowFinished,
};

/** Carries out one effect of a stored change (see `EffectScope`). */
export function carryOutEffect(scope: EffectScope, effect: WorkflowEffect): Promise<void> {
  const apply = EFFECTS[effect.type] as (scope: EffectScope, effect: WorkflowEffect) => Promise<void>;
  return apply(scope, effect);
}
