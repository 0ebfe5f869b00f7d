import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ZodError } from 'zod';
import { setContextHeaders, traceContextOf } from './request-context.js';
import type { TraceContext } from './trace-context.js';
import {
  AppError,
  errorEnvelopeSchemaOf,
  internalError,
  invalidFields,
  notFound,
  toErrorEnvelope,
  type ErrorCode,
  type FieldIssue,
  type ServiceErrorCodes,
} from './errors.js';

interface ValidationIssue {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string | undefined;
}

const LOCATION_NAMES: Record<string, string> = {
  body: 'body',
  querystring: 'query',
  params: 'params',
  headers: 'headers',
};

/** `/items/0/quantity` -> `items[0].quantity` */
function pointerToPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, segment) => {
      if (/^\d+$/.test(segment)) return `${path}[${segment}]`;
      return path ? `${path}.${segment}` : segment;
    }, '');
}

function joinPath(location: string, path: string): string {
  if (!path) return location;
  return path.startsWith('[') ? `${location}${path}` : `${location}.${path}`;
}

/** Names the field and the rule of each schema violation fastify reports. */
export function fieldIssuesFromValidation(
  issues: readonly ValidationIssue[],
  context: string | undefined,
): FieldIssue[] {
  const location = LOCATION_NAMES[context ?? 'body'] ?? context ?? 'body';
  return issues.map((issue) => {
    let path = pointerToPath(issue.instancePath);
    const { missingProperty, additionalProperty } = issue.params;
    if (issue.keyword === 'required' && typeof missingProperty === 'string') {
      path = path ? `${path}.${missingProperty}` : missingProperty;
    } else if (issue.keyword === 'additionalProperties' && typeof additionalProperty === 'string') {
      path = path ? `${path}.${additionalProperty}` : additionalProperty;
    }
    return {
      field: joinPath(location, path),
      rule: issue.keyword,
      message: issue.message ?? `must satisfy ${issue.keyword}`,
    };
  });
}

/** Names the field and the rule of each zod issue, for handlers that parse with zod. */
export function fieldIssuesFromZod(error: ZodError, location = 'body'): FieldIssue[] {
  return error.issues.map((issue) => {
    const path = issue.path.reduce<string>((acc, segment) => {
      if (typeof segment === 'number') return `${acc}[${segment}]`;
      return acc ? `${acc}.${segment}` : segment;
    }, '');
    return { field: joinPath(location, path), rule: issue.code, message: issue.message };
  });
}

const STATUS_CODES: Partial<Record<number, ErrorCode>> = {
  400: 'INVALID_REQUEST',
  401: 'AUTHENTICATION_REQUIRED',
  403: 'INSUFFICIENT_PERMISSIONS',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE_ENTITY',
  429: 'RATE_LIMIT_EXCEEDED',
};

function isFastifyError(error: unknown): error is FastifyError {
  return error instanceof Error && ('statusCode' in error || 'validation' in error || 'code' in error);
}

/**
 * Turns anything thrown while serving a request into an {@link AppError}. Client errors
 * keep their message; any other failure becomes INTERNAL_ERROR with a generic message.
 */
export function toAppError(error: unknown, request?: FastifyRequest): AppError {
  if (error instanceof AppError) return error;

  if (error instanceof ZodError) {
    return invalidFields(fieldIssuesFromZod(error));
  }

  if (isFastifyError(error)) {
    if (Array.isArray(error.validation)) {
      return invalidFields(fieldIssuesFromValidation(error.validation, error.validationContext));
    }
    switch (error.code) {
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
        return new AppError('INVALID_REQUEST', 'Request body is not valid JSON', { cause: error });
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return new AppError(
          'INVALID_REQUEST',
          "Request body is empty but Content-Type is 'application/json'",
          {
            cause: error,
          },
        );
      case 'FST_ERR_CTP_BODY_TOO_LARGE': {
        const limitBytes = request?.routeOptions.bodyLimit;
        return new AppError('PAYLOAD_TOO_LARGE', 'Request body is larger than this service accepts', {
          cause: error,
          details: limitBytes === undefined ? {} : { limitBytes },
        });
      }
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': {
        const contentType = request?.headers['content-type'];
        return new AppError(
          'UNSUPPORTED_MEDIA_TYPE',
          'The Content-Type of the request body is not supported',
          {
            cause: error,
            details: contentType === undefined ? {} : { contentType },
          },
        );
      }
      default:
        break;
    }
    // Client errors raised by fastify itself (and a route-level rate limit) describe the
    // request, so their message is safe to show. A 4xx status on any other error may come
    // from a downstream call and says nothing about this request: it is an internal error.
    const status = error.statusCode;
    const fromFramework = (typeof error.code === 'string' && error.code.startsWith('FST_')) || status === 429;
    if (fromFramework && status !== undefined && status >= 400 && status < 500) {
      return new AppError(STATUS_CODES[status] ?? 'INVALID_REQUEST', error.message, { cause: error });
    }
  }

  return internalError(undefined, error);
}

function logError(request: FastifyRequest, error: unknown, appError: AppError): void {
  if (appError.status >= 500) {
    request.log.error({ err: error, code: appError.code }, `request failed: ${appError.message}`);
  } else {
    request.log.info(
      { code: appError.code, details: appError.details },
      `request rejected: ${appError.message}`,
    );
  }
}

/** Sends `error` as the platform's error envelope. */
export function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  error: unknown,
  context: TraceContext = traceContextOf(request),
): FastifyReply {
  const appError = toAppError(error, request);
  logError(request, error, appError);
  for (const [name, value] of Object.entries(appError.headers)) reply.header(name, value);
  const { traceId } = context;
  return reply
    .code(appError.status)
    .type('application/json; charset=utf-8')
    .send(toErrorEnvelope(appError, traceId));
}

export interface ErrorHandlingOptions {
  /** The service's own error codes, listed in its `ErrorEnvelope` schema beside the shared ones. */
  errorCodes?: ServiceErrorCodes | undefined;
}

const errorHandlingPlugin: FastifyPluginAsync<ErrorHandlingOptions> = async (app, options) => {
  app.addSchema(errorEnvelopeSchemaOf(options.errorCodes?.codes));

  app.setErrorHandler((error, request, reply) => sendError(request, reply, error));

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?', 1)[0] ?? request.url;
    return sendError(request, reply, notFound('NOT_FOUND', `Route ${request.method} ${path} not found`));
  });
};

export const errorHandling = fp(errorHandlingPlugin, {
  name: '@fv/service-kit/error-handling',
  fastify: '5.x',
});

/** fastify `frameworkErrors`: errors raised before routing (a malformed URL) use the envelope too. */
export function handleFrameworkError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const context = traceContextOf(request);
  setContextHeaders(request, reply, context);
  void sendError(request, reply, error, context);
}
