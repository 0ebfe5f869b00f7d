import diagnostics from 'node:diagnostics_channel';
import { context, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { recordSpanError, tracer } from './spans.js';
import { injectTraceContext } from '../trace-context.js';

/** The part of an undici request (Node's `fetch`) its diagnostics channels hand out. */
interface UndiciRequest {
  origin: string;
  method: string;
  path: string;
  /** name, value, name, value, ... */
  headers: string[] | string;
  addHeader(name: string, value: string): unknown;
}

const spans = new WeakMap<UndiciRequest, Span>();

/**
 * Client spans around `fetch` calls made inside a traced unit of work (an HTTP request, a consumed
 * event), through Node's undici diagnostics channels, with the span's `traceparent` sent along
 * (replacing one the caller set by hand). Background polls outside any trace record nothing.
 * Returns the function that stops it.
 */
export function traceFetchCalls(): () => void {
  const handlers: [string, (message: unknown) => void][] = [
    ['undici:request:create', (message) => onCreate((message as { request: UndiciRequest }).request)],
    [
      'undici:request:headers',
      (message) => {
        const { request, response } = message as { request: UndiciRequest; response: { statusCode: number } };
        const span = spans.get(request);
        if (!span) return;
        span.setAttribute('http.response.status_code', response.statusCode);
        if (response.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      },
    ],
    ['undici:request:trailers', (message) => end((message as { request: UndiciRequest }).request)],
    [
      'undici:request:error',
      (message) => {
        const { request, error } = message as { request: UndiciRequest; error: unknown };
        const span = spans.get(request);
        if (span) recordSpanError(span, error);
        end(request);
      },
    ],
  ];
  for (const [name, handler] of handlers) diagnostics.subscribe(name, handler);
  return () => {
    for (const [name, handler] of handlers) diagnostics.unsubscribe(name, handler);
  };
}

function onCreate(request: UndiciRequest): void {
  const active = context.active();
  if (!trace.getSpan(active)?.isRecording() || !Array.isArray(request.headers)) return;
  const url = `${request.origin}${request.path}`;
  const span = tracer.startSpan(
    `${request.method}`,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'http.request.method': request.method,
        'url.full': url.split('?', 1)[0] ?? url,
        'server.address': new URL(request.origin).hostname,
      },
    },
    active,
  );
  spans.set(request, span);
  const carrier: Record<string, string> = {};
  injectTraceContext(trace.setSpan(active, span), carrier);
  for (const [name, value] of Object.entries(carrier)) setHeader(request, name, value);
}

function setHeader(request: UndiciRequest, name: string, value: string): void {
  const headers = request.headers as string[];
  for (let i = 0; i < headers.length; i += 2) {
    if (headers[i]?.toLowerCase() === name) {
      headers[i + 1] = value;
      return;
    }
  }
  request.addHeader(name, value);
}

function end(request: UndiciRequest): void {
  const span = spans.get(request);
  if (!span) return;
  spans.delete(request);
  span.end();
}
