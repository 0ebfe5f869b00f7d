/** JSON schemas shared by the routes (they also feed the OpenAPI document). */

export const NAME_PATTERN = '^[a-z][a-z0-9-]{0,62}$';
export const PROFILE_PATTERN = '^[a-z0-9][a-z0-9-]{0,62}$';

export const errorResponses = {
  400: { $ref: 'ErrorEnvelope#' },
  401: { $ref: 'ErrorEnvelope#' },
  403: { $ref: 'ErrorEnvelope#' },
  404: { $ref: 'ErrorEnvelope#' },
  409: { $ref: 'ErrorEnvelope#' },
  413: { $ref: 'ErrorEnvelope#' },
  415: { $ref: 'ErrorEnvelope#' },
  429: { $ref: 'ErrorEnvelope#' },
} as const;

export const pagingQuery = {
  page: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0, description: 'Page number (0-based)' },
  size: { type: 'integer', minimum: 1, maximum: 100, default: 20, description: 'Page size (max 100)' },
} as const;

export { pagination, paginationSchema } from '@fv/service-kit';

const isoDate = { type: 'string', format: 'date-time' } as const;
const nullableString = { type: ['string', 'null'] } as const;

export const instanceSchema = {
  type: 'object',
  required: [
    'instanceId',
    'name',
    'version',
    'host',
    'port',
    'baseUrl',
    'healthUrl',
    'metadata',
    'status',
    'checks',
  ],
  properties: {
    instanceId: { type: 'string', format: 'uuid' },
    name: { type: 'string' },
    version: { type: 'string' },
    host: { type: 'string' },
    port: { type: 'integer' },
    baseUrl: { type: 'string' },
    healthUrl: { type: 'string' },
    metadata: {
      type: 'object',
      properties: { tags: { type: 'array', items: { type: 'string' } }, zone: nullableString },
      additionalProperties: { type: 'string' },
    },
    status: { type: 'string', enum: ['UP', 'DEGRADED', 'DOWN'] },
    checks: {
      type: 'object',
      properties: {
        heartbeat: {
          type: 'object',
          properties: {
            status: { type: 'string', enum: ['passing', 'critical'] },
            lastHeartbeatAt: isoDate,
            leaseExpiresAt: isoDate,
            criticalSince: { type: ['string', 'null'], format: 'date-time' },
          },
        },
        http: {
          type: 'object',
          properties: {
            status: { type: 'string', enum: ['unknown', 'passing', 'warning', 'critical'] },
            lastCheckedAt: { type: ['string', 'null'], format: 'date-time' },
            httpStatus: { type: ['integer', 'null'] },
            responseTime: nullableString,
            error: nullableString,
          },
        },
      },
    },
    registeredAt: isoDate,
    updatedAt: isoDate,
  },
} as const;

export const probeSchema = {
  type: 'object',
  properties: {
    checkedAt: isoDate,
    status: { type: 'string', enum: ['passing', 'warning', 'critical'] },
    httpStatus: { type: ['integer', 'null'] },
    responseTimeMs: { type: 'integer' },
    error: nullableString,
  },
} as const;

const anyJson = {} as const;

export const effectiveConfigSchema = {
  type: 'object',
  required: ['service', 'profile', 'version', 'sources', 'properties', 'secretKeys'],
  properties: {
    service: { type: 'string' },
    profile: nullableString,
    version: {
      type: 'integer',
      description: 'Sum of the source versions; grows with every write to any of them',
    },
    sources: {
      type: 'array',
      items: {
        type: 'object',
        properties: { service: { type: 'string' }, profile: nullableString, version: { type: 'integer' } },
      },
    },
    properties: { type: 'object', additionalProperties: anyJson },
    secretKeys: { type: 'array', items: { type: 'string' } },
  },
} as const;

export const sourceVersionSchema = {
  type: 'object',
  properties: {
    service: { type: 'string' },
    profile: nullableString,
    version: { type: 'integer' },
    entries: { type: 'object', additionalProperties: anyJson },
    secretKeys: { type: 'array', items: { type: 'string' } },
    changes: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          key: { type: 'string' },
          change: { type: 'string', enum: ['ADDED', 'MODIFIED', 'REMOVED'] },
        },
      },
    },
    operation: { type: 'string', enum: ['PUT', 'PUT_KEY', 'DELETE_KEY', 'RESTORE'] },
    restoredFrom: { type: ['integer', 'null'] },
    updatedBy: nullableString,
    createdAt: isoDate,
  },
} as const;

export const writeResultSchema = {
  type: 'object',
  required: ['changed', 'version'],
  properties: { changed: { type: 'boolean' }, version: sourceVersionSchema },
} as const;
