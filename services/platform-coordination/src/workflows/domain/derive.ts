import type {
  ActionState,
  ActionStatus,
  AnswerFact,
  Millis,
  ObserverClock,
  SagaStatus,
  StepFacts,
  StepOutcome,
  StepStatus,
  WorkflowState,
  WorkflowStatus,
} from './state.js';
import {
  executionOrder,
  type AnswerRule,
  type CompensationDefinition,
  type StepDefinition,
  type StepName,
  type WorkflowTemplate,
} from './template.js';

export function emptyStepFacts(): StepFacts {
  return { completion: null, failure: null, failedAttempts: [], retries: [] };
}

export function emptyState(template: WorkflowTemplate, openedBy: string, observedAt: Millis): WorkflowState {
  return {
    templateVersion: template.version,
    openedBy,
    observedAt,
    orderCreatedAt: null,
    requestedAt: null,
    firstEventAt: null,
    order: null,
    request: null,
    steps: Object.fromEntries(template.steps.map((step) => [step.name, emptyStepFacts()])),
    answers: [],
    trigger: null,
    compensationStartedAt: null,
    actions: [],
    flags: [],
    announced: { steps: {}, failure: false, terminal: [], started: [], actions: {} },
  };
}

/** The earlier of two outcomes (by time, then event id), so the same events give the same result in any order. */
export function earlier(a: StepOutcome | null, b: StepOutcome): StepOutcome {
  if (!a) return b;
  if (b.at !== a.at) return b.at < a.at ? b : a;
  return (b.eventId ?? '') < (a.eventId ?? '') ? b : a;
}

export interface StepView {
  name: StepName;
  position: number;
  description: string;
  service: string;
  critical: boolean;
  status: StepStatus;
  startedAt: Millis | null;
  completedAt: Millis | null;
  result: Record<string, unknown>;
  error: StepOutcome['error'];
  /** Completed as implied by a later step's event; its own event has not been seen (yet). */
  inferred: boolean;
  attempts: number;
  /** Instant the step fails at if it is still in progress (its timeout), when it has one. */
  deadline: Millis | null;
}

function descendants(template: WorkflowTemplate): Map<StepName, Set<StepName>> {
  const result = new Map<StepName, Set<StepName>>();
  const childrenOf = (name: StepName) => template.steps.filter((step) => step.after.includes(name));
  for (const step of template.steps) {
    const seen = new Set<StepName>();
    const stack = childrenOf(step.name);
    while (stack.length) {
      const next = stack.pop()!;
      if (seen.has(next.name)) continue;
      seen.add(next.name);
      stack.push(...childrenOf(next.name));
    }
    result.set(step.name, seen);
  }
  return result;
}

const descendantsCache = new WeakMap<WorkflowTemplate, Map<StepName, Set<StepName>>>();
function descendantsOf(template: WorkflowTemplate, name: StepName): Set<StepName> {
  let map = descendantsCache.get(template);
  if (!map) {
    map = descendants(template);
    descendantsCache.set(template, map);
  }
  return map.get(name)!;
}

/** A failure that still counts: not one from before the owner was asked to retry the step. */
export function effectiveFailure(facts: StepFacts): StepOutcome | null {
  const failure = facts.failure;
  if (!failure) return null;
  const lastRetry = facts.retries.at(-1);
  return lastRetry && failure.at <= lastRetry.at ? null : failure;
}

/** A step's facts (empty for a step a state stored before the template gained it does not have). */
export function factsOf(state: WorkflowState, name: StepName): StepFacts {
  return (state.steps[name] ??= emptyStepFacts());
}

/** The step's work was done: its own event said so, or an event of a step that follows it did. */
export function stepDone(template: WorkflowTemplate, state: WorkflowState, name: StepName): boolean {
  if (factsOf(state, name).completion) return true;
  for (const later of descendantsOf(template, name)) {
    const facts = factsOf(state, later);
    if (facts.completion?.eventId || facts.failure?.eventId || facts.failedAttempts.length) return true;
  }
  return false;
}

/**
 * The order went through: every critical step's work was done (OrderCompleted observed, or implied).
 * From then on nothing is compensated on its own: a failure that arrives later is flagged for an operator.
 */
export function orderCompleted(template: WorkflowTemplate, state: WorkflowState): boolean {
  return template.steps.filter((step) => step.critical).every((step) => stepDone(template, state, step.name));
}

/** When the workflow began: the earliest of the order's creation, the request and the first event. */
export function workflowStartedAt(state: WorkflowState): Millis {
  const candidates = [state.orderCreatedAt, state.requestedAt, state.firstEventAt].filter(
    (value): value is number => value !== null,
  );
  return candidates.length ? Math.min(...candidates) : 0;
}

function stepTimeoutBase(
  facts: StepFacts,
  startedAt: Millis | null,
  observedAt: Millis,
  liveSince: Millis | null,
): Millis | null {
  if (startedAt === null) return null;
  return Math.max(startedAt, observedAt, facts.retries.at(-1)?.at ?? startedAt, liveSince ?? startedAt);
}

/** Every step's status, derived from the facts alone (so the order they arrived in does not matter). */
export function deriveSteps(
  template: WorkflowTemplate,
  state: WorkflowState,
  liveSince: Millis | null = null,
): StepView[] {
  const views = new Map<StepName, StepView>();
  const finishedByCompensation = state.trigger !== null;
  for (const definition of executionOrder(template)) {
    const facts = factsOf(state, definition.name);
    const failure = effectiveFailure(facts);
    const done = stepDone(template, state, definition.name);
    const parents = definition.after.map((name) => views.get(name)!);
    const parentsDone = parents.every((parent) => parent.status === 'COMPLETED');
    let startedAt: Millis | null;
    if (parents.length === 0) startedAt = workflowStartedAt(state);
    else if (parents.some((parent) => parent.completedAt === null)) startedAt = null;
    else startedAt = Math.max(...parents.map((parent) => parent.completedAt!));

    let status: StepStatus;
    if (definition.critical) {
      status = failure ? 'FAILED' : done ? 'COMPLETED' : parentsDone ? 'IN_PROGRESS' : 'PENDING';
    } else {
      status = facts.completion ? 'COMPLETED' : failure ? 'FAILED' : parentsDone ? 'IN_PROGRESS' : 'PENDING';
    }
    if (finishedByCompensation && (status === 'IN_PROGRESS' || status === 'PENDING')) status = 'SKIPPED';
    const base = stepTimeoutBase(facts, startedAt, state.observedAt, liveSince);
    const completedAt =
      status === 'COMPLETED' ? (facts.completion?.at ?? null) : status === 'FAILED' ? failure!.at : null;
    views.set(definition.name, {
      name: definition.name,
      position: template.steps.indexOf(definition),
      description: definition.description,
      service: definition.service,
      critical: definition.critical,
      status,
      startedAt:
        status === 'PENDING' || status === 'SKIPPED'
          ? status === 'SKIPPED' && parentsDone
            ? startedAt
            : null
          : startedAt,
      completedAt,
      result: { ...(facts.completion?.result ?? {}), ...(status === 'FAILED' ? failure!.result : {}) },
      error: status === 'FAILED' ? failure!.error : (facts.failedAttempts.at(-1)?.error ?? null),
      inferred: status === 'COMPLETED' && facts.completion === null,
      attempts:
        1 +
        facts.retries.length +
        (status === 'IN_PROGRESS' || status === 'COMPLETED' ? facts.failedAttempts.length : 0),
      deadline:
        status === 'IN_PROGRESS' && definition.timeoutMs !== null && base !== null
          ? base + definition.timeoutMs
          : null,
    });
  }
  return template.steps.map((step) => views.get(step.name)!);
}

function ruleMatches(rule: AnswerRule, answer: AnswerFact): boolean {
  if (rule.event !== answer.name) return false;
  if (rule.where) {
    const value = answer.fields[rule.where.field];
    if (value === undefined || !rule.where.in.includes(value)) return false;
  }
  return true;
}

function settlesUnrequested(rule: AnswerRule, answer: AnswerFact): boolean {
  const setting = rule.settlesUnrequested;
  if (typeof setting === 'boolean') return setting;
  const value = answer.fields[setting.field] ?? '';
  return 'in' in setting ? setting.in.includes(value) : !setting.notIn.includes(value);
}

function outcomeOf(rule: AnswerRule, answer: AnswerFact): 'COMPENSATED' | 'FAILED' {
  if (
    rule.outcomeField &&
    rule.outcomeField.failedWhen.includes(answer.fields[rule.outcomeField.field] ?? '')
  ) {
    return 'FAILED';
  }
  return rule.outcome;
}

export interface ActionView {
  slot: CompensationDefinition['slot'];
  action: ActionState['action'];
  step: StepName | null;
  service: string;
  description: string;
  critical: boolean;
  status: ActionStatus;
  attempts: number;
  requestedAt: Millis | null;
  lastRequestedAt: Millis | null;
  settledAt: Millis | null;
  /** When an unanswered request is asked again (or given up), judged on the observer's clock. */
  retryDueAt: Millis | null;
  /** The answer that settled it, or NO_ANSWER when the retries ran out. */
  answer: {
    event: string;
    eventId: string | null;
    outcome: 'COMPENSATED' | 'FAILED';
    detail: string | null;
  } | null;
}

export function definitionOf(
  template: WorkflowTemplate,
  slot: CompensationDefinition['slot'],
): CompensationDefinition {
  const definition = template.compensations.find((candidate) => candidate.slot === slot);
  if (!definition) throw new Error(`template ${template.templateId} has no compensation slot ${slot}`);
  return definition;
}

/**
 * The answers that settle an action in its current round: the first (by time, then event id) that says
 * it was compensated, and the first that says it failed. An answer counts when it answers one of the
 * round's requests, or when its rule lets it settle the action unasked; a failure unasked counts only
 * in the first round or from the round's start.
 */
function settlingAnswers(
  definition: CompensationDefinition,
  state: WorkflowState,
  action: ActionState,
  requested: Set<string>,
): { compensated: AnswerFact | null; failed: AnswerFact | null } {
  let compensated: AnswerFact | null = null;
  let failed: AnswerFact | null = null;
  for (const answer of state.answers) {
    const rule = definition.answeredBy.find((candidate) => ruleMatches(candidate, answer));
    if (!rule) continue;
    const solicited = answer.causationId !== null && requested.has(answer.causationId);
    if (!solicited && !settlesUnrequested(rule, answer)) continue;
    const outcome = outcomeOf(rule, answer);
    if (outcome === 'COMPENSATED') {
      if (
        !compensated ||
        answer.at < compensated.at ||
        (answer.at === compensated.at && answer.eventId < compensated.eventId)
      )
        compensated = answer;
    } else if (solicited || action.round === 1 || answer.at >= action.roundStartedAt) {
      if (!failed || answer.at < failed.at || (answer.at === failed.at && answer.eventId < failed.eventId))
        failed = answer;
    }
  }
  return { compensated, failed };
}

/** What an answer says, for the operator: a CompensationOutcome's outcome, reason and detail; else the event's outcome, error or reason. */
function answerDetail(answer: AnswerFact): string | null {
  if (answer.name === 'CompensationOutcome') {
    const { outcome, reasonCode, detail: text } = answer.fields;
    return [[outcome, reasonCode].filter(Boolean).join(' '), text].filter(Boolean).join(': ') || null;
  }
  return answer.fields.outcome ?? answer.fields.errorCode ?? answer.fields.reason ?? null;
}

/** A compensation's status: answered (by a reply to one of our requests, or by the participant on its own), waiting, or given up. */
export function actionView(
  template: WorkflowTemplate,
  state: WorkflowState,
  action: ActionState,
  liveSince: Millis | null = null,
): ActionView {
  const definition = definitionOf(template, action.slot);
  const roundRequests = action.requests.filter((request) => request.round === action.round);
  const requested = new Set(roundRequests.map((request) => request.eventId));
  const { compensated, failed } = settlingAnswers(definition, state, action, requested);
  const base = {
    slot: action.slot,
    action: action.action,
    step: action.step,
    service: definition.service,
    description: definition.description,
    critical: action.critical,
    attempts: roundRequests.length,
    requestedAt: action.requests[0]?.at ?? null,
    lastRequestedAt: roundRequests.at(-1)?.at ?? null,
    retryDueAt: null,
  };
  if (compensated) {
    return {
      ...base,
      status: 'COMPENSATED',
      settledAt: compensated.at,
      answer: {
        event: compensated.name,
        eventId: compensated.eventId,
        outcome: 'COMPENSATED',
        detail: answerDetail(compensated),
      },
    };
  }
  if (failed) {
    return {
      ...base,
      status: 'FAILED',
      settledAt: failed.at,
      answer: {
        event: failed.name,
        eventId: failed.eventId,
        outcome: 'FAILED',
        detail: answerDetail(failed),
      },
    };
  }
  if (action.gaveUpAt !== null) {
    return {
      ...base,
      status: 'FAILED',
      settledAt: action.gaveUpAt,
      answer: {
        event: 'NO_ANSWER',
        eventId: null,
        outcome: 'FAILED',
        detail: `no answer after ${roundRequests.length} attempts`,
      },
    };
  }
  const last = roundRequests.at(-1);
  return {
    ...base,
    status: last ? 'IN_PROGRESS' : 'PENDING',
    settledAt: null,
    answer: null,
    retryDueAt: last
      ? Math.max(last.at, liveSince ?? last.at) +
        compensationWait(template.compensationPolicy, roundRequests.length)
      : null,
  };
}

/**
 * How long the `attempts`-th request of a compensation waits for its answer before it is asked again
 * (or given up): the timeout, times the backoff multiplier per earlier attempt, capped.
 */
export function compensationWait(policy: WorkflowTemplate['compensationPolicy'], attempts: number): Millis {
  const wait = policy.timeoutMs * policy.backoffMultiplier ** Math.max(0, attempts - 1);
  return Math.min(Math.max(policy.timeoutMs, policy.maxIntervalMs), wait);
}

/**
 * A critical compensation its owner refused (a shipment already dispatched, an order already completed)
 * stops the compensation: undoing the rest would be wrong (a refund for goods on their way), so the
 * actions after it are skipped and the saga waits for an operator.
 */
export function rejectedAction(views: ActionView[]): ActionView | null {
  return (
    views.find(
      (view) =>
        view.critical && view.status === 'FAILED' && view.answer !== null && view.answer.eventId !== null,
    ) ?? null
  );
}

/** The actions' views, with those that will not be asked (after a rejection) shown SKIPPED. */
export function actionViews(
  template: WorkflowTemplate,
  state: WorkflowState,
  liveSince: Millis | null = null,
): ActionView[] {
  const views = state.actions.map((action) => actionView(template, state, action, liveSince));
  if (!rejectedAction(views)) return views;
  return views.map((view) => (view.status === 'PENDING' ? { ...view, status: 'SKIPPED' } : view));
}

export interface WorkflowView {
  status: WorkflowStatus;
  sagaStatus: SagaStatus;
  currentStep: StepName | null;
  startedAt: Millis;
  completedAt: Millis | null;
  steps: StepView[];
  actions: ActionView[];
  compensationEndedAt: Millis | null;
  /** Earliest instant something is due: a step or workflow timeout, or a compensation's answer. */
  nextDeadline: Millis | null;
}

/** The workflow as a whole: status, saga status, current step, and what it waits for. */
export function deriveWorkflow(
  template: WorkflowTemplate,
  state: WorkflowState,
  clock: ObserverClock | null = null,
): WorkflowView {
  const liveSince = clock?.liveSince ?? null;
  const steps = deriveSteps(template, state, liveSince);
  const actions = actionViews(template, state, liveSince);
  const startedAt = workflowStartedAt(state);
  const ordered = executionOrder(template).map((definition) =>
    steps.find((step) => step.name === definition.name)!,
  );
  const currentStep = ordered.find((step) => step.status === 'IN_PROGRESS')?.name ?? null;
  let status: WorkflowStatus;
  let sagaStatus: SagaStatus;
  let completedAt: Millis | null = null;
  let compensationEndedAt: Millis | null = null;
  const deadlines: Millis[] = [];

  if (state.trigger) {
    const settled = actions.every(
      (action) =>
        action.status === 'COMPENSATED' || action.status === 'FAILED' || action.status === 'SKIPPED',
    );
    const succeeded = actions.every((action) => action.status === 'COMPENSATED' || !action.critical);
    if (settled) {
      compensationEndedAt = Math.max(
        state.compensationStartedAt ?? 0,
        ...actions.map((action) => action.settledAt ?? 0),
      );
      completedAt = compensationEndedAt;
      sagaStatus = succeeded ? 'COMPENSATED' : 'COMPENSATION_FAILED';
      // A template with nothing to undo (no compensation at all) just fails.
      const nothingToUndo = template.compensations.length === 0 && state.trigger.kind !== 'CANCELLATION';
      status =
        !succeeded || nothingToUndo
          ? 'FAILED'
          : state.trigger.kind === 'CANCELLATION'
            ? 'CANCELLED'
            : 'COMPENSATED';
    } else {
      sagaStatus = 'COMPENSATING';
      status = state.trigger.kind === 'CANCELLATION' ? 'CANCELLING' : 'COMPENSATING';
      const inFlight = actions.find((action) => action.status === 'IN_PROGRESS');
      if (inFlight?.retryDueAt != null) deadlines.push(inFlight.retryDueAt);
    }
  } else {
    const finished = steps.every(
      (step) => step.status === 'COMPLETED' || (step.status === 'FAILED' && !step.critical),
    );
    if (finished) {
      status = 'COMPLETED';
      sagaStatus = 'COMPLETED';
      const ends = steps.map((step) => step.completedAt).filter((value): value is number => value !== null);
      completedAt = ends.length ? Math.max(...ends) : startedAt;
    } else {
      status = steps.some((step) => step.status === 'COMPLETED') ? 'IN_PROGRESS' : 'STARTED';
      sagaStatus = 'ACTIVE';
      // Once the order went through, nothing is due: no timeout fires on a completed order; nor while a
      // held step that failed waits for an operator.
      if (!orderCompleted(template, state) && !heldFailure(template, steps))
        deadlines.push(workflowDeadline(template, state, liveSince));
      for (const step of steps) if (step.deadline !== null) deadlines.push(step.deadline);
    }
  }
  return {
    status,
    sagaStatus,
    currentStep,
    startedAt,
    completedAt,
    steps,
    actions,
    compensationEndedAt,
    nextDeadline: deadlines.length ? Math.min(...deadlines) : null,
  };
}

/** A critical step whose failure holds the workflow for an operator (rather than compensating it) failed. */
export function heldFailure(template: WorkflowTemplate, steps: StepView[]): StepView | null {
  return (
    steps.find(
      (step) => step.status === 'FAILED' && stepDefinition(template, step.name).onFailure === 'HOLD',
    ) ?? null
  );
}

/** When the whole workflow times out: its timeout from its start, or from when this service first saw it. */
export function workflowDeadline(
  template: WorkflowTemplate,
  state: WorkflowState,
  liveSince: Millis | null = null,
): Millis {
  // A retried step gives the workflow its full time again, from the retry.
  const lastRetry = Math.max(0, ...Object.values(state.steps).map((facts) => facts.retries.at(-1)?.at ?? 0));
  return Math.max(workflowStartedAt(state), state.observedAt, liveSince ?? 0, lastRetry) + template.timeoutMs;
}

export function stepDefinition(template: WorkflowTemplate, name: StepName): StepDefinition {
  return template.steps.find((step) => step.name === name)!;
}
