/** The parts of the coordination service's documents the console reads. */

export interface WorkflowRow {
  workflowId: string;
  orderId: string;
  workflowType: string;
  status: string;
  currentStep: string | null;
  customerId: string | null;
  sagaId: string | null;
  sagaState: string | null;
  stuck: boolean;
  startedAt: string;
  updatedAt: string;
}

export interface WorkflowList {
  workflows: WorkflowRow[];
  pagination: { page: number; size: number; totalElements: number; totalPages: number };
  counts: {
    matched: number;
    byStatus: Record<string, number>;
    active: number;
    stuck: number;
    deadLettersPending: number;
  };
  stuckAfterMs: number;
}

export interface Step {
  name: string;
  status: string;
  service: string | null;
  attempts: number;
  startedAt?: string;
  completedAt?: string;
  error?: { code?: string; message?: string };
}

export interface CompensationStep {
  step: string;
  status: string;
  service: string;
  attempts: number;
  startedAt?: string;
  completedAt?: string;
  answer?: unknown;
}

export interface DeadLetter {
  id: string;
  status: string;
  originalTopic: string;
  eventName: string | null;
  error: { code: string; message: string | null };
  failedAt: string;
  consumerGroup: string | null;
  attempts: number | null;
}

export interface Delivery {
  id: string;
  eventType: string;
  url: string;
  status: string;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

export interface TimelineEntry {
  at: string;
  kind: string;
  title: string;
  step: string | null;
  outcome: string | null;
  detail: string;
  ref: string | null;
}

export interface OrderDocument {
  workflow: {
    workflowId: string;
    workflowType: string;
    status: string;
    /** The order it concerns (null for a replenishment). */
    orderId: string | null;
    /** The order, return or replenishment id that names the workflow. */
    correlationId: string;
    currentStep: string | null;
    flags: { code: string; message: string; at: string }[];
    steps: Step[];
    saga: {
      sagaId: string;
      state: string;
      trigger?: { kind: string; reason: string; step: string | null; at: string };
      compensationSteps?: CompensationStep[];
    };
    metadata: Record<string, unknown>;
    /** The saga's trace (present once an event was observed) and its page (with TRACE_URL_TEMPLATE). */
    traceId?: string;
    traceUrl?: string;
    startedAt: string;
    updatedAt: string;
  };
  saga: { state: string; compensationState: { withdrawn: unknown[] } };
  stuck: boolean;
  deadLetters: DeadLetter[];
  webhooks: Delivery[];
  timeline: TimelineEntry[];
}

export interface OperationRow {
  position: number;
  targetId: string;
  orderId: string | null;
  status: string;
  errorCode: string | null;
  message: string | null;
  settledAt: string | null;
}

export interface Operation {
  id: string;
  type: string;
  status: string;
  filter: Record<string, unknown>;
  reason: string | null;
  requestedBy: string;
  total: number;
  succeeded: number;
  failed: number;
  pending: number;
  createdAt: string;
  completedAt: string | null;
  rows?: OperationRow[];
}

export interface DryRun {
  dryRun: true;
  type: string;
  matched: number;
  maxTargets: number;
  sample: { targetId: string; orderId: string | null }[];
}

export interface Metrics {
  overview?: { totalWorkflows?: number; successRate?: number | null };
  stepPerformance: { step: string; executions: number; successRate: number | null }[];
  trends: { hourly: { hour: number; workflows: number; successRate: number | null }[] };
}
