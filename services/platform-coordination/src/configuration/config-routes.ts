import {
  AppError,
  insufficientPermissions,
  invalidFields,
  requirePrincipal,
  type Principal,
  withSchemaTypes,
  type SchemaTypedApp,
} from '@fv/service-kit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ConfigScope, ConfigService } from './config-service.js';
import { DEFAULTS_SERVICE } from './domain/config-document.js';
import { assertActsFor } from '../registry/registry-routes.js';
import {
  effectiveConfigSchema,
  errorResponses,
  NAME_PATTERN,
  pagination,
  pagingQuery,
  PROFILE_PATTERN,
  sourceVersionSchema,
  writeResultSchema,
} from '../http/schemas.js';
import { ANY_SERVICE } from '../http/callers.js';

export interface ConfigRouteOptions {
  watchMaxTimeoutSeconds: number;
  watchRecheckMs: number;
  /** Watches one caller (token subject) may hold open at once. */
  watchMaxPerCaller: number;
}

/** Open watches per caller, so one caller cannot tie up the process with long-polls. */
class WatchSlots {
  private readonly open = new Map<string, number>();

  constructor(private readonly max: number) {}

  /** Takes a slot for `caller`; false when it already holds the most it may. */
  take(caller: string): boolean {
    const held = this.open.get(caller) ?? 0;
    if (held >= this.max) return false;
    this.open.set(caller, held + 1);
    return true;
  }

  release(caller: string): void {
    const held = (this.open.get(caller) ?? 1) - 1;
    if (held > 0) this.open.set(caller, held);
    else this.open.delete(caller);
  }
}

const serviceParam = {
  service: {
    type: 'string',
    pattern: NAME_PATTERN,
    description: `Service name; "${DEFAULTS_SERVICE}" holds the platform defaults`,
  },
} as const;
const keyParam = {
  key: {
    type: 'string',
    minLength: 1,
    maxLength: 200,
    description: 'Dotted key, e.g. featureFlags.expressCheckout',
  },
} as const;
const versionParam = { version: { type: 'integer', minimum: 1, maximum: 2_147_483_647 } } as const;
const profileQuery = {
  profile: { type: 'string', pattern: PROFILE_PATTERN, description: 'Profile, e.g. staging' },
} as const;
const expectedVersion = {
  type: 'integer',
  minimum: 0,
  maximum: 2_147_483_647,
  description: 'Version of the source the write is based on (0 for a source not written yet); another is 409',
} as const;

function canSeeSecrets(request: FastifyRequest): boolean {
  return request.principal?.roles.includes('admin') ?? false;
}

/** Writes to a service's configuration: its own service token or an admin; the platform defaults: an admin. */
function assertMayWrite(principal: Principal, service: string): void {
  if (service === DEFAULTS_SERVICE && !principal.roles.includes('admin')) {
    throw insufficientPermissions('Only an admin may write the platform defaults', {
      service,
      subject: principal.sub,
    });
  }
  assertActsFor(principal, service);
}

/** Reads of a service's configuration: that service's own token or an admin (customers never). */
function assertMayRead(principal: Principal, service: string): void {
  if (principal.roles.includes('admin') || principal.sub === service) return;
  throw insufficientPermissions(
    `A service token for ${principal.sub} cannot read the configuration of ${service}`,
    {
      service,
      subject: principal.sub,
    },
  );
}

const READERS = { roles: ['service', 'admin'], services: ANY_SERVICE } as const;

function writeMeta(request: FastifyRequest) {
  const principal = requirePrincipal(request);
  return {
    updatedBy: principal.sub,
    traceparent:
      (request as FastifyRequest & { traceContext?: { traceparent?: string } }).traceContext?.traceparent ??
      null,
  };
}

function scopeOf(request: { params: { service: string }; query: { profile?: string } }): ConfigScope {
  return { service: request.params.service, profile: request.query.profile ?? null };
}

/** The configuration store: effective configuration (with watching), versioned writes, history and restore. */
export function configRoutes(
  instance: FastifyInstance,
  store: ConfigService,
  options: ConfigRouteOptions,
): void {
  const app = withSchemaTypes(instance);
  const watches = new WatchSlots(options.watchMaxPerCaller);
  registerGetEffective(app, store, options, watches);
  registerReplaceConfig(app, store);
  registerSetKey(app, store);
  registerDeleteKey(app, store);
  registerListVersions(app, store);
  registerGetVersion(app, store);
  registerRestoreVersion(app, store);
}

/** The query of GET /config/:service: the profile, and what to wait for. */
const effectiveQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...profileQuery,
    waitForVersion: {
      type: 'integer',
      minimum: 0,
      description: 'Answer once the version is greater than this',
    },
    timeout: { type: 'integer', minimum: 1, description: 'Longest wait in seconds (default 30)' },
  },
} as const;

/** A watch of one caller's read: the configuration it reads, and the version it waits to see passed. */
interface WatchRequest {
  caller: string;
  service: string;
  profile: string | null;
  reveal: boolean;
  waitForVersion: number;
  timeout: number | undefined;
}

/**
 * Waits, in one of the caller's watch slots, until the effective configuration passes the version the
 * caller has; a caller that already holds its share of watches is refused (429).
 */
async function watchEffective(
  store: ConfigService,
  options: ConfigRouteOptions,
  watches: WatchSlots,
  response: import('fastify').FastifyReply['raw'],
  watch: WatchRequest,
): ReturnType<ConfigService['watch']> {
  if (!watches.take(watch.caller)) {
    throw new AppError(
      'RATE_LIMIT_EXCEEDED',
      `A caller may hold at most ${options.watchMaxPerCaller} configuration watches (waitForVersion) open at once`,
      {
        details: { reason: 'TOO_MANY_WATCHES', limit: options.watchMaxPerCaller, retryAfterSeconds: 1 },
        headers: { 'retry-after': '1' },
      },
    );
  }
  const abort = new AbortController();
  const onClose = () => abort.abort();
  // The response closing before it was sent means the client went away: stop waiting.
  response.once('close', onClose);
  try {
    return await store.watch(watch.service, watch.profile, watch.reveal, watch.waitForVersion, {
      timeoutMs: (watch.timeout ?? Math.min(30, options.watchMaxTimeoutSeconds)) * 1000,
      recheckMs: options.watchRecheckMs,
      signal: abort.signal,
    });
  } finally {
    response.off('close', onClose);
    watches.release(watch.caller);
  }
}

/** GET /config/:service: the effective configuration, now or once its version passes waitForVersion. */
function registerGetEffective(
  app: SchemaTypedApp,
  store: ConfigService,
  options: ConfigRouteOptions,
  watches: WatchSlots,
): void {
  app.get(
    '/config/:service',
    {
      config: READERS,
      schema: {
        tags: ['configuration'],
        summary:
          'Effective configuration: platform defaults, then the service, then its profile. With waitForVersion, blocks until the version passes it or the timeout (seconds) ends',
        params: { type: 'object', required: ['service'], properties: serviceParam },
        querystring: effectiveQuery,
        response: { 200: effectiveConfigSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { service } = request.params;
      const principal = requirePrincipal(request);
      assertMayRead(principal, service);
      const { profile = null, waitForVersion, timeout } = request.query;
      const reveal = canSeeSecrets(request);
      if (timeout !== undefined && timeout > options.watchMaxTimeoutSeconds) {
        throw invalidFields([
          {
            field: 'query.timeout',
            rule: 'maximum',
            message: `must be <= ${options.watchMaxTimeoutSeconds}`,
          },
        ]);
      }
      const result =
        waitForVersion === undefined
          ? await store.effective(service, profile, reveal)
          : await watchEffective(store, options, watches, reply.raw, {
              caller: principal.sub,
              service,
              profile,
              reveal,
              waitForVersion,
              timeout,
            });
      reply.header('x-config-version', String(result.version));
      return result;
    },
  );
}

function registerReplaceConfig(app: SchemaTypedApp, store: ConfigService): void {
  app.put(
    '/config/:service',
    {
      config: { roles: ['service', 'admin'], services: ANY_SERVICE },
      schema: {
        tags: ['configuration'],
        summary:
          'Replace every key of the service (or profile) configuration; a stale expectedVersion is 409 and changes nothing',
        params: { type: 'object', required: ['service'], properties: serviceParam },
        querystring: { type: 'object', additionalProperties: false, properties: profileQuery },
        body: {
          type: 'object',
          required: ['expectedVersion', 'entries'],
          additionalProperties: false,
          properties: {
            expectedVersion,
            entries: { type: 'object', description: 'key -> any JSON value' },
            secretKeys: {
              type: 'array',
              maxItems: 1000,
              items: { type: 'string', minLength: 1, maxLength: 200 },
              description: 'Keys to store as secrets; keys already secret stay secret without being named',
            },
            declassify: {
              type: 'array',
              maxItems: 1000,
              items: { type: 'string', minLength: 1, maxLength: 200 },
              description: 'Secret keys to store as ordinary values from now on (admins only)',
            },
          },
        },
        response: { 200: writeResultSchema, ...errorResponses },
      },
    },
    async (request) => {
      assertMayWrite(requirePrincipal(request), request.params.service);
      return store.put(scopeOf(request), request.body, writeMeta(request), canSeeSecrets(request));
    },
  );
}

function registerSetKey(app: SchemaTypedApp, store: ConfigService): void {
  app.put(
    '/config/:service/keys/:key',
    {
      config: { roles: ['service', 'admin'], services: ANY_SERVICE },
      schema: {
        tags: ['configuration'],
        summary: 'Set one key; a stale expectedVersion is 409 and changes nothing',
        params: {
          type: 'object',
          required: ['service', 'key'],
          properties: { ...serviceParam, ...keyParam },
        },
        querystring: { type: 'object', additionalProperties: false, properties: profileQuery },
        body: {
          type: 'object',
          required: ['expectedVersion', 'value'],
          additionalProperties: false,
          properties: {
            expectedVersion,
            value: { description: 'Any JSON value' },
            secret: {
              type: 'boolean',
              description:
                'true stores the value as a secret; false on a secret key declassifies it (admins only)',
            },
          },
        },
        response: { 200: writeResultSchema, ...errorResponses },
      },
    },
    async (request) => {
      assertMayWrite(requirePrincipal(request), request.params.service);
      return store.putKey(
        scopeOf(request),
        request.params.key,
        request.body,
        writeMeta(request),
        canSeeSecrets(request),
      );
    },
  );
}

function registerDeleteKey(app: SchemaTypedApp, store: ConfigService): void {
  app.delete(
    '/config/:service/keys/:key',
    {
      config: { roles: ['service', 'admin'], services: ANY_SERVICE },
      schema: {
        tags: ['configuration'],
        summary: 'Remove one key; a stale expectedVersion is 409 and changes nothing',
        params: {
          type: 'object',
          required: ['service', 'key'],
          properties: { ...serviceParam, ...keyParam },
        },
        querystring: {
          type: 'object',
          required: ['expectedVersion'],
          additionalProperties: false,
          properties: { ...profileQuery, expectedVersion },
        },
        response: { 200: writeResultSchema, ...errorResponses },
      },
    },
    async (request) => {
      assertMayWrite(requirePrincipal(request), request.params.service);
      return store.deleteKey(
        scopeOf(request),
        request.params.key,
        request.query.expectedVersion,
        writeMeta(request),
        canSeeSecrets(request),
      );
    },
  );
}

function registerListVersions(app: SchemaTypedApp, store: ConfigService): void {
  app.get(
    '/config/:service/versions',
    {
      config: READERS,
      schema: {
        tags: ['configuration'],
        summary: 'Stored versions of the service (or profile) configuration, newest first',
        params: { type: 'object', required: ['service'], properties: serviceParam },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { ...profileQuery, ...pagingQuery },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              service: { type: 'string' },
              profile: { type: ['string', 'null'] },
              currentVersion: { type: 'integer' },
              versions: { type: 'array', items: sourceVersionSchema },
              pagination: { type: 'object', additionalProperties: true },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const scope = scopeOf(request);
      assertMayRead(requirePrincipal(request), scope.service);
      const { page, size } = request.query;
      const history = await store.history(scope, page, size, canSeeSecrets(request));
      return {
        service: scope.service,
        profile: scope.profile,
        currentVersion: history.currentVersion,
        versions: history.versions,
        pagination: pagination(page, size, history.total),
      };
    },
  );
}

function registerGetVersion(app: SchemaTypedApp, store: ConfigService): void {
  app.get(
    '/config/:service/versions/:version',
    {
      config: READERS,
      schema: {
        tags: ['configuration'],
        summary: 'One stored version',
        params: {
          type: 'object',
          required: ['service', 'version'],
          properties: { ...serviceParam, ...versionParam },
        },
        querystring: { type: 'object', additionalProperties: false, properties: profileQuery },
        response: { 200: sourceVersionSchema, ...errorResponses },
      },
    },
    async (request) => {
      assertMayRead(requirePrincipal(request), request.params.service);
      return store.version(scopeOf(request), request.params.version, canSeeSecrets(request));
    },
  );
}

function registerRestoreVersion(app: SchemaTypedApp, store: ConfigService): void {
  app.post(
    '/config/:service/versions/:version/restore',
    {
      config: { roles: ['service', 'admin'], services: ANY_SERVICE },
      schema: {
        tags: ['configuration'],
        summary: 'Store the keys of an earlier version as a new version',
        params: {
          type: 'object',
          required: ['service', 'version'],
          properties: { ...serviceParam, ...versionParam },
        },
        querystring: { type: 'object', additionalProperties: false, properties: profileQuery },
        body: {
          type: 'object',
          required: ['expectedVersion'],
          additionalProperties: false,
          properties: { expectedVersion },
        },
        response: { 200: writeResultSchema, ...errorResponses },
      },
    },
    async (request) => {
      assertMayWrite(requirePrincipal(request), request.params.service);
      return store.restore(
        scopeOf(request),
        request.params.version,
        request.body.expectedVersion,
        writeMeta(request),
        canSeeSecrets(request),
      );
    },
  );
}
