import { randomBytes } from 'node:crypto';

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

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const INVALID_TRACE_ID = '0'.repeat(32);
const INVALID_SPAN_ID = '0'.repeat(16);

/**
 * Reads a W3C `traceparent` header. Returns undefined for anything that is not a valid
 * version-00 (or forward-compatible later version) header, as the specification requires.
 */
export function parseTraceparent(
  header: string | readonly string[] | undefined,
): ParsedTraceparent | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (typeof value !== 'string') return undefined;
  const match = TRACEPARENT.exec(value.trim().toLowerCase());
  if (!match) return undefined;
  const [, version, traceId, parentSpanId, flags, rest] = match;
  if (version === undefined || traceId === undefined || parentSpanId === undefined || flags === undefined) {
    return undefined;
  }
  if (version === 'ff') return undefined;
  if (version === '00' && rest !== undefined) return undefined;
  if (traceId === INVALID_TRACE_ID || parentSpanId === INVALID_SPAN_ID) return undefined;
  return { traceId, parentSpanId, traceFlags: Number.parseInt(flags, 16) };
}

export function formatTraceparent(traceId: string, spanId: string, traceFlags: number): string {
  return `00-${traceId}-${spanId}-${(traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

export function generateTraceId(): string {
  return randomBytes(16).toString('hex');
}

export function generateSpanId(): string {
  return randomBytes(8).toString('hex');
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
    : createTraceContext(generateTraceId(), generateSpanId(), 1);
}
