import { requirePrincipal, withSchemaTypes } from '@fv/service-kit';
import type { FastifyInstance } from 'fastify';
import { idPattern } from '../shared/domain/ids.js';
import { workflowFilterProperties } from '../console/domain/workflow-filter.js';
import { errorResponses } from '../http/schemas.js';
import { MAX_OPERATION_TARGETS, OPERATION_TYPES, type OperationService } from './operation-service.js';

const TAGS = ['operations'];
const ADMIN = { roles: ['admin'] } as const;
const nullableString = { type: ['string', 'null'] } as const;

const target = {
  type: 'object',
  properties: { targetId: { type: 'string' }, orderId: nullableString },
} as const;

const operationSchema = {
  type: 'object',
  required: ['id', 'type', 'status', 'total', 'succeeded', 'failed', 'pending', 'createdAt'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    type: { type: 'string', enum: [...OPERATION_TYPES] },
    status: { type: 'string', enum: ['RUNNING', 'COMPLETED'] },
    filter: { type: 'object', additionalProperties: true },
    reason: nullableString,
    requestedBy: { type: 'string' },
    total: { type: 'integer' },
    succeeded: { type: 'integer' },
    failed: { type: 'integer' },
    pending: { type: 'integer' },
    createdAt: { type: 'string', format: 'date-time' },
    completedAt: { type: ['string', 'null'], format: 'date-time' },
    rows: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          position: { type: 'integer' },
          targetId: { type: 'string', description: 'Workflow id (RETRY, CANCEL) or dead letter id (REPLAY)' },
          orderId: nullableString,
          status: { type: 'string', enum: ['PENDING', 'SUCCEEDED', 'FAILED'] },
          errorCode: {
            ...nullableString,
            description: "The refusal's error code, e.g. INVALID_WORKFLOW_STATE",
          },
          message: nullableString,
          settledAt: { type: ['string', 'null'], format: 'date-time' },
        },
      },
    },
  },
} as const;

const dryRunSchema = {
  type: 'object',
  required: ['dryRun', 'type', 'matched', 'sample'],
  properties: {
    dryRun: { type: 'boolean', enum: [true] },
    type: { type: 'string' },
    filter: { type: 'object', additionalProperties: true },
    matched: {
      type: 'integer',
      description: 'What the operation would act on now: confirm with expectedCount',
    },
    maxTargets: { type: 'integer' },
    sample: {
      type: 'array',
      items: target,
      description: 'The first targets, in the order they would be done',
    },
  },
} as const;

/** The body of POST /operations. */
export const operationRequestBody = {
  type: 'object',
  required: ['type', 'filter'],
  additionalProperties: false,
  properties: {
    type: { type: 'string', enum: [...OPERATION_TYPES] },
    filter: {
      type: 'object',
      additionalProperties: false,
      description:
        'RETRY and CANCEL: type, status, stuck, customerId, orderId, from, to; REPLAY: topic, orderId, errorCode, consumerGroup',
      properties: {
        ...workflowFilterProperties,
        orderId: { type: 'string', pattern: idPattern(['ord', 'wf']) },
        topic: { type: 'string', pattern: '^[a-zA-Z0-9._-]{1,249}$' },
        errorCode: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,100}$' },
        consumerGroup: { type: 'string', minLength: 1, maxLength: 200 },
      },
    },
    reason: { type: 'string', minLength: 1, maxLength: 1000, pattern: '\\S' },
    dryRun: { type: 'boolean', default: false },
    expectedCount: {
      type: 'integer',
      minimum: 1,
      maximum: MAX_OPERATION_TARGETS,
      description: 'The count the dry run showed: the confirmation (required unless dryRun)',
    },
  },
} as const;

/** Bulk operations: retry, cancel or replay by filter, with a dry run and a confirmation; row-level results. */
export function operationRoutes(instance: FastifyInstance, service: OperationService): void {
  const app = withSchemaTypes(instance);
  app.post(
    '/operations',
    {
      config: ADMIN,
      schema: {
        tags: TAGS,
        summary:
          'Retry or cancel the workflows a filter matches, or replay the PENDING dead letters it matches: dryRun counts them; ' +
          'the operation starts once expectedCount confirms that count (409 when it changed), and runs in the background',
        body: operationRequestBody,
        response: {
          200: dryRunSchema,
          202: operationSchema,
          ...errorResponses,
          422: { $ref: 'ErrorEnvelope#' },
        },
      },
    },
    async (request, reply) => {
      const result = await service.submit(request.body, requirePrincipal(request));
      if (result.dryRun) return result.document;
      reply.header('location', `/api/v1/operations/${result.document.id}`);
      return reply.code(202).send(result.document);
    },
  );

  app.get(
    '/operations',
    {
      config: ADMIN,
      schema: {
        tags: TAGS,
        summary: 'The most recent operations (without their rows)',
        response: {
          200: {
            type: 'object',
            properties: { operations: { type: 'array', items: operationSchema } },
          },
          ...errorResponses,
        },
      },
    },
    async () => ({ operations: await service.recent(20) }),
  );

  app.get(
    '/operations/:id',
    {
      config: ADMIN,
      schema: {
        tags: TAGS,
        summary: 'An operation with one row per target and its outcome',
        params: {
          type: 'object',
          required: ['id'],
          properties: { id: { type: 'string', format: 'uuid' } },
        },
        response: { 200: operationSchema, ...errorResponses },
      },
    },
    async (request) => service.get(request.params.id),
  );
}
