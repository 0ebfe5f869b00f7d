import {
  badRequest,
  requirePrincipal,
  type SchemaType,
  withSchemaTypes,
  type SchemaTypedApp,
} from '@fv/service-kit';
import type { FastifyInstance } from 'fastify';
import { idPattern, parseId } from '../shared/domain/ids.js';
import { DEAD_LETTER_STATUSES } from './domain/dead-letter-message.js';
import { DEFAULT_REPLAY_LIMIT, MAX_REPLAY_LIMIT, type DeadLetterService } from './dead-letter-service.js';
import type { DeadLetterFilter } from './dead-letter-store.js';
import { errorResponses, pagingQuery, paginationSchema } from '../http/schemas.js';

const TAGS = ['dead letters'];
const ADMIN = { roles: ['admin'] } as const;

const params = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', format: 'uuid', description: 'Ledger id of the dead letter' } },
} as const;

const filterProperties = {
  topic: {
    type: 'string',
    pattern: '^[a-zA-Z0-9._-]{1,249}$',
    description: 'Original topic, or its dead-letter topic (`<topic>.DLQ`)',
  },
  orderId: {
    type: 'string',
    pattern: idPattern(['ord']),
    description: "The event's order id (for an undecodable value: its correlation id); `ord-` accepted",
  },
  errorCode: {
    type: 'string',
    pattern: '^[A-Za-z0-9_.:-]{1,100}$',
    description: "The consumer's error code (dlq-error-code), e.g. UNDECODABLE_MESSAGE",
  },
  consumerGroup: {
    type: 'string',
    minLength: 1,
    maxLength: 200,
    description: 'The group that dead-lettered it',
  },
} as const;

const statusProperty = { type: 'string', enum: [...DEAD_LETTER_STATUSES] } as const;
const nullableString = { type: ['string', 'null'] } as const;
const nullableDate = { type: ['string', 'null'], format: 'date-time' } as const;

const deadLetterSchema = {
  type: 'object',
  required: ['id', 'status', 'originalTopic', 'dlqTopic', 'dlqPartition', 'dlqOffset', 'error', 'failedAt'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    status: statusProperty,
    originalTopic: { type: 'string' },
    originalPartition: { type: ['integer', 'null'] },
    originalOffset: { ...nullableString, description: '64-bit offset as text' },
    originalTimestamp: nullableDate,
    dlqTopic: { type: 'string' },
    dlqPartition: { type: 'integer' },
    dlqOffset: { type: 'string' },
    key: { ...nullableString, description: 'Message key (UTF-8)' },
    eventName: nullableString,
    eventId: nullableString,
    orderId: nullableString,
    correlationId: nullableString,
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, class: nullableString, message: nullableString },
    },
    attempts: { type: ['integer', 'null'] },
    consumerGroup: nullableString,
    failedAt: { type: 'string', format: 'date-time' },
    recordedAt: { type: 'string', format: 'date-time' },
    replayedAt: nullableDate,
    discardedAt: nullableDate,
    discardReason: nullableString,
    resolvedBy: { ...nullableString, description: 'Subject of the token that replayed or discarded it' },
    replayOf: { ...nullableString, description: 'The dead letter this message was a replay of' },
  },
} as const;

const countsSchema = {
  type: 'object',
  properties: {
    total: { type: 'integer' },
    PENDING: { type: 'integer' },
    REPLAYED: { type: 'integer' },
    DISCARDED: { type: 'integer' },
  },
} as const;

const unavailable = { 503: { $ref: 'ErrorEnvelope#' } } as const;

/** The answer of GET /dlq/summary. */
const summarySchema = {
  type: 'object',
  properties: {
    total: { type: 'integer' },
    byStatus: {
      type: 'object',
      properties: {
        PENDING: { type: 'integer' },
        REPLAYED: { type: 'integer' },
        DISCARDED: { type: 'integer' },
      },
    },
    byTopic: {
      type: 'array',
      items: {
        type: 'object',
        properties: { topic: { type: 'string' }, ...countsSchema.properties },
      },
    },
    byError: {
      type: 'array',
      items: {
        type: 'object',
        properties: { errorCode: { type: 'string' }, ...countsSchema.properties },
      },
    },
    byConsumerGroup: {
      type: 'array',
      items: {
        type: 'object',
        properties: { consumerGroup: nullableString, ...countsSchema.properties },
      },
    },
  },
} as const;

/** The filter of GET /dlq/summary (and, with a page, of GET /dlq). */
const filterQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { ...filterProperties, status: statusProperty },
} as const;

function filterOf(query: SchemaType<typeof filterQuery>): DeadLetterFilter {
  return {
    ...(query.topic ? { topic: query.topic } : {}),
    ...(query.orderId ? { orderId: parseId(query.orderId, ['ord']) ?? query.orderId } : {}),
    ...(query.errorCode ? { errorCode: query.errorCode } : {}),
    ...(query.consumerGroup ? { consumerGroup: query.consumerGroup } : {}),
    ...(query.status ? { status: query.status } : {}),
  };
}

/** The dead-letter ledger's admin API: inspect, replay and discard what the platform's consumers dead-lettered. */
export function deadLetterRoutes(instance: FastifyInstance, deadLetters: DeadLetterService): void {
  const app = withSchemaTypes(instance);
  registerListDeadLetters(app, deadLetters);
  registerDeadLetterSummary(app, deadLetters);
  registerShowDeadLetter(app, deadLetters);
  registerReplayDeadLetter(app, deadLetters);
  registerReplayMatching(app, deadLetters);
  registerDiscardDeadLetter(app, deadLetters);
}

function registerListDeadLetters(app: SchemaTypedApp, deadLetters: DeadLetterService): void {
  app.get(
    '/dlq',
    {
      config: ADMIN,
      schema: {
        tags: TAGS,
        summary:
          'Dead letters, the most recent failure first, filtered by topic, order, error, group, status',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { ...filterQuery.properties, ...pagingQuery },
        },
        response: {
          200: {
            type: 'object',
            required: ['deadLetters', 'pagination'],
            properties: {
              deadLetters: { type: 'array', items: deadLetterSchema },
              pagination: paginationSchema,
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => deadLetters.list(filterOf(request.query), request.query.page, request.query.size),
  );
}

function registerDeadLetterSummary(app: SchemaTypedApp, deadLetters: DeadLetterService): void {
  app.get(
    '/dlq/summary',
    {
      config: ADMIN,
      schema: {
        tags: TAGS,
        summary: 'Counts of dead letters by status, and per original topic, error code and consumer group',
        querystring: filterQuery,
        response: { 200: summarySchema, ...errorResponses },
      },
    },
    async (request) => deadLetters.summary(filterOf(request.query)),
  );
}

function registerShowDeadLetter(app: SchemaTypedApp, deadLetters: DeadLetterService): void {
  app.get(
    '/dlq/:id',
    {
      config: ADMIN,
      schema: {
        tags: TAGS,
        summary:
          'One dead letter with its headers, its value (base64) and the value decoded with the schema registry',
        params,
        response: {
          200: {
            type: 'object',
            properties: {
              ...deadLetterSchema.properties,
              headers: { type: 'object', additionalProperties: { type: 'string' } },
              value: { ...nullableString, description: 'The raw value, base64' },
              valueSize: { type: 'integer' },
              event: { description: 'The decoded event (null when it cannot be decoded)' },
              decodeError: nullableString,
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => deadLetters.show(request.params.id),
  );
}

function registerReplayDeadLetter(app: SchemaTypedApp, deadLetters: DeadLetterService): void {
  app.post(
    '/dlq/:id/replay',
    {
      config: ADMIN,
      schema: {
        tags: TAGS,
        summary:
          'Send a PENDING dead letter back to its original topic and partition (headers dlq-replay-of, -replayed-at, -replayed-by); 409 once replayed or discarded',
        params,
        response: { 200: deadLetterSchema, ...errorResponses, ...unavailable },
      },
    },
    async (request) => deadLetters.replay(request.params.id, requirePrincipal(request).sub),
  );
}

function registerReplayMatching(app: SchemaTypedApp, deadLetters: DeadLetterService): void {
  app.post(
    '/dlq/replay',
    {
      config: ADMIN,
      schema: {
        tags: TAGS,
        summary:
          'Replay every PENDING dead letter matching the filter (at least one of orderId, errorCode, topic, consumerGroup), oldest first, in original offset order',
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...filterProperties,
            limit: {
              type: 'integer',
              minimum: 1,
              maximum: MAX_REPLAY_LIMIT,
              default: DEFAULT_REPLAY_LIMIT,
              description: 'At most this many in one request; `remaining` tells what is left',
            },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['replayed', 'matched', 'remaining', 'deadLetters'],
            properties: {
              replayed: { type: 'integer' },
              matched: { type: 'integer', description: 'PENDING dead letters that matched the filter' },
              remaining: { type: 'integer' },
              deadLetters: { type: 'array', items: deadLetterSchema },
            },
          },
          ...errorResponses,
          ...unavailable,
        },
      },
    },
    async (request) => {
      const { limit, ...query } = request.body ?? {};
      const filter = filterOf(query);
      if (Object.keys(filter).length === 0) {
        throw badRequest('Name what to replay: at least one of orderId, errorCode, topic, consumerGroup', {
          fields: [{ field: 'body', rule: 'minProperties', message: 'must name at least one filter' }],
        });
      }
      return deadLetters.replayMatching(filter, requirePrincipal(request).sub, limit);
    },
  );
}

function registerDiscardDeadLetter(app: SchemaTypedApp, deadLetters: DeadLetterService): void {
  app.post(
    '/dlq/:id/discard',
    {
      config: ADMIN,
      schema: {
        tags: TAGS,
        summary: 'Mark a PENDING dead letter DISCARDED, with the reason; 409 once replayed or discarded',
        params,
        body: {
          type: 'object',
          required: ['reason'],
          additionalProperties: false,
          properties: { reason: { type: 'string', minLength: 1, maxLength: 1000, pattern: '\\S' } },
        },
        response: { 200: deadLetterSchema, ...errorResponses },
      },
    },
    async (request) =>
      deadLetters.discard(request.params.id, request.body.reason.trim(), requirePrincipal(request).sub),
  );
}
