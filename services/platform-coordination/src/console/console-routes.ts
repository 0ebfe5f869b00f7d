import { requirePrincipal, withSchemaTypes, type SchemaTypedApp } from '@fv/service-kit';
import type { FastifyInstance } from 'fastify';
import { idPattern } from '../shared/domain/ids.js';
import { presentErrorIds } from '../http/presenter.js';
import { errorResponses, pagingQuery, paginationSchema } from '../http/schemas.js';
import type { ConsoleService } from './console-service.js';
import type { ConsoleStream } from './console-stream.js';
import { workflowFilterProperties } from './domain/workflow-filter.js';

const TAGS = ['console'];
const ADMIN = { roles: ['admin'] } as const;
const orderParams = {
  type: 'object',
  required: ['id'],
  properties: {
    id: { type: 'string', pattern: idPattern(['wf', 'ord']), description: 'Workflow or order id' },
  },
} as const;

const workflowRow = {
  type: 'object',
  properties: {
    workflowId: { type: 'string' },
    orderId: { type: 'string' },
    workflowType: { type: 'string' },
    status: { type: 'string' },
    currentStep: { type: ['string', 'null'] },
    customerId: { type: ['string', 'null'] },
    priority: { type: ['string', 'null'] },
    sagaId: { type: ['string', 'null'] },
    sagaState: { type: ['string', 'null'] },
    stuck: { type: 'boolean' },
    startedAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
    completedAt: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;

/** The answer of GET /console/workflows: a page of rows, with the counts of the filter. */
const workflowListSchema = {
  type: 'object',
  properties: {
    workflows: { type: 'array', items: workflowRow },
    pagination: paginationSchema,
    counts: {
      type: 'object',
      properties: {
        matched: { type: 'integer' },
        byStatus: { type: 'object', additionalProperties: { type: 'integer' } },
        active: { type: 'integer' },
        stuck: { type: 'integer' },
        deadLettersPending: { type: 'integer' },
      },
    },
    stuckAfterMs: { type: 'integer' },
  },
} as const;

/** The saga console's read API under /api/v1/console (admin only); its actions are the platform's own APIs. */
export function consoleRoutes(
  instance: FastifyInstance,
  service: ConsoleService,
  stream: ConsoleStream,
): void {
  const app = withSchemaTypes(instance);
  registerSession(app);
  registerWorkflowList(app, service);
  registerOrder(app, service);
  registerStream(app, stream);
}

function registerSession(app: SchemaTypedApp): void {
  app.get(
    '/console/session',
    {
      config: ADMIN,
      schema: {
        tags: TAGS,
        summary: 'Who the console is signed in as (checks a pasted admin token)',
        response: {
          200: {
            type: 'object',
            properties: {
              sub: { type: 'string' },
              roles: { type: 'array', items: { type: 'string' } },
              expiresAt: { type: 'string', format: 'date-time' },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const principal = requirePrincipal(request);
      return {
        sub: principal.sub,
        roles: principal.roles,
        expiresAt: new Date(principal.exp * 1000).toISOString(),
      };
    },
  );
}

function registerWorkflowList(app: SchemaTypedApp, service: ConsoleService): void {
  app.get(
    '/console/workflows',
    {
      config: ADMIN,
      onError: presentErrorIds,
      schema: {
        tags: TAGS,
        summary:
          'Workflows of any status by type, status, stuck, customer, order and start time, most recently updated first, with counts',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { ...workflowFilterProperties, ...pagingQuery },
        },
        response: { 200: workflowListSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { page, size, ...filter } = request.query;
      return service.workflows(filter, page, size);
    },
  );
}

function registerOrder(app: SchemaTypedApp, service: ConsoleService): void {
  app.get(
    '/console/orders/:id',
    {
      config: ADMIN,
      onError: presentErrorIds,
      schema: {
        tags: TAGS,
        summary:
          "An order's workflow, saga, dead letters and webhook deliveries, and all of them as one timeline",
        params: orderParams,
      },
    },
    async (request) => service.order(request.params.id),
  );
}

function registerStream(app: SchemaTypedApp, stream: ConsoleStream): void {
  app.get(
    '/console/stream',
    {
      config: ADMIN,
      onError: presentErrorIds,
      schema: {
        tags: TAGS,
        summary:
          'Server-sent events: `list` (the workflows under the filter, as GET /console/workflows, with the recent operations) ' +
          'at once and on every change; with workflowId, `order` (as GET /console/orders/{id}) instead',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...workflowFilterProperties,
            ...pagingQuery,
            workflowId: { type: 'string', pattern: idPattern(['wf', 'ord']) },
          },
        },
      },
    },
    async (request, reply) => {
      const { workflowId, page, size, ...filter } = request.query;
      return stream.follow(
        reply,
        workflowId ? { kind: 'order', id: workflowId } : { kind: 'list', filter, page, size },
      );
    },
  );
}
