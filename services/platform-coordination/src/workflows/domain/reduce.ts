import { planCompensation } from './compensation-plan.js';
import {
  actionView,
  definitionOf,
  deriveSteps,
  deriveWorkflow,
  earlier,
  effectiveFailure,
  emptyState,
  factsOf,
  heldFailure,
  stepDefinition,
  stepDone,
  orderCompleted,
  rejectedAction,
  workflowDeadline,
  workflowStartedAt,
  type ActionView,
  type StepView,
  type WorkflowView,
} from './derive.js';
import type { Observation } from './event-facts.js';
import type {
  ActionState,
  Millis,
  ObserverClock,
  OrderFacts,
  StepOutcome,
  Trigger,
  WorkflowFlag,
  WorkflowState,
} from './state.js';
import { formatIsoDuration } from '../../shared/domain/iso-duration.js';
import { executionOrder, type StepName, type WorkflowTemplate } from './template.js';

export type WorkflowInput =
  | { kind: 'event'; observation: Observation }
  | { kind: 'start'; at: Millis; order: OrderFacts; requestedBy: string | null }
  | {
      kind: 'cancel';
      at: Millis;
      reason: string;
      initiatedBy: string;
      details: string | null;
      force: boolean;
    }
  | {
      kind: 'compensate';
      at: Millis;
      reason: string;
      fromStep: StepName | null;
      initiatedBy: string | null;
      force: boolean;
    }
  | {
      kind: 'retry';
      at: Millis;
      step: StepName;
      reason: string;
      requestedBy: string | null;
      eventId: string;
      resetState?: boolean;
    }
  | { kind: 'tick'; at: Millis };

export type WorkflowEffect =
  | { type: 'workflow-started' }
  | { type: 'step-started'; step: StepView }
  | { type: 'step-settled'; step: StepView; status: 'SUCCESS' | 'FAILED' }
  | { type: 'compensation-started'; trigger: Trigger; actions: string[] }
  | { type: 'workflow-failed'; trigger: Trigger; compensationSteps: string[] }
  | {
      type: 'compensation-requested';
      action: ActionState;
      attempt: number;
      eventId: string;
      reason: string;
      parameters: Record<string, string>;
    }
  | { type: 'compensation-settled'; action: ActionView }
  | {
      type: 'step-retry-requested';
      step: StepName;
      attempt: number;
      eventId: string;
      reason: string;
      requestedBy: string | null;
      resetState: boolean;
    }
  | { type: 'workflow-finished'; view: WorkflowView }
  | { type: 'flag-raised'; flag: WorkflowFlag };

export interface ReduceContext {
  template: WorkflowTemplate;
  /** Wall-clock time, stamped on what this change records. */
  now: Millis;
  newId(): string;
  /**
   * How far the observer has caught up: timeouts and compensation re-sends are judged against it. Absent:
   * the observer counts as caught up at `now` (a single process with nothing behind it).
   */
  clock?: ObserverClock;
}

export interface Reduction {
  state: WorkflowState;
  view: WorkflowView;
  effects: WorkflowEffect[];
  /** False when the input changed nothing (a duplicate, or a tick with nothing due). */
  changed: boolean;
}

function minOf(a: Millis | null, b: Millis): Millis {
  return a === null ? b : Math.min(a, b);
}

function raise(state: WorkflowState, flag: WorkflowFlag, effects: WorkflowEffect[]): void {
  const flags = (state.flags ??= []);
  if (flags.some((existing) => existing.code === flag.code && existing.eventId === flag.eventId)) return;
  flags.push(flag);
  effects.push({ type: 'flag-raised', flag });
}

function applyObservation(
  template: WorkflowTemplate,
  state: WorkflowState,
  observation: Observation,
  effects: WorkflowEffect[],
): void {
  const completedBefore = orderCompleted(template, state);
  state.firstEventAt = minOf(state.firstEventAt, observation.at);
  if (observation.order) {
    state.order = observation.order;
    state.orderCreatedAt = minOf(state.orderCreatedAt, observation.at);
  }
  if (Object.keys(observation.references).length)
    state.references = { ...observation.references, ...state.references };
  const steps = [...observation.steps];
  const failing = observation.workflowFailure && !state.trigger ? currentStep(template, state) : null;
  if (failing) steps.push({ step: failing, kind: 'failed', outcome: observation.workflowFailure! });
  for (const { step, kind, outcome } of steps) {
    const facts = factsOf(state, step);
    const critical = stepDefinition(template, step).critical;
    if (kind === 'failed' && critical && completedBefore) {
      // The order went through already (shipped, paid): a failure now is for an operator to look at,
      // never a reason to cancel or refund it.
      raise(
        state,
        {
          code: 'FAILURE_AFTER_COMPLETION',
          at: outcome.at,
          step,
          eventId: outcome.eventId,
          source: outcome.source,
          message:
            `${outcome.source} arrived after the order completed: ${outcome.error?.message ?? ''}`.trim(),
        },
        effects,
      );
      continue;
    }
    if (kind === 'completed') facts.completion = earlier(facts.completion, outcome);
    else if (kind === 'failed') facts.failure = earlier(facts.failure, outcome);
    else if (!facts.failedAttempts.some((attempt) => attempt.eventId === outcome.eventId)) {
      facts.failedAttempts.push(outcome);
      facts.failedAttempts.sort((a, b) => a.at - b.at || (a.eventId ?? '').localeCompare(b.eventId ?? ''));
    }
  }
  if (observation.answer && !state.answers.some((answer) => answer.eventId === observation.answer!.eventId)) {
    state.answers.push(observation.answer);
    state.answers.sort((a, b) => a.at - b.at || a.eventId.localeCompare(b.eventId));
  }
}

/**
 * Where the workflow stands, for an event that fails it as a whole: the first critical step not done
 * (the last one when all are, so that a failure after completion is flagged rather than compensated).
 */
function currentStep(template: WorkflowTemplate, state: WorkflowState): StepName | null {
  const critical = executionOrder(template).filter((step) => step.critical);
  const open = critical.find((step) => !stepDone(template, state, step.name));
  return (open ?? critical.at(-1))?.name ?? null;
}

/** A held step that failed for good is flagged for an operator (once per failure). */
function flagHeldFailures(template: WorkflowTemplate, state: WorkflowState, effects: WorkflowEffect[]): void {
  for (const definition of template.steps) {
    if (definition.onFailure !== 'HOLD') continue;
    const failure = effectiveFailure(factsOf(state, definition.name));
    if (!failure) continue;
    if ((state.flags ?? []).some((flag) => flag.code === 'STEP_FAILED' && flag.step === definition.name))
      continue;
    raise(
      state,
      {
        code: 'STEP_FAILED',
        at: failure.at,
        step: definition.name,
        eventId: failure.eventId,
        source: failure.source,
        message: `${definition.name} failed for good (${failure.error?.message ?? failure.source}); retry it once the cause is fixed`,
      },
      effects,
    );
  }
}

function timeout(
  step: StepName,
  at: Millis,
  code: 'STEP_TIMEOUT' | 'WORKFLOW_TIMEOUT',
  limitMs: number,
): StepOutcome {
  return {
    eventId: null,
    source: code,
    at,
    result: {},
    error: {
      code,
      message:
        code === 'STEP_TIMEOUT'
          ? `${step} did not finish within ${formatIsoDuration(limitMs)}`
          : `the workflow did not finish within ${formatIsoDuration(limitMs)}; ${step} was still open`,
      details: { timeout: formatIsoDuration(limitMs) },
    },
    reason: 'STEP_TIMEOUT',
  };
}

/**
 * Steps past their timeout fail; past the workflow's timeout, the first open step fails (or, if only
 * non-critical steps are open, they do). Judged on the observer's clock: only while it is caught up
 * (an event that settles the step may be waiting in a topic behind), against how far it has observed,
 * and counting only the time it has been live. Never once the order went through.
 */
function applyTimeouts(template: WorkflowTemplate, state: WorkflowState, clock: ObserverClock): void {
  if (state.trigger) return;
  const now = clock.observedUntil;
  if (now === null) return;
  if (orderCompleted(template, state)) return;
  const view = deriveWorkflow(template, state, clock);
  if (view.status === 'COMPLETED') return;
  // A held step's failure waits for an operator: nothing else times out meanwhile.
  if (heldFailure(template, view.steps)) return;
  for (const step of view.steps) {
    if (step.critical && step.deadline !== null && step.deadline <= now) {
      const limit = template.steps.find((definition) => definition.name === step.name)!.timeoutMs!;
      factsOf(state, step.name).failure = earlier(
        factsOf(state, step.name).failure,
        timeout(step.name, step.deadline, 'STEP_TIMEOUT', limit),
      );
    }
  }
  const deadline = workflowDeadline(template, state, clock.liveSince);
  if (deadline > now) return;
  const steps = deriveSteps(template, state, clock.liveSince);
  const open = executionOrder(template)
    .map((definition) => steps.find((step) => step.name === definition.name)!)
    .filter((step) => step.status === 'IN_PROGRESS' || step.status === 'PENDING');
  const critical = open.find((step) => step.critical);
  const failing = critical ? [critical] : open;
  for (const step of failing) {
    factsOf(state, step.name).failure = earlier(
      factsOf(state, step.name).failure,
      timeout(step.name, deadline, 'WORKFLOW_TIMEOUT', template.timeoutMs),
    );
  }
}

/** The earliest critical failure, as what compensation runs for. */
function failureTrigger(template: WorkflowTemplate, state: WorkflowState): Trigger | null {
  let first: { step: StepName; failure: StepOutcome } | null = null;
  for (const definition of template.steps) {
    // A held step's failure waits for an operator's retry instead.
    if (!definition.critical || definition.onFailure === 'HOLD') continue;
    const failure = effectiveFailure(factsOf(state, definition.name));
    if (!failure) continue;
    if (
      !first ||
      failure.at < first.failure.at ||
      (failure.at === first.failure.at && (failure.eventId ?? '') < (first.failure.eventId ?? ''))
    )
      first = { step: definition.name, failure };
  }
  if (!first) return null;
  const isTimeout = first.failure.eventId === null;
  return {
    kind: isTimeout ? 'TIMEOUT' : 'FAILURE',
    reason: first.failure.reason ?? (isTimeout ? 'STEP_TIMEOUT' : `${first.step}_FAILED`),
    at: first.failure.at,
    step: first.step,
    error: first.failure.error,
    initiatedBy: 'SYSTEM',
    details: first.failure.error?.message ?? null,
    eventId: first.failure.eventId,
    fromStep: null,
    force: false,
  };
}

function resolve(state: WorkflowState, path: string): string | null {
  const [root, ...rest] = path.split('.');
  let value: unknown;
  if (root === 'order') value = (state.order ?? state.request) as unknown;
  else if (root === 'steps') {
    const [step, key] = rest;
    value = state.steps[step as StepName]?.completion?.result[key!];
    return value === undefined || value === null ? null : String(value);
  } else return null;
  for (const key of rest)
    value = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  return value === undefined || value === null ? null : String(value);
}

function parametersFor(
  template: WorkflowTemplate,
  state: WorkflowState,
  action: ActionState,
): Record<string, string> {
  const definition = definitionOf(template, action.slot);
  const parameters: Record<string, string> = {};
  for (const [name, path] of Object.entries(definition.parameters)) {
    const value = resolve(state, path);
    if (value !== null) parameters[name] = value;
  }
  return parameters;
}

/** Adds the compensations that now apply (a step that completed late is undone too), in the order they run. */
function ensureActions(ctx: ReduceContext, state: WorkflowState): void {
  const { template, now } = ctx;
  for (const planned of planCompensation(template, state)) {
    if (state.actions.some((action) => action.slot === planned.slot)) continue;
    state.actions.push({ ...planned, requests: [], round: 1, roundStartedAt: now, gaveUpAt: null });
  }
  const rank = (slot: ActionState['slot']) =>
    template.compensations.findIndex((definition) => definition.slot === slot);
  state.actions.sort((a, b) => rank(a.slot) - rank(b.slot));
}

/** Asks for the compensations one at a time, in order, retrying one not answered in time and giving up after the last retry. */
function scheduleCompensation(
  ctx: ReduceContext,
  clock: ObserverClock,
  state: WorkflowState,
  effects: WorkflowEffect[],
): void {
  const { template, now } = ctx;
  const trigger = state.trigger;
  if (!trigger) return;
  ensureActions(ctx, state);
  const { maxRetries } = template.compensationPolicy;
  const request = (action: ActionState, attempt: number) => {
    const eventId = ctx.newId();
    action.requests.push({ eventId, attempt, round: action.round, at: now });
    effects.push({
      type: 'compensation-requested',
      action,
      attempt,
      eventId,
      reason: trigger.reason,
      parameters: parametersFor(template, state, action),
    });
  };
  for (;;) {
    const views = state.actions.map((action) => ({
      action,
      view: actionView(template, state, action, clock.liveSince),
    }));
    // A rejected critical action stops the compensation until an operator starts a new round.
    if (rejectedAction(views.map((entry) => entry.view))) return;
    const inFlight = views.find((entry) => entry.view.status === 'IN_PROGRESS');
    if (inFlight) {
      // Its answer may be waiting in a topic the observer has not read yet: judged on the observer's clock.
      if (clock.observedUntil === null || inFlight.view.retryDueAt! > clock.observedUntil) return;
      if (inFlight.view.attempts <= maxRetries) {
        request(inFlight.action, inFlight.view.attempts + 1);
        return;
      }
      inFlight.action.gaveUpAt = now;
      continue;
    }
    const next = views.find((entry) => entry.view.status === 'PENDING');
    if (!next) return;
    request(next.action, 1);
    return;
  }
}

function announce(
  template: WorkflowTemplate,
  state: WorkflowState,
  view: WorkflowView,
  effects: WorkflowEffect[],
): void {
  for (const step of executionOrder(template).map((definition) =>
    view.steps.find((s) => s.name === definition.name)!,
  )) {
    if (step.status === 'IN_PROGRESS' && !state.announced.started.includes(step.name)) {
      state.announced.started.push(step.name);
      effects.push({ type: 'step-started', step });
    }
    const settled =
      step.status === 'COMPLETED' && !step.inferred ? 'SUCCESS' : step.status === 'FAILED' ? 'FAILED' : null;
    if (settled && state.announced.steps[step.name] !== settled) {
      state.announced.steps[step.name] = settled;
      effects.push({ type: 'step-settled', step, status: settled });
    }
  }
  for (const action of view.actions) {
    if (action.status !== 'COMPENSATED' && action.status !== 'FAILED') continue;
    const stateAction = state.actions.find((candidate) => candidate.slot === action.slot)!;
    const key = `${stateAction.round}:${action.status}`;
    if (state.announced.actions[action.slot] === key) continue;
    state.announced.actions[action.slot] = key;
    effects.push({ type: 'compensation-settled', action });
  }
  const terminal = ['COMPLETED', 'COMPENSATED', 'CANCELLED', 'FAILED'].includes(view.status);
  if (terminal && !state.announced.terminal.includes(view.status)) {
    state.announced.terminal.push(view.status);
    effects.push({ type: 'workflow-finished', view });
  }
}

/**
 * Applies one input (a platform event, a request, or the passing of time) to a workflow and returns the
 * new state, its view, and what must be announced or asked for. Pure: the caller stores the state and
 * carries out the effects in one transaction.
 */
export function reduceWorkflow(
  ctx: ReduceContext,
  current: WorkflowState | null,
  input: WorkflowInput,
  openedBy = 'REQUEST',
): Reduction {
  const { template, now } = ctx;
  const clock: ObserverClock = ctx.clock ?? { observedUntil: now, liveSince: null };
  const effects: WorkflowEffect[] = [];
  const created = current === null;
  // States are JSON (stored as jsonb): the text that tells whether anything changed is also the copy.
  const before = created ? null : JSON.stringify(current);
  const state: WorkflowState = before === null ? emptyState(template, openedBy, now) : JSON.parse(before);
  state.flags ??= [];
  const wasCompleted = !created && deriveWorkflow(template, state).status === 'COMPLETED';
  const orderWentThrough = orderCompleted(template, state);
  if (created) effects.push({ type: 'workflow-started' });

  const requestedTrigger = applyInput(ctx, state, input, orderWentThrough, effects);

  applyTimeouts(template, state, clock);
  flagHeldFailures(template, state, effects);
  startCompensation(ctx, state, input, wasCompleted, requestedTrigger, effects);
  scheduleCompensation(ctx, clock, state, effects);
  const view = deriveWorkflow(template, state, clock);
  announce(template, state, view, effects);
  const changed = created || JSON.stringify(state) !== before;
  return { state, view, effects, changed };
}

/** Applies the input itself; returns the compensation it asks for (a cancellation, an operator's), if any. */
function applyInput(
  ctx: ReduceContext,
  state: WorkflowState,
  input: WorkflowInput,
  orderWentThrough: boolean,
  effects: WorkflowEffect[],
): Trigger | null {
  let requestedTrigger: Trigger | null = null;
  switch (input.kind) {
    case 'event':
      requestedTrigger = applyEvent(ctx.template, state, input.observation, orderWentThrough, effects);
      break;
    case 'start':
      state.requestedAt = minOf(state.requestedAt, input.at);
      state.request = { ...input.order, requestedBy: input.requestedBy };
      break;
    case 'cancel':
      requestedTrigger = {
        kind: 'CANCELLATION',
        reason: input.reason,
        at: input.at,
        step: null,
        error: null,
        initiatedBy: input.initiatedBy,
        details: input.details,
        eventId: null,
        fromStep: null,
        force: input.force,
      };
      break;
    case 'compensate':
      requestedTrigger = applyCompensate(ctx, state, input);
      break;
    case 'retry':
      applyRetry(state, input, effects);
      break;
    case 'tick':
      break;
  }
  return requestedTrigger;
}

/**
 * A platform event: its facts recorded; a cancellation it carries asks for compensation, unless the order
 * already went through (then it is flagged, and nothing is compensated).
 */
function applyEvent(
  template: WorkflowTemplate,
  state: WorkflowState,
  observation: Observation,
  orderWentThrough: boolean,
  effects: WorkflowEffect[],
): Trigger | null {
  applyObservation(template, state, observation, effects);
  noteUnknownOrder(state, observation, effects);
  if (observation.cancellation && orderWentThrough && !state.trigger) {
    raise(
      state,
      {
        code: 'CANCELLATION_AFTER_COMPLETION',
        at: observation.at,
        step: null,
        eventId: observation.eventId,
        source: observation.name,
        message: `${observation.name} arrived after the order completed; nothing is compensated`,
      },
      effects,
    );
  } else if (observation.cancellation) {
    const { reason, initiatedBy, details } = observation.cancellation;
    return {
      kind: 'CANCELLATION',
      reason,
      at: observation.at,
      step: null,
      error: null,
      initiatedBy,
      details,
      eventId: observation.eventId,
      fromStep: null,
      force: false,
    };
  }
  return null;
}

/**
 * An operator's request to compensate: the trigger of a new compensation, or, when one already ran and
 * failed, a new round for the actions that failed (and no new trigger).
 */
function applyCompensate(
  ctx: ReduceContext,
  state: WorkflowState,
  input: Extract<WorkflowInput, { kind: 'compensate' }>,
): Trigger | null {
  const { template, now } = ctx;
  if (state.trigger) {
    // Compensation ran and failed: start a new round for what failed.
    for (const action of state.actions) {
      if (actionView(template, state, action).status === 'FAILED') {
        action.round += 1;
        action.roundStartedAt = now;
        action.gaveUpAt = null;
      }
    }
    return null;
  }
  return {
    kind: 'MANUAL',
    reason: input.reason,
    at: input.at,
    step: null,
    error: { code: input.reason, message: 'compensation requested by an operator', details: {} },
    initiatedBy: input.initiatedBy,
    details: null,
    eventId: null,
    fromStep: input.fromStep,
    force: input.force,
  };
}

/** An operator's retry of a step: recorded as the step's next attempt, and asked of its owner. */
function applyRetry(
  state: WorkflowState,
  input: Extract<WorkflowInput, { kind: 'retry' }>,
  effects: WorkflowEffect[],
): void {
  const facts = factsOf(state, input.step);
  // The operator took the held step's failure in hand: no longer flagged (the history keeps it). The
  // flags are there: `reduceWorkflow` sets them before it applies the input.
  state.flags = state.flags!.filter((flag) => flag.code !== 'STEP_FAILED' || flag.step !== input.step);
  const attempt = 2 + facts.retries.length;
  const resetState = input.resetState ?? false;
  if (state.trigger && state.trigger.step === input.step && state.trigger.kind !== 'CANCELLATION')
    withdrawCompensation(state, input.at, input.eventId);
  // The step is announced again: started once more, and settled by what this attempt brings.
  delete state.announced.steps[input.step];
  state.announced.started = state.announced.started.filter((name) => name !== input.step);
  // Starting afresh: the attempts that failed before are history, not the step's current error.
  if (resetState) facts.failedAttempts = [];
  facts.retries.push({
    // Never before the failure it answers, whatever the skew between the clocks that stamped them.
    at: Math.max(input.at, facts.failure?.at ?? 0, facts.failedAttempts.at(-1)?.at ?? 0),
    attempt,
    reason: input.reason,
    requestedBy: input.requestedBy,
    eventId: input.eventId,
    ...(resetState ? { resetState } : {}),
  });
  effects.push({
    type: 'step-retry-requested',
    step: input.step,
    attempt,
    eventId: input.eventId,
    reason: input.reason,
    requestedBy: input.requestedBy,
    resetState,
  });
}

/**
 * Starts the compensation a failed step (or else the input) calls for: not while one runs, and not for a
 * completed workflow unless an operator asked.
 */
function startCompensation(
  ctx: ReduceContext,
  state: WorkflowState,
  input: WorkflowInput,
  wasCompleted: boolean,
  requestedTrigger: Trigger | null,
  effects: WorkflowEffect[],
): void {
  const { template, now } = ctx;
  if (!state.trigger && (!wasCompleted || input.kind === 'compensate')) {
    const trigger = failureTrigger(template, state) ?? requestedTrigger;
    if (trigger && (input.kind === 'compensate' || deriveWorkflow(template, state).status !== 'COMPLETED')) {
      state.trigger = trigger;
      state.compensationStartedAt = now;
      ensureActions(ctx, state);
      const actions = state.actions.map((action) => action.action);
      // A template with nothing to undo fails at once (see `deriveWorkflow`).
      if (template.compensations.length > 0) effects.push({ type: 'compensation-started', trigger, actions });
      if (trigger.kind !== 'CANCELLATION') {
        state.announced.failure = true;
        effects.push({ type: 'workflow-failed', trigger, compensationSteps: actions });
      }
    }
  }
}

/**
 * A retry of the step whose failure started the compensation calls the compensation off: the caller
 * (the workflow service) has checked that nothing of it took effect, so the workflow goes on as if the
 * step had not failed yet. The requests already sent stay in the record; an answer to one of them that
 * did undo something (the order cancelled) starts a compensation of its own.
 */
function withdrawCompensation(state: WorkflowState, at: Millis, retryEventId: string): void {
  const trigger = state.trigger!;
  (state.withdrawn ??= []).push({
    trigger,
    actions: state.actions,
    startedAt: state.compensationStartedAt,
    at,
    retryEventId,
  });
  state.trigger = null;
  state.actions = [];
  state.compensationStartedAt = null;
  state.announced.failure = false;
  state.announced.terminal = [];
  state.announced.actions = {};
}

/**
 * The order service does not know the order (CANCEL_ORDER answered NOT_APPLICABLE, ORDER_NOT_FOUND) and
 * no OrderCreated was ever seen: the workflow followed events about an order that never existed. The
 * compensation still ends (the other owners answer too), and the workflow is flagged.
 */
function noteUnknownOrder(state: WorkflowState, observation: Observation, effects: WorkflowEffect[]): void {
  const answer = observation.answer;
  if (!answer || answer.name !== 'CompensationOutcome' || state.order !== null) return;
  if (answer.fields.action !== 'CANCEL_ORDER' || answer.fields.reasonCode !== 'ORDER_NOT_FOUND') return;
  raise(
    state,
    {
      code: 'ORDER_NOT_FOUND',
      at: answer.at,
      step: null,
      eventId: answer.eventId,
      source: answer.name,
      message: `the order service does not know order ${observation.key}, and no OrderCreated was seen`,
    },
    effects,
  );
}

export { workflowStartedAt };
