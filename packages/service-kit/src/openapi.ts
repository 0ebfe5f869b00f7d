import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyPluginAsync, FastifySchema, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { API_PREFIX } from './auth.js';

export interface OpenApiOptions {
  title: string;
  version: string;
  description?: string;
  servers?: { url: string; description?: string }[];
}

export const DOCS_PREFIX = '/docs';
export const BEARER_SCHEME = 'bearerAuth';

const errorResponse = (description: string) => ({ description, $ref: 'ErrorEnvelope#' });

type DocumentedSchema = FastifySchema & {
  security?: Record<string, string[]>[];
  response?: Record<string, unknown>;
};

/**
 * The OpenAPI view of one route: routes under /api/v1 that do not opt out require the
 * bearer scheme, and the error responses every route can give are listed with the
 * shared envelope unless the route documents them itself.
 */
export function documentRoute(
  schema: FastifySchema | undefined,
  route: Pick<RouteOptions, 'url' | 'config'>,
) {
  const config = (route.config ?? {}) as { public?: boolean; probe?: boolean; rateLimit?: unknown };
  const documented: DocumentedSchema = { ...(schema as DocumentedSchema | undefined) };
  const isProtected =
    (route.url === API_PREFIX || route.url.startsWith(`${API_PREFIX}/`)) && config.public !== true;
  documented.security ??= isProtected ? [{ [BEARER_SCHEME]: [] }] : [];

  if (config.probe !== true) {
    const response: Record<string, unknown> = { ...documented.response };
    const add = (status: string, description: string) => {
      if (!(status in response)) response[status] = errorResponse(description);
    };
    if (documented.body || documented.querystring || documented.params || documented.headers) {
      add('400', 'INVALID_REQUEST: the request breaks its schema; details.fields names each field');
    }
    if (isProtected) {
      add('401', 'AUTHENTICATION_REQUIRED: missing, invalid or expired bearer token');
      add('403', 'INSUFFICIENT_PERMISSIONS: the token lacks a required role');
    }
    if (config.rateLimit !== false) add('429', 'RATE_LIMIT_EXCEEDED: see the Retry-After header');
    add('500', 'INTERNAL_ERROR');
    documented.response = response;
  }
  return documented;
}

/** OpenAPI 3.0.3 document built from route schemas at /docs/json, with the UI at /docs. */
const openApiPlugin: FastifyPluginAsync<OpenApiOptions> = async (app, options) => {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: options.title,
        version: options.version,
        ...(options.description === undefined ? {} : { description: options.description }),
      },
      ...(options.servers === undefined ? {} : { servers: options.servers }),
      tags: [{ name: 'operations', description: 'Probes, health and metrics' }],
      components: {
        securitySchemes: {
          [BEARER_SCHEME]: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        },
      },
    },
    transform: ({ schema, url, route }) => ({
      schema: documentRoute(schema, { url, config: route.config }),
      url,
    }),
    // Shared schemas appear under their own $id (`ErrorEnvelope`) rather than `def-<n>`.
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json.$id === 'string' ? json.$id : `def-${i}`,
    },
  });

  await app.register(swaggerUi, {
    routePrefix: DOCS_PREFIX,
    uiConfig: { persistAuthorization: true, deepLinking: true },
  });
};

export const openApi = fp(openApiPlugin, { name: '@fv/service-kit/openapi', fastify: '5.x' });
