import { SpanKind, trace, type Context, type Span } from '@opentelemetry/api';
import {
  contextFromTraceparent,
  contextWith,
  extractTraceContext,
  ownTraceContext,
  tracer,
  type TraceContext,
} from '@fv/service-kit/telemetry';
import { HEADERS } from './headers.js';

/**
 * Spans of the messaging layer, after the OpenTelemetry messaging conventions: `publish <topic>` when an
 * event is written to the outbox, `send <topic>` when the relay hands it to Kafka, `process <topic>`
 * when a consumer applies it. The trace context travels in the message's `traceparent`/`tracestate`
 * headers, written and read by the one W3C propagator of `@fv/service-kit/telemetry`.
 */
export interface MessageSpan {
  span: Span;
  /** The context to run the span's work in (the span current). */
  context: Context;
  /** The span's ids (ids of its own when tracing is off, so logs and events still carry a trace). */
  trace: TraceContext;
}

function startMessageSpan(
  name: string,
  kind: SpanKind,
  parent: Context,
  attributes: Record<string, string | number>,
): MessageSpan {
  const span = tracer.startSpan(name, { kind, attributes }, parent);
  const own = ownTraceContext(span.spanContext(), trace.getSpanContext(parent));
  const context = span.isRecording() ? trace.setSpan(parent, span) : contextWith(parent, own);
  return { span, context, trace: own };
}

/**
 * The parent of an event written to the outbox: the active span (a handler's, a request's) when it is
 * in the trace the caller names, or the caller's `traceparent` (explicitly passed, so events keep their
 * trace without a context manager).
 */
export function publishParent(active: Context, traceparent: string | null | undefined): Context {
  const current = trace.getSpanContext(active);
  const named = contextFromTraceparent(traceparent);
  const namedTrace = trace.getSpanContext(named)?.traceId;
  if (current && (!namedTrace || current.traceId === namedTrace)) return active;
  return named;
}

/** `publish <topic>`: an event written to the outbox (ends at once; its context goes in the headers). */
export function startPublishSpan(
  parent: Context,
  topic: string,
  eventName: string,
  eventId: string,
): MessageSpan {
  return startMessageSpan(`publish ${topic}`, SpanKind.PRODUCER, parent, {
    'messaging.system': 'kafka',
    'messaging.operation.type': 'create',
    'messaging.destination.name': topic,
    'messaging.message.id': eventId,
    'fv.event.name': eventName,
  });
}

/** `send <topic>`: the relay handing a stored event to Kafka, a child of its `publish` span. */
export function startSendSpan(headers: Record<string, string>, topic: string, eventId: string): MessageSpan {
  return startMessageSpan(`send ${topic}`, SpanKind.PRODUCER, extractTraceContext(headers), {
    'messaging.system': 'kafka',
    'messaging.operation.type': 'send',
    'messaging.destination.name': topic,
    'messaging.message.id': eventId,
  });
}

/** `process <topic>`: a consumer applying a message, a child of the span in its headers. */
export function startProcessSpan(
  headers: Record<string, string>,
  group: string,
  topic: string,
  partition: number,
  offset: string,
): MessageSpan {
  return startMessageSpan(`process ${topic}`, SpanKind.CONSUMER, extractTraceContext(headers), {
    'messaging.system': 'kafka',
    'messaging.operation.type': 'process',
    'messaging.destination.name': topic,
    'messaging.consumer.group.name': group,
    'messaging.destination.partition.id': String(partition),
    'messaging.kafka.offset': offset,
    ...(headers[HEADERS.eventId] ? { 'messaging.message.id': headers[HEADERS.eventId] } : {}),
  });
}
