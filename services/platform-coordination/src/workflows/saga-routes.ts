import { requirePrincipal, withSchemaTypes } from '@fv/service-kit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { idPattern } from '../shared/domain/ids.js';
import { ALL_STEP_NAMES } from './domain/templates/index.js';
import type { WorkflowService } from './workflow-service.js';
import { presentDocument, presentErrorIds } from '../http/presenter.js';
import { errorResponses } from '../http/schemas.js';
import { addWorkflowSchemas, ref } from './workflow-schemas.js';
import { PLATFORM_SERVICES } from '../http/callers.js';

const params = {
  type: 'object',
  required: ['id'],
  properties: {
    id: { type: 'string', pattern: idPattern(['saga']), description: 'Saga id (saga- prefix accepted)' },
  },
} as const;

/** The body of POST /sagas/{id}/compensate. */
export const compensateBody = {
  type: 'object',
  required: ['reason'],
  additionalProperties: false,
  properties: {
    reason: {
      type: 'string',
      pattern: '^[A-Z][A-Z0-9_]{1,63}$',
      description: 'e.g. MANUAL_INTERVENTION',
    },
    fromStep: {
      type: 'string',
      enum: [...ALL_STEP_NAMES],
      description: 'Undo this step and those before it',
    },
    forceCompensation: { type: 'boolean' },
    metadata: {
      type: 'object',
      maxProperties: 20,
      additionalProperties: { type: 'string', maxLength: 500 },
    },
  },
} as const;

function traceparentOf(request: FastifyRequest): string | null {
  return (
    (request as FastifyRequest & { traceContext?: { traceparent?: string } }).traceContext?.traceparent ??
    null
  );
}

/** Sagas: details and manual compensation. */
export function sagaRoutes(instance: FastifyInstance, service: WorkflowService): void {
  const app = withSchemaTypes(instance);
  addWorkflowSchemas(app);
  app.get(
    '/sagas/:id',
    {
      config: { roles: ['service', 'admin'], services: PLATFORM_SERVICES },
      onError: presentErrorIds,
      schema: {
        tags: ['sagas'],
        summary: 'A saga: state, version, context, completed steps, compensation plan and state, history',
        params,
        response: { 200: ref('SagaDetails'), ...errorResponses },
      },
    },
    async (request) => presentDocument(await service.saga(request.params.id)),
  );

  app.post(
    '/sagas/:id/compensate',
    {
      config: { roles: ['admin'] },
      onError: presentErrorIds,
      schema: {
        tags: ['sagas'],
        summary:
          'Compensate a saga now (an active one), again (one whose compensation failed), or a completed one with forceCompensation',
        params,
        body: compensateBody,
        response: {
          202: ref('SagaCompensation'),
          ...errorResponses,
          422: { $ref: 'ErrorEnvelope#' },
        },
      },
    },
    async (request, reply) =>
      reply
        .code(202)
        .send(
          presentDocument(
            await service.compensate(
              request.params.id,
              request.body,
              requirePrincipal(request),
              traceparentOf(request),
            ),
          ),
        ),
  );
}
