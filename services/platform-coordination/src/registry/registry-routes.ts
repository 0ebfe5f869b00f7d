import {
  insufficientPermissions,
  requirePrincipal,
  type Principal,
  withSchemaTypes,
  type SchemaTypedApp,
} from '@fv/service-kit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RegistryService } from './registry-service.js';
import {
  errorResponses,
  instanceSchema,
  NAME_PATTERN,
  pagination,
  pagingQuery,
  probeSchema,
} from '../http/schemas.js';
import { ANY_SERVICE } from '../http/callers.js';

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', format: 'uuid', description: 'Instance id' } },
} as const;

/** Reads of the registry (hosts, ports, metadata): services and admins, never customers. */
const READERS = { roles: ['service', 'admin'], services: ANY_SERVICE } as const;

/** The body of POST /services/register. */
export const registrationBody = {
  type: 'object',
  required: ['name', 'version', 'host', 'port'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', pattern: NAME_PATTERN, description: 'Service name, e.g. orders' },
    version: { type: 'string', minLength: 1, maxLength: 64 },
    host: {
      type: 'string',
      minLength: 1,
      maxLength: 253,
      description: 'Host name or IP address the instance is reached at',
    },
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    healthUrl: {
      type: 'string',
      minLength: 1,
      maxLength: 2048,
      description: 'Polled by the health aggregator; default http://host:port/health',
    },
    metadata: {
      type: 'object',
      maxProperties: 34,
      // Keys chosen by callers never name a prototype.
      propertyNames: { not: { enum: ['__proto__', 'constructor', 'prototype'] } },
      properties: {
        tags: {
          type: 'array',
          maxItems: 32,
          items: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,62}$' },
        },
        zone: { type: 'string', minLength: 1, maxLength: 64 },
      },
      additionalProperties: { type: 'string', maxLength: 256 },
    },
  },
} as const;

/** The answer to POST /services/register (201 for a new instance, 200 for one registered again). */
const registrationAnswer = {
  type: 'object',
  properties: {
    instanceId: { type: 'string' },
    heartbeatIntervalSeconds: { type: 'integer' },
    leaseTtlSeconds: { type: 'integer' },
    instance: instanceSchema,
  },
} as const;

type Traceable = FastifyRequest & { traceContext?: { traceparent?: string } };

function traceparentOf(request: FastifyRequest): string | null {
  return (request as Traceable).traceContext?.traceparent ?? null;
}

/** A caller with the service role acts only on its own service's instances; an admin on any. */
export function assertActsFor(principal: Principal, service: string): void {
  if (principal.roles.includes('admin') || principal.sub === service) return;
  throw insufficientPermissions(
    `A service token for ${principal.sub} cannot act on instances of ${service}`,
    {
      subject: principal.sub,
      service,
    },
  );
}

/** The registry: register, heartbeat, deregister, and queries. */
export function serviceRoutes(
  instance: FastifyInstance,
  registry: RegistryService,
  heartbeatIntervalSeconds: number,
): void {
  const app = withSchemaTypes(instance);
  registerRegister(app, registry, heartbeatIntervalSeconds);
  registerHeartbeat(app, registry, heartbeatIntervalSeconds);
  registerDeregister(app, registry);
  registerListInstances(app, registry);
  registerGetInstance(app, registry);
  registerInstanceHealth(app, registry);
}

function registerRegister(
  app: SchemaTypedApp,
  registry: RegistryService,
  heartbeatIntervalSeconds: number,
): void {
  app.post(
    '/services/register',
    {
      bodyLimit: 16 * 1024,
      config: { roles: ['service', 'admin'], services: ANY_SERVICE },
      schema: {
        tags: ['registry'],
        summary: 'Register an instance (again): same name + host + port keeps its id and updates its fields',
        body: registrationBody,
        response: { 200: registrationAnswer, 201: registrationAnswer, ...errorResponses },
      },
    },
    async (request, reply) => {
      assertActsFor(requirePrincipal(request), request.body.name);
      const { created, instance } = await registry.register(request.body, {
        traceparent: traceparentOf(request),
      });
      return reply.code(created ? 201 : 200).send({
        instanceId: instance.instanceId,
        heartbeatIntervalSeconds,
        leaseTtlSeconds: Math.round(registry.policy.ttlMs / 1000),
        instance,
      });
    },
  );
}

function registerHeartbeat(
  app: SchemaTypedApp,
  registry: RegistryService,
  heartbeatIntervalSeconds: number,
): void {
  app.put(
    '/services/:id/heartbeat',
    {
      // Heartbeats run at the rate the registry asks for; limiting them would expire healthy instances.
      config: { roles: ['service', 'admin'], services: ANY_SERVICE, rateLimit: false },
      schema: {
        tags: ['registry'],
        summary: 'Renew the lease of an instance; 404 when the registry does not know it (register again)',
        params: idParams,
        response: {
          200: {
            type: 'object',
            properties: {
              instanceId: { type: 'string' },
              status: { type: 'string' },
              heartbeatIntervalSeconds: { type: 'integer' },
              leaseExpiresAt: { type: 'string' },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const principal = requirePrincipal(request);
      const instance = await registry.heartbeat(request.params.id, {
        traceparent: traceparentOf(request),
        actsFor: principal.roles.includes('admin') ? null : principal.sub,
      });
      return {
        instanceId: instance.instanceId,
        status: instance.status,
        heartbeatIntervalSeconds,
        leaseExpiresAt: instance.leaseExpiresAt,
      };
    },
  );
}

function registerDeregister(app: SchemaTypedApp, registry: RegistryService): void {
  app.delete(
    '/services/:id',
    {
      config: { roles: ['service', 'admin'], services: ANY_SERVICE },
      schema: {
        tags: ['registry'],
        summary: 'Deregister an instance (SHUTDOWN for its own service, ADMIN for an operator)',
        params: idParams,
        response: { 204: { type: 'null' }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const principal = requirePrincipal(request);
      const instance = await registry.get(request.params.id);
      assertActsFor(principal, instance.name);
      const reason = principal.sub === instance.name ? 'SHUTDOWN' : 'ADMIN';
      await registry.deregister(request.params.id, reason, { traceparent: traceparentOf(request) });
      return reply.code(204).send();
    },
  );
}

function registerListInstances(app: SchemaTypedApp, registry: RegistryService): void {
  app.get(
    '/services',
    {
      config: READERS,
      schema: {
        tags: ['registry'],
        summary: 'Registered instances, filtered by name, status, tag or zone, a page at a time',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            name: { type: 'string', pattern: NAME_PATTERN },
            status: { type: 'string', enum: ['UP', 'DEGRADED', 'DOWN'] },
            tag: { type: 'string', minLength: 1, maxLength: 63 },
            zone: { type: 'string', minLength: 1, maxLength: 64 },
            ...pagingQuery,
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              services: { type: 'array', items: instanceSchema },
              pagination: { type: 'object', additionalProperties: true },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { page, size, ...filter } = request.query;
      // The common discovery read: the page serialized by this route's schema once per query and
      // registry snapshot, then sent as it is.
      const body = await registry.listRendered(filter, page, size, ({ items, total }) =>
        reply.serialize({ services: items, pagination: pagination(page, size, total) }),
      );
      return reply.type('application/json; charset=utf-8').send(body);
    },
  );
}

function registerGetInstance(app: SchemaTypedApp, registry: RegistryService): void {
  app.get(
    '/services/:id',
    {
      config: READERS,
      schema: {
        tags: ['registry'],
        summary: 'One instance',
        params: idParams,
        response: { 200: instanceSchema, ...errorResponses },
      },
    },
    async (request) => registry.get(request.params.id),
  );
}

function registerInstanceHealth(app: SchemaTypedApp, registry: RegistryService): void {
  app.get(
    '/services/:id/health',
    {
      config: READERS,
      schema: {
        tags: ['registry'],
        summary: 'Status of an instance, its checks and its recent probe results (newest first)',
        params: idParams,
        response: {
          200: {
            type: 'object',
            properties: {
              instanceId: { type: 'string' },
              name: { type: 'string' },
              status: { type: 'string' },
              checks: instanceSchema.properties.checks,
              history: { type: 'array', items: probeSchema },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { instance, history } = await registry.health(request.params.id);
      return {
        instanceId: instance.instanceId,
        name: instance.name,
        status: instance.status,
        checks: instance.checks,
        history,
      };
    },
  );
}
