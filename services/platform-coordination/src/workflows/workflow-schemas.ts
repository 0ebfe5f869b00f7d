import type { FastifyInstance } from 'fastify';

/**
 * The documents of the workflow and saga API (seed 001), as shared schemas. They are the single
 * description of those answers: fastify serialises with them, the OpenAPI document names them under
 * `components/schemas`, and the TypeScript SDK (`@firstviscount/coordination-sdk`) generates its types
 * from that document. Every object admits more fields than it lists (`additionalProperties`), so a
 * field added to a document is never dropped on the way out.
 */

const open = <P extends Record<string, unknown>>(properties: P, required: readonly string[] = []) =>
  ({ type: 'object', additionalProperties: true, required, properties }) as const;

const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const num = { type: 'number' } as const;
const bool = { type: 'boolean' } as const;
const date = { type: 'string', format: 'date-time' } as const;
const nullableStr = { type: 'string', nullable: true } as const;
const nullableNum = { type: 'number', nullable: true } as const;
const nullableDate = { type: 'string', format: 'date-time', nullable: true } as const;
const anyObject = { type: 'object', additionalProperties: true } as const;
const strings = { type: 'array', items: str } as const;
const duration = { type: 'string', description: 'ISO 8601 duration, e.g. PT2M30S' } as const;
const nullableDuration = { ...duration, nullable: true } as const;

const workflowStatus = {
  type: 'string',
  enum: [
    'STARTED',
    'IN_PROGRESS',
    'COMPENSATING',
    'CANCELLING',
    'COMPLETED',
    'COMPENSATED',
    'CANCELLED',
    'FAILED',
  ],
} as const;
const sagaState = {
  type: 'string',
  enum: ['ACTIVE', 'COMPLETED', 'COMPENSATING', 'COMPENSATED', 'COMPENSATION_FAILED'],
} as const;
const stepStatus = {
  type: 'string',
  enum: ['PENDING', 'IN_PROGRESS', 'COMPLETED', 'FAILED', 'SKIPPED'],
} as const;

const errorInfo = open({ code: str, message: str, details: anyObject });

export const WorkflowStep = {
  $id: 'WorkflowStep',
  ...open(
    {
      name: str,
      status: stepStatus,
      description: str,
      service: nullableStr,
      startedAt: date,
      completedAt: date,
      duration,
      estimatedDuration: duration,
      estimatedCompletion: date,
      timeoutAt: date,
      attempts: int,
      inferred: bool,
      result: anyObject,
      error: errorInfo,
    },
    ['name', 'status', 'description', 'attempts'],
  ),
} as const;

const compensationStep = open(
  {
    step: str,
    status: {
      type: 'string',
      enum: ['PENDING', 'IN_PROGRESS', 'COMPENSATED', 'FAILED', 'SKIPPED', 'NOT_APPLICABLE'],
    },
    description: str,
    service: str,
    attempts: int,
    startedAt: date,
    completedAt: date,
    answer: anyObject,
  },
  ['step', 'status'],
);

const workflowMetadata = open({
  orderId: nullableStr,
  customerId: nullableStr,
  totalAmount: nullableNum,
  currency: nullableStr,
  priority: nullableStr,
});

const flag = open({
  code: str,
  at: date,
  step: nullableStr,
  eventId: nullableStr,
  source: str,
  message: str,
});
const historyEntry = open({ timestamp: date, event: str, step: str, details: str }, ['timestamp', 'event']);

export const WorkflowStarted = {
  $id: 'WorkflowStarted',
  description: 'POST /workflows/order/start: the workflow with its steps and compensation plan',
  ...open(
    {
      workflowId: str,
      workflowType: str,
      status: workflowStatus,
      orderId: str,
      customerId: nullableStr,
      currentStep: nullableStr,
      estimatedCompletion: nullableDate,
      steps: { type: 'array', items: { $ref: 'WorkflowStep#' } },
      saga: open({ sagaId: str, state: sagaState, compensationPlan: strings }, ['sagaId', 'state']),
      timeline: open({ started: date, lastUpdate: date }),
      createdAt: date,
    },
    ['workflowId', 'workflowType', 'status', 'orderId', 'steps', 'saga', 'createdAt'],
  ),
} as const;

export const WorkflowStatus = {
  $id: 'WorkflowStatus',
  description: 'GET /workflows/{workflowId}/status',
  ...open(
    {
      workflowId: str,
      workflowType: str,
      status: workflowStatus,
      /** The order the workflow concerns (null for a replenishment). */
      orderId: nullableStr,
      /** What names the workflow among its type's: the order, return or replenishment id. */
      correlationId: str,
      currentStep: nullableStr,
      openedBy: str,
      templateVersion: str,
      needsAttention: bool,
      flags: { type: 'array', items: flag },
      progress: open({ completedSteps: int, totalSteps: int, percentage: num }),
      steps: { type: 'array', items: { $ref: 'WorkflowStep#' } },
      saga: open(
        {
          sagaId: str,
          state: sagaState,
          version: int,
          compensationPlan: strings,
          compensationExecuted: { type: 'array', items: anyObject },
          trigger: anyObject,
          compensationSteps: { type: 'array', items: compensationStep },
        },
        ['sagaId', 'state'],
      ),
      metadata: workflowMetadata,
      /** The trace of the first event the observer applied for the workflow (W3C trace id). */
      traceId: str,
      /** The trace's page (TRACE_URL_TEMPLATE); absent without a template. */
      traceUrl: str,
      events: { type: 'array', items: historyEntry },
      estimatedCompletion: nullableDate,
      startedAt: date,
      createdAt: date,
      updatedAt: date,
      completedAt: date,
      duration,
    },
    ['workflowId', 'workflowType', 'status', 'progress', 'steps', 'saga', 'metadata', 'events'],
  ),
} as const;

export const WorkflowCancellation = {
  $id: 'WorkflowCancellation',
  description: 'POST /workflows/{workflowId}/cancel (202)',
  ...open(
    {
      workflowId: str,
      status: workflowStatus,
      cancelledAt: date,
      reason: str,
      reasonDetails: nullableStr,
      saga: open(
        { sagaId: str, state: sagaState, compensationSteps: { type: 'array', items: compensationStep } },
        ['sagaId', 'state', 'compensationSteps'],
      ),
      estimatedCompensationTime: nullableDuration,
      refund: open({ eligible: bool, amount: nullableNum, currency: nullableStr, method: nullableStr }),
    },
    ['workflowId', 'status', 'reason', 'saga'],
  ),
} as const;

export const WorkflowRetry = {
  $id: 'WorkflowRetry',
  description: 'POST /workflows/{workflowId}/retry',
  ...open(
    {
      workflowId: str,
      status: workflowStatus,
      retryAttempt: int,
      resumedAt: date,
      currentStep: str,
      resetState: bool,
    },
    ['workflowId', 'status', 'retryAttempt', 'resumedAt', 'currentStep'],
  ),
} as const;

const pagination = open({ page: int, size: int, totalElements: int, totalPages: int }, [
  'page',
  'size',
  'totalElements',
  'totalPages',
]);
const counts = { type: 'object', additionalProperties: int } as const;

export const ActiveWorkflows = {
  $id: 'ActiveWorkflows',
  description: 'GET /workflows/active',
  ...open(
    {
      workflows: {
        type: 'array',
        items: open({
          workflowId: str,
          workflowType: str,
          status: workflowStatus,
          orderId: nullableStr,
          correlationId: str,
          currentStep: nullableStr,
          progress: num,
          startedAt: date,
          updatedAt: date,
          estimatedCompletion: nullableDate,
          metadata: workflowMetadata,
        }),
      },
      summary: open({
        totalActive: int,
        byType: counts,
        byStatus: counts,
        averageExecutionTime: nullableDuration,
      }),
      pagination,
    },
    ['workflows', 'summary', 'pagination'],
  ),
} as const;

const outcomeFigures = (totalField: 'total' | 'totalWorkflows') =>
  open({
    [totalField]: int,
    completed: int,
    failed: int,
    cancelled: int,
    successRate: nullableNum,
    averageExecutionTime: nullableDuration,
  });

const trend = open({ workflows: int, successRate: nullableNum, averageTime: nullableDuration });

export const WorkflowMetrics = {
  $id: 'WorkflowMetrics',
  description: 'GET /workflows/metrics',
  ...open(
    {
      period: open({ name: str, start: date, end: date, description: str }),
      overview: outcomeFigures('totalWorkflows'),
      workflowTypes: { type: 'object', additionalProperties: outcomeFigures('total') },
      stepPerformance: {
        type: 'array',
        items: open({
          step: str,
          executions: int,
          averageExecutionTime: nullableDuration,
          successRate: nullableNum,
          commonFailures: strings,
        }),
      },
      compensation: open({
        totalCompensations: int,
        successful: int,
        failed: int,
        inProgress: int,
        averageCompensationTime: nullableDuration,
        mostCommonReasons: { type: 'array', items: open({ reason: str, count: int }) },
      }),
      trends: open({
        daily: { type: 'array', items: { ...trend, properties: { ...trend.properties, date: str } } },
        hourly: { type: 'array', items: { ...trend, properties: { ...trend.properties, hour: int } } },
      }),
      previousPeriod: open({ period: anyObject, overview: outcomeFigures('totalWorkflows') }),
    },
    ['period', 'overview', 'workflowTypes', 'stepPerformance', 'compensation', 'trends'],
  ),
} as const;

export const SagaDetails = {
  $id: 'SagaDetails',
  description: 'GET /sagas/{sagaId}',
  ...open(
    {
      sagaId: str,
      sagaType: str,
      workflowId: str,
      orderId: nullableStr,
      correlationId: str,
      state: sagaState,
      version: int,
      currentStep: nullableStr,
      needsAttention: bool,
      flags: { type: 'array', items: flag },
      context: open({
        orderId: str,
        customerId: str,
        reservationId: str,
        paymentId: str,
        paymentIntent: str,
        shipmentId: str,
        trackingId: str,
      }),
      completedSteps: {
        type: 'array',
        items: open({ step: str, completedAt: nullableDate, attempts: int, result: anyObject }),
      },
      compensationPlan: {
        type: 'array',
        items: open({
          step: str,
          condition: str,
          service: str,
          action: str,
          description: str,
          parameters: { type: 'object', additionalProperties: str },
        }),
      },
      compensationState: open({
        executed: { type: 'array', items: compensationStep },
        pending: { type: 'array', items: compensationStep },
        skipped: { type: 'array', items: compensationStep },
        withdrawn: {
          type: 'array',
          items: open({ trigger: anyObject, requested: { type: 'array', items: str }, withdrawnAt: date }),
        },
        log: { type: 'array', items: anyObject },
      }),
      events: { type: 'array', items: historyEntry },
      createdAt: date,
      updatedAt: date,
    },
    [
      'sagaId',
      'sagaType',
      'workflowId',
      'state',
      'version',
      'context',
      'compensationPlan',
      'compensationState',
    ],
  ),
} as const;

export const SagaCompensation = {
  $id: 'SagaCompensation',
  description: 'POST /sagas/{sagaId}/compensate (202)',
  ...open(
    {
      sagaId: str,
      state: sagaState,
      compensationId: nullableStr,
      compensationSteps: { type: 'array', items: compensationStep },
      estimatedCompletionTime: nullableDuration,
    },
    ['sagaId', 'state', 'compensationSteps'],
  ),
} as const;

export const WorkflowTemplates = {
  $id: 'WorkflowTemplates',
  description: 'GET /workflow-templates',
  ...open(
    {
      templates: {
        type: 'array',
        items: open({
          templateId: str,
          name: str,
          type: str,
          version: str,
          description: str,
          steps: {
            type: 'array',
            items: open({ name: str, service: str, timeout: nullableDuration, retryPolicy: anyObject }),
          },
          compensationSteps: {
            type: 'array',
            items: open({ name: str, service: str, condition: str }),
          },
          active: bool,
          usage: open({ lastMonth: int, successRate: nullableNum }),
        }),
      },
    },
    ['templates'],
  ),
} as const;

const SHARED = [
  WorkflowStep,
  WorkflowStarted,
  WorkflowStatus,
  WorkflowCancellation,
  WorkflowRetry,
  ActiveWorkflows,
  WorkflowMetrics,
  SagaDetails,
  SagaCompensation,
  WorkflowTemplates,
];

/** Adds the documents as shared schemas (once per app). */
export function addWorkflowSchemas(app: FastifyInstance): void {
  for (const schema of SHARED) if (!app.getSchema(schema.$id)) app.addSchema(schema);
}

export const ref = (id: (typeof SHARED)[number]['$id']) => ({ $ref: `${id}#` }) as const;
