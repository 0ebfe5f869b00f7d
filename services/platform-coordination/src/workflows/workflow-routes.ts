import {
  amountInput,
  labelsInput,
  orderInputProperties,
  orderLineProperties,
  orderLinesInput,
  ORDER_PRIORITIES,
  textInput as text,
  type OrderInputLimits,
} from '@fv/contracts/order-request';
import {
  insufficientPermissions,
  requirePrincipal,
  type Principal,
  withSchemaTypes,
  type SchemaTypedApp,
} from '@fv/service-kit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { idPattern, parseId } from '../shared/domain/ids.js';
import { ACTIVE_WORKFLOW_STATUSES } from './domain/state.js';
import { ALL_STEP_NAMES } from './domain/templates/index.js';
import { coordinationError } from '../shared/errors.js';
import type { WorkflowService } from './workflow-service.js';
import { PERIODS, SORT_FIELDS, type WorkflowReports } from './workflow-reports.js';
import { presentDocument, presentErrorIds } from '../http/presenter.js';
import { errorResponses, pagingQuery } from '../http/schemas.js';
import { addWorkflowSchemas, ref } from './workflow-schemas.js';
import { PLATFORM_SERVICES, WORKFLOW_COMMANDERS } from '../http/callers.js';

const TAGS = ['workflows'];
/** The order service's widest limits: what it refuses beyond them, it refuses when the order is handed on. */
const OPEN_ORDER_LIMITS: OrderInputLimits = { maxLines: 100, maxQuantityPerLine: 10_000 };

const workflowParams = {
  type: 'object',
  required: ['id'],
  properties: {
    id: {
      type: 'string',
      pattern: idPattern(['wf', 'ord', 'ret']),
      description:
        'Workflow id, or the id of what it follows: an order, a return or a replenishment (wf-/ord-/ret- prefixes accepted)',
    },
  },
} as const;

/**
 * The body of POST /workflows/order/start: the order as the order service takes it (the same schema
 * parts), with the customer and one payment method required, `price` taken for `unitPrice` (seed 000)
 * and the shipping method optional. The order service's own limits (currencies, quantities) are
 * checked when the order is handed on.
 */
const orderInput = orderInputProperties(OPEN_ORDER_LIMITS);
export const startBody = {
  type: 'object',
  required: ['customerId', 'items', 'paymentMethod', 'shippingAddress'],
  additionalProperties: false,
  properties: {
    ...orderInput,
    orderId: {
      type: 'string',
      pattern: idPattern(['ord']),
      description:
        "The order id (seed 001). An order the order service already has is followed (it must be the caller's); " +
        'otherwise the order is placed under this id. Omitted: the order service chooses the id',
    },
    currency: {
      ...orderInput.currency,
      description:
        'Order currency; else paymentMethod.currency; else USD (the currency of every seed example)',
    },
    items: orderLinesInput(OPEN_ORDER_LIMITS, {
      ...orderLineProperties(OPEN_ORDER_LIMITS),
      price: { ...amountInput, description: 'Another name for unitPrice (seed 000 writes price)' },
    }),
    shippingMethod: {
      ...orderInput.shippingMethod,
      description: 'STANDARD when omitted (seed 000 sends none)',
    },
  },
} as const;

/** The filters, page and sort of GET /workflows/active. */
export const activeQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    type: { type: 'string', pattern: '^[A-Z][A-Z_]{1,99}$' },
    status: { type: 'string', enum: [...ACTIVE_WORKFLOW_STATUSES] },
    customerId: { type: 'string', pattern: idPattern(['cust']) },
    priority: { type: 'string', enum: [...ORDER_PRIORITIES] },
    ...pagingQuery,
    sort: {
      type: 'string',
      pattern: `^(${SORT_FIELDS.join('|')})(,(asc|desc))?$`,
      default: 'startedAt,desc',
      description: `field[,asc|desc], field one of ${SORT_FIELDS.join(', ')}`,
    },
  },
} as const;

/** The period and type of GET /workflows/metrics. */
const metricsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    period: { type: 'string', enum: [...PERIODS], default: 'TODAY' },
    type: { type: 'string', pattern: '^[A-Z][A-Z_]{1,99}$' },
    includeHistorical: {
      type: 'boolean',
      default: false,
      description: 'Add the same figures for the period before',
    },
  },
} as const;

const idempotencyHeaders = {
  type: 'object',
  properties: {
    'x-idempotency-key': {
      type: 'string',
      pattern: '^[\\x21-\\x7e]{1,255}$',
      description: 'Same key and body: the first answer; another body: 409',
    },
  },
} as const;

/** The body of POST /workflows/{id}/cancel. */
export const cancelBody = {
  type: 'object',
  required: ['reason', 'initiatedBy'],
  additionalProperties: false,
  properties: {
    reason: {
      ...text(500),
      description:
        'Reason code, e.g. CUSTOMER_REQUESTED (seed 001), or a sentence (seed 000: "Customer requested cancellation"), ' +
        'kept as reasonDetails with the code <initiatedBy>_REQUESTED',
    },
    reasonDetails: text(1000),
    initiatedBy: {
      type: 'string',
      enum: ['CUSTOMER', 'ADMIN', 'SYSTEM', 'SUPPORT'],
      description: 'A customer may only say CUSTOMER',
    },
    force: {
      type: 'boolean',
      description:
        'Cancel even once the shipment is being prepared (its label is voided, the payment given back); admin and service only',
    },
    metadata: labelsInput,
  },
} as const;

/** The body of POST /workflows/{id}/retry. */
export const retryBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    fromStep: { type: 'string', enum: [...ALL_STEP_NAMES] },
    resetState: {
      type: 'boolean',
      description:
        "true: the step's owner starts it afresh, forgetting the failed attempt's outcome; false: it resumes, reusing what it already did",
    },
    metadata: labelsInput,
  },
} as const;

function traceparentOf(request: FastifyRequest): string | null {
  return (
    (request as FastifyRequest & { traceContext?: { traceparent?: string } }).traceContext?.traceparent ??
    null
  );
}

const isStaff = (principal: Principal) =>
  principal.roles.includes('admin') || principal.roles.includes('service');

/** A customer sees only the workflows of their own orders (others look like missing ones). */
function assertOwnWorkflow(principal: Principal, customerId: unknown, id: string): void {
  if (isStaff(principal)) return;
  if (typeof customerId === 'string' && parseId(principal.sub, ['cust']) === customerId) return;
  throw coordinationError('WORKFLOW_NOT_FOUND', `Workflow ${id} does not exist`, { workflowId: id });
}

/** The workflow API under /api/v1 (seeds 000 and 001). */
export function workflowRoutes(
  instance: FastifyInstance,
  service: WorkflowService,
  reports: WorkflowReports,
): void {
  const app = withSchemaTypes(instance);
  addWorkflowSchemas(app);
  registerStartOrderWorkflow(app, service);
  registerActiveWorkflows(app, reports);
  registerWorkflowMetricsReport(app, reports);
  registerWorkflowStatus(app, service);
  registerCancelWorkflow(app, service);
  registerRetryWorkflow(app, service);
  registerWorkflowTemplates(app, reports);
}

function registerStartOrderWorkflow(app: SchemaTypedApp, service: WorkflowService): void {
  app.post(
    '/workflows/order/start',
    {
      config: { roles: ['customer', 'service', 'admin'], services: WORKFLOW_COMMANDERS },
      onError: presentErrorIds,
      schema: {
        tags: TAGS,
        summary:
          'Start an order fulfillment workflow: the order is handed to the order service and followed step by step',
        headers: idempotencyHeaders,
        body: startBody,
        response: {
          201: ref('WorkflowStarted'),
          ...errorResponses,
          422: { $ref: 'ErrorEnvelope#' },
          503: { $ref: 'ErrorEnvelope#' },
          504: { $ref: 'ErrorEnvelope#' },
        },
      },
    },
    async (request, reply) => {
      const principal = requirePrincipal(request);
      if (
        !isStaff(principal) &&
        parseId(principal.sub, ['cust']) !== parseId(request.body.customerId, ['cust'])
      ) {
        throw insufficientPermissions('A customer can only start workflows for their own orders', {
          field: 'body.customerId',
        });
      }
      const result = await service.start(
        principal,
        request.body,
        request.headers['x-idempotency-key'] ?? null,
        traceparentOf(request),
      );
      if (result.replayed) reply.header('idempotent-replayed', 'true');
      const body = presentDocument(result.body);
      reply.header('location', `/api/v1/workflows/${String(body.workflowId)}/status`);
      return reply.code(201).send(body);
    },
  );
}

function registerActiveWorkflows(app: SchemaTypedApp, reports: WorkflowReports): void {
  app.get(
    '/workflows/active',
    {
      config: { roles: ['service', 'admin'], services: PLATFORM_SERVICES },
      onError: presentErrorIds,
      schema: {
        tags: TAGS,
        summary: 'Active workflows, filtered, a page at a time, with a summary',
        querystring: activeQuery,
        response: { 200: ref('ActiveWorkflows'), ...errorResponses },
      },
    },
    async (request) => presentDocument(await reports.active(request.query)),
  );
}

function registerWorkflowMetricsReport(app: SchemaTypedApp, reports: WorkflowReports): void {
  app.get(
    '/workflows/metrics',
    {
      config: { roles: ['service', 'admin'], services: PLATFORM_SERVICES },
      onError: presentErrorIds,
      schema: {
        tags: TAGS,
        summary: 'Workflow figures over a period, computed from the stored workflows',
        querystring: metricsQuery,
        response: { 200: ref('WorkflowMetrics'), ...errorResponses },
      },
    },
    async (request) => presentDocument(await reports.metrics(request.query)),
  );
}

function registerWorkflowStatus(app: SchemaTypedApp, service: WorkflowService): void {
  app.get(
    '/workflows/:id/status',
    {
      config: { roles: ['customer', 'service', 'admin'], services: PLATFORM_SERVICES },
      onError: presentErrorIds,
      schema: {
        tags: TAGS,
        summary:
          'A workflow with progress, steps, saga, metadata, history and estimates (by workflow id or order id)',
        params: workflowParams,
        response: { 200: ref('WorkflowStatus'), ...errorResponses },
      },
    },
    async (request) => {
      const status = await service.status(request.params.id);
      assertOwnWorkflow(requirePrincipal(request), status.metadata.customerId, request.params.id);
      return presentDocument(status);
    },
  );
}

function registerCancelWorkflow(app: SchemaTypedApp, service: WorkflowService): void {
  app.post(
    '/workflows/:id/cancel',
    {
      config: { roles: ['customer', 'service', 'admin'], services: WORKFLOW_COMMANDERS },
      onError: presentErrorIds,
      schema: {
        tags: TAGS,
        summary: 'Cancel a workflow: what was done is compensated, the order cancelled and the customer told',
        params: workflowParams,
        body: cancelBody,
        response: {
          202: ref('WorkflowCancellation'),
          ...errorResponses,
          422: { $ref: 'ErrorEnvelope#' },
        },
      },
    },
    async (request, reply) => {
      const principal = requirePrincipal(request);
      if (!isStaff(principal)) {
        const status = await service.status(request.params.id);
        assertOwnWorkflow(principal, status.metadata.customerId, request.params.id);
        if (request.body.initiatedBy !== 'CUSTOMER') {
          throw insufficientPermissions('A customer cancels as CUSTOMER', { field: 'body.initiatedBy' });
        }
        if (request.body.force) {
          throw insufficientPermissions('Only an admin or a service may force a cancellation', {
            field: 'body.force',
          });
        }
      }
      const cancelled = await service.cancel(
        request.params.id,
        request.body,
        principal,
        traceparentOf(request),
      );
      return reply.code(202).send(presentDocument(cancelled));
    },
  );
}

function registerRetryWorkflow(app: SchemaTypedApp, service: WorkflowService): void {
  app.post(
    '/workflows/:id/retry',
    {
      config: { roles: ['service', 'admin'], services: WORKFLOW_COMMANDERS },
      onError: presentErrorIds,
      schema: {
        tags: TAGS,
        summary: "Ask a step's owner to perform it again (the named step, or the failed or current one)",
        params: workflowParams,
        body: retryBody,
        response: {
          200: ref('WorkflowRetry'),
          ...errorResponses,
          422: { $ref: 'ErrorEnvelope#' },
        },
      },
    },
    async (request) =>
      presentDocument(
        await service.retry(
          request.params.id,
          request.body ?? {},
          requirePrincipal(request),
          traceparentOf(request),
        ),
      ),
  );
}

function registerWorkflowTemplates(app: SchemaTypedApp, reports: WorkflowReports): void {
  app.get(
    '/workflow-templates',
    {
      onError: presentErrorIds,
      schema: {
        tags: TAGS,
        summary:
          'The saga definitions the observer runs from: steps, owners, timeouts, retry policies, compensations',
        response: { 200: ref('WorkflowTemplates'), ...errorResponses },
      },
    },
    async () => presentDocument(await reports.templates()),
  );
}
