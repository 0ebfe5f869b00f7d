import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import {
  context as contextApi,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { LogController, type FastifyPluginAsync, type FastifyReply, type FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import {
  contextWith,
  extractTraceContext,
  ownTraceContext,
  traceContextFrom,
  type TraceContext,
} from './trace-context.js';

export const CORRELATION_ID_HEADER = 'x-correlation-id';
export const TRACE_ID_HEADER = 'x-trace-id';
export const TRACEPARENT_HEADER = 'traceparent';

/** Route label for requests that matched no route (metrics, spans, logs). */
export const UNMATCHED_ROUTE = 'unmatched';

// Accepts UUIDs and prefixed ids such as `ord-...`; anything else (too long, control
// characters, spaces) is replaced so a header cannot forge or break log lines.
const CORRELATION_ID = /^[A-Za-z0-9][A-Za-z0-9._:@/+=-]{0,127}$/;

/** The caller's correlation id when it is well-formed, a new UUID otherwise. */
export function correlationIdFrom(header: string | readonly string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return typeof value === 'string' && CORRELATION_ID.test(value) ? value : randomUUID();
}

/** fastify `genReqId`: the request id is the correlation id. */
export function requestIdFromHeaders(raw: IncomingMessage): string {
  return correlationIdFrom(raw.headers[CORRELATION_ID_HEADER]);
}

const kTraceContext = Symbol('fv.traceContext');
const kSpanEnded = Symbol('fv.spanEnded');

declare module 'fastify' {
  interface FastifyRequest {
    /** Same value as `request.id`: taken from `X-Correlation-Id` or generated. */
    readonly correlationId: string;
    /** W3C trace context of this request, continued from `traceparent` when present. */
    readonly traceContext: TraceContext;
    /** The server span of this request (non-recording unless a tracer SDK is installed). */
    span: Span | null;
    [kTraceContext]: TraceContext | null;
    [kSpanEnded]: boolean;
  }
}

/**
 * The request's trace context. Requests rejected before routing (a malformed URL) are
 * built by fastify without this package's decorations; they get a fresh context.
 */
export function traceContextOf(request: FastifyRequest): TraceContext {
  return (
    (request.traceContext as TraceContext | undefined) ??
    traceContextFrom(request.headers[TRACEPARENT_HEADER])
  );
}

/** Echoes the correlation and trace ids to the caller. */
export function setContextHeaders(request: FastifyRequest, reply: FastifyReply, context: TraceContext): void {
  reply.header(CORRELATION_ID_HEADER, request.id);
  reply.header(TRACE_ID_HEADER, context.traceId);
  reply.header(TRACEPARENT_HEADER, context.traceparent);
}

export function routeLabel(request: FastifyRequest): string {
  return request.routeOptions.url ?? UNMATCHED_ROUTE;
}

function startServerSpan(
  tracer: Tracer,
  request: FastifyRequest,
): { span: Span; context: TraceContext; active: Context } {
  const parentContext = extractTraceContext(request.headers);
  const route = routeLabel(request);
  const span = tracer.startSpan(
    `${request.method} ${route}`,
    {
      kind: SpanKind.SERVER,
      attributes: {
        'http.request.method': request.method,
        'http.route': route,
        'url.path': request.url.split('?', 1)[0] ?? request.url,
      },
    },
    parentContext,
  );
  // With a tracer SDK installed the span carries real ids; without one it merely echoes the parent
  // (or is invalid), and the request gets ids of its own, current for the work it does.
  const own = ownTraceContext(span.spanContext(), trace.getSpanContext(parentContext));
  const active = span.isRecording() ? trace.setSpan(parentContext, span) : contextWith(parentContext, own);
  return { span, context: own, active };
}

function endSpan(request: FastifyRequest, reply: FastifyReply | undefined): void {
  const span = request.span;
  if (!span || request[kSpanEnded]) return;
  request[kSpanEnded] = true;
  if (reply) {
    span.setAttribute('http.response.status_code', reply.statusCode);
    if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  } else {
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'request aborted by the client' });
  }
  span.end();
}

/**
 * fastify's per-request log lines, shaped for the platform: nothing on arrival (the trace
 * id is bound only once the request context hook has run) and one line on completion
 * with the route pattern, status and duration. Everything else fastify logs (serializer
 * failures, stream errors) is kept.
 */
export class RequestLogController extends LogController {
  constructor() {
    super({ requestIdLogLabel: 'correlationId' });
  }

  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const line = {
      method: request.method,
      url: request.url,
      route: routeLabel(request),
      statusCode: reply.statusCode,
      responseTimeMs: Math.round(reply.elapsedTime * 100) / 100,
    };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request completed');
  }
}

/**
 * Gives each request its correlation id and trace context, echoes both in the response
 * headers, binds them to `request.log` and wraps the request in a server span.
 */
const requestContextPlugin: FastifyPluginAsync = async (app) => {
  // Resolved per app, so a tracer SDK registered before the app is built is the one used.
  const tracer = trace.getTracer('@fv/service-kit');
  app.decorateRequest(kTraceContext, null);
  app.decorateRequest(kSpanEnded, false);
  app.decorateRequest('span', null);
  app.decorateRequest('correlationId', {
    getter(this: FastifyRequest) {
      return this.id;
    },
  });
  app.decorateRequest('traceContext', {
    getter(this: FastifyRequest) {
      // Requests rejected before any hook ran (a malformed URL) still get a trace id.
      this[kTraceContext] ??= traceContextFrom(this.headers[TRACEPARENT_HEADER]);
      return this[kTraceContext];
    },
  });

  // A callback hook, so the route's handler (and whatever it awaits) runs with the request's span as
  // the active context: spans it starts, events it publishes and calls it makes are its children.
  app.addHook('onRequest', (request, reply, done) => {
    const { span, context, active } = startServerSpan(tracer, request);
    request.span = span;
    request[kTraceContext] = context;

    const log = request.log.child({ traceId: context.traceId });
    request.log = log;
    reply.log = log;

    setContextHeaders(request, reply, context);
    contextApi.with(active, done);
  });

  app.addHook('onResponse', async (request, reply) => {
    endSpan(request, reply);
  });

  app.addHook('onRequestAbort', async (request) => {
    request.log.info(
      { method: request.method, url: request.url, route: routeLabel(request) },
      'request aborted',
    );
    endSpan(request, undefined);
  });
};

export const requestContext = fp(requestContextPlugin, {
  name: '@fv/service-kit/request-context',
  fastify: '5.x',
});
