import { randomBytes } from 'node:crypto';
import {
  ROOT_CONTEXT,
  defaultTextMapGetter,
  defaultTextMapSetter,
  isSpanContextValid,
  trace,
  TraceFlags,
  type Context,
  type SpanContext,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

/**
 * The platform's one implementation of W3C Trace Context (https://www.w3.org/TR/trace-context/):
 * the standard OpenTelemetry propagator, used for HTTP headers and Kafka headers alike.
 */
const propagator = new W3CTraceContextPropagator();

/** Headers that carry a trace: HTTP request headers, or Kafka headers read as strings. */
export type TraceCarrier = Record<string, string | readonly string[] | undefined>;

/** The W3C trace context of one unit of work (an HTTP request, a consumed event). */
export interface TraceContext {
  /** 32 lower-case hex characters. */
  traceId: string;
  /** 16 lower-case hex characters: this unit of work's own span. */
  spanId: string;
  /** W3C trace flags; bit 0 is "sampled". */
  traceFlags: number;
  /** The `traceparent` header value to pass downstream. */
  traceparent: string;
}

export interface ParsedTraceparent {
  traceId: string;
  /** The caller's span, which becomes the parent of ours. */
  parentSpanId: string;
  traceFlags: number;
}

/** `base` with the remote span context (and trace state) the carrier holds, if any. */
export function extractTraceContext(
  carrier: TraceCarrier | undefined,
  base: Context = ROOT_CONTEXT,
): Context {
  return carrier ? propagator.extract(base, carrier, defaultTextMapGetter) : base;
}

/** Writes the span context of `context` (`traceparent`, `tracestate`) into `carrier`. */
export function injectTraceContext(context: Context, carrier: Record<string, string>): void {
  propagator.inject(context, carrier, defaultTextMapSetter);
}

/** The context a `traceparent` value names (ROOT_CONTEXT when it is missing or invalid). */
export function contextFromTraceparent(traceparent: string | null | undefined): Context {
  return traceparent ? extractTraceContext({ traceparent }) : ROOT_CONTEXT;
}

/**
 * Reads a W3C `traceparent` header. Returns undefined for anything that is not a valid
 * version-00 (or forward-compatible later version) header, as the specification requires.
 */
export function parseTraceparent(
  header: string | readonly string[] | undefined,
): ParsedTraceparent | undefined {
  const spanContext = trace.getSpanContext(extractTraceContext({ traceparent: header }));
  if (!spanContext || !isSpanContextValid(spanContext)) return undefined;
  return {
    traceId: spanContext.traceId,
    parentSpanId: spanContext.spanId,
    traceFlags: spanContext.traceFlags,
  };
}

export function formatTraceparent(traceId: string, spanId: string, traceFlags: number): string {
  const carrier: Record<string, string> = {};
  injectTraceContext(trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags }), carrier);
  return carrier.traceparent ?? '';
}

// Ids are cut from a pool of random bytes refilled 4 KiB at a time: one system call per 256 span ids
// instead of one each, on the path of every message while tracing is off.
let pool = Buffer.alloc(0);
let poolOffset = 0;

function randomHex(bytes: number): string {
  if (poolOffset + bytes > pool.length) {
    pool = randomBytes(4096);
    poolOffset = 0;
  }
  poolOffset += bytes;
  return pool.toString('hex', poolOffset - bytes, poolOffset);
}

export function generateTraceId(): string {
  return randomHex(16);
}

export function generateSpanId(): string {
  return randomHex(8);
}

export function createTraceContext(traceId: string, spanId: string, traceFlags: number): TraceContext {
  return { traceId, spanId, traceFlags, traceparent: formatTraceparent(traceId, spanId, traceFlags) };
}

/**
 * The trace context for new work: continues the caller's trace when `traceparent` is
 * valid, otherwise starts a new (sampled) trace.
 */
export function traceContextFrom(header: string | readonly string[] | undefined): TraceContext {
  const parent = parseTraceparent(header);
  return parent
    ? createTraceContext(parent.traceId, generateSpanId(), parent.traceFlags)
    : createTraceContext(generateTraceId(), generateSpanId(), TraceFlags.SAMPLED);
}

/**
 * The trace context of a span started as a child of `parent`. With a tracer SDK the span has ids of
 * its own; without one (tracing off) the API hands back a span that merely echoes its parent, or an
 * invalid one for a new trace, and the work gets ids of its own here so logs and events still carry a
 * trace id.
 */
export function ownTraceContext(spanContext: SpanContext, parent: SpanContext | undefined): TraceContext {
  if (isSpanContextValid(spanContext) && spanContext.spanId !== parent?.spanId) {
    return createTraceContext(spanContext.traceId, spanContext.spanId, spanContext.traceFlags);
  }
  return parent && isSpanContextValid(parent)
    ? createTraceContext(parent.traceId, generateSpanId(), parent.traceFlags)
    : createTraceContext(generateTraceId(), generateSpanId(), TraceFlags.SAMPLED);
}

/** `context` with the span of `own` as its current span (used when the tracer recorded nothing). */
export function contextWith(context: Context, own: TraceContext): Context {
  return trace.setSpanContext(context, {
    traceId: own.traceId,
    spanId: own.spanId,
    traceFlags: own.traceFlags,
  });
}
