import type { CompensationAction } from '@fv/contracts';
import type { CompensationDefinition, StepName, TriggerKind } from './template.js';

/** Instants are milliseconds since the epoch; the state is stored as JSON. */
export type Millis = number;

export interface ErrorInfo {
  code: string;
  message: string;
  details: Record<string, string>;
}

/** A step's completion or failure, from a platform event or a timeout. */
export interface StepOutcome {
  /** The event that settled the step; null for a timeout. */
  eventId: string | null;
  /** The event's name, or STEP_TIMEOUT / WORKFLOW_TIMEOUT. */
  source: string;
  at: Millis;
  result: Record<string, unknown>;
  error: ErrorInfo | null;
  /** For failures: why compensation runs (e.g. PAYMENT_FAILED, STEP_TIMEOUT). */
  reason: string | null;
}

export interface RetryRequest {
  at: Millis;
  attempt: number;
  reason: string;
  requestedBy: string | null;
  /** The StepRetryRequested event that asked the owner. */
  eventId: string;
  /** The owner was told to start afresh rather than resume (seed 001's `resetState`). */
  resetState?: boolean;
}

/**
 * A compensation that a retry of the failed step called off before it took effect: kept for the record,
 * no longer what the workflow does.
 */
export interface WithdrawnCompensation {
  trigger: Trigger;
  actions: ActionState[];
  startedAt: Millis | null;
  /** When the retry called it off. */
  at: Millis;
  /** The StepRetryRequested event of the retry. */
  retryEventId: string;
}

export interface StepFacts {
  completion: StepOutcome | null;
  failure: StepOutcome | null;
  /** Attempts that failed and that the owner retries on its own (e.g. a notification provider error). */
  failedAttempts: StepOutcome[];
  retries: RetryRequest[];
}

/** What the workflow knows of the order, from OrderCreated or from the request that started it. */
export interface OrderFacts {
  customerId: string | null;
  customerEmail: string | null;
  totalAmount: string | null;
  currency: string | null;
  priority: string | null;
  itemCount: number | null;
  shippingMethod: string | null;
  paymentMethod: string | null;
  metadata: Record<string, string>;
  /** The order's lines, for a participant asked to redo a step (absent in states stored before). */
  lines?: { productId: string; quantity: number; warehouseId: string | null }[];
  shippingAddress?: Record<string, string | null>;
}

/** A participant's event that may answer a compensation (InventoryReleased, PaymentVoided, ...). */
export interface AnswerFact {
  eventId: string;
  name: string;
  at: Millis;
  causationId: string | null;
  /** The event's scalar fields as strings, as the answer rules read them. */
  fields: Record<string, string>;
}

export interface Trigger {
  kind: TriggerKind;
  /** CompensationRequested.reason: PAYMENT_FAILED, STEP_TIMEOUT, CUSTOMER_REQUESTED, MANUAL_INTERVENTION, ... */
  reason: string;
  at: Millis;
  step: StepName | null;
  error: ErrorInfo | null;
  initiatedBy: string | null;
  details: string | null;
  eventId: string | null;
  /** Manual compensation from this step backwards (null: everything). */
  fromStep: StepName | null;
  force: boolean;
}

export interface CompensationRequest {
  eventId: string;
  attempt: number;
  round: number;
  at: Millis;
}

export interface ActionState {
  slot: CompensationDefinition['slot'];
  action: CompensationAction;
  step: StepName | null;
  critical: boolean;
  requests: CompensationRequest[];
  /** Each manual restart of a failed compensation begins a new round of attempts. */
  round: number;
  roundStartedAt: Millis;
  /** When the last attempt of the round went unanswered. */
  gaveUpAt: Millis | null;
}

/**
 * Something an operator must look at, raised instead of compensating: a critical step's failure that
 * arrived after the order had completed (its goods shipped, its payment captured), an order the order
 * service does not know.
 */
export interface WorkflowFlag {
  /** STEP_FAILED: a held step (see `StepDefinition.onFailure`) failed for good; it waits for a retry. */
  code: 'FAILURE_AFTER_COMPLETION' | 'CANCELLATION_AFTER_COMPLETION' | 'ORDER_NOT_FOUND' | 'STEP_FAILED';
  at: Millis;
  step: StepName | null;
  /** The event that raised it. */
  eventId: string | null;
  source: string;
  message: string;
}

/**
 * How far the observer has caught up, as judged when an input is applied. Timeouts and compensation
 * re-sends are judged against it, never against the wall clock alone.
 */
export interface ObserverClock {
  /**
   * Every event published on the observed topics before this instant has been applied (the consumer
   * group had no lag then); null while the observer is behind or has not caught up since it started.
   */
  observedUntil: Millis | null;
  /**
   * Since when the observer has been live and caught up without a pause: time before it (the observer
   * down or behind) does not count towards any timeout.
   */
  liveSince: Millis | null;
}

export interface WorkflowState {
  templateVersion: string;
  openedBy: string;
  /** The order's creation (OrderCreated.occurredAt) when known. */
  orderCreatedAt: Millis | null;
  /** When POST /workflows/order/start asked for the workflow. */
  requestedAt: Millis | null;
  /** Earliest occurredAt of any event that named the order. */
  firstEventAt: Millis | null;
  /**
   * When this service created the workflow. Timeouts run from here at the earliest, so a workflow
   * discovered late (an observer catching up on its topics) gets its full time before it is compensated.
   */
  observedAt: Millis;
  order: OrderFacts | null;
  /** Business references kept from the events, per the template (absent for orders and older states). */
  references?: Record<string, string>;
  /** Details given by the request that started the workflow. */
  request: (OrderFacts & { requestedBy: string | null }) | null;
  steps: Record<StepName, StepFacts>;
  answers: AnswerFact[];
  trigger: Trigger | null;
  compensationStartedAt: Millis | null;
  actions: ActionState[];
  /** Raised for an operator (absent in states stored before flags existed). */
  flags?: WorkflowFlag[];
  /** Compensations called off by a retry of the failed step (absent in states stored before retries could). */
  withdrawn?: WithdrawnCompensation[];
  /** What was already announced (events, webhooks, history), so nothing is announced twice. */
  announced: {
    steps: Partial<Record<StepName, 'SUCCESS' | 'FAILED'>>;
    failure: boolean;
    terminal: string[];
    started: StepName[];
    /** Per compensation slot: `<round>:<status>` of the last settlement announced. */
    actions: Partial<Record<CompensationDefinition['slot'], string>>;
  };
}

export const TERMINAL_WORKFLOW_STATUSES = ['COMPLETED', 'COMPENSATED', 'CANCELLED', 'FAILED'] as const;
export const ACTIVE_WORKFLOW_STATUSES = ['STARTED', 'IN_PROGRESS', 'COMPENSATING', 'CANCELLING'] as const;
export type WorkflowStatus =
  (typeof TERMINAL_WORKFLOW_STATUSES)[number] | (typeof ACTIVE_WORKFLOW_STATUSES)[number];
export type SagaStatus = 'ACTIVE' | 'COMPLETED' | 'COMPENSATING' | 'COMPENSATED' | 'COMPENSATION_FAILED';
export type StepStatus = 'PENDING' | 'IN_PROGRESS' | 'COMPLETED' | 'FAILED' | 'SKIPPED';
/** SKIPPED: not asked, because an action before it was rejected (the saga needs an operator). */
export type ActionStatus = 'PENDING' | 'IN_PROGRESS' | 'COMPENSATED' | 'FAILED' | 'SKIPPED';

export function isTerminalStatus(status: string): boolean {
  return (TERMINAL_WORKFLOW_STATUSES as readonly string[]).includes(status);
}
