import {
  context as contextApi,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
  type SpanOptions,
} from '@opentelemetry/api';

/**
 * The platform's tracer. Resolved through the API's proxy, so it records once `startTelemetry` has
 * registered the SDK and costs next to nothing (no-op spans) while tracing is off.
 */
export const tracer = trace.getTracer('@fv/platform');

/** Marks `span` as failed by `error`. */
export function recordSpanError(span: Span, error: unknown): void {
  if (!span.isRecording()) return;
  span.recordException(error instanceof Error ? error : new Error(String(error)));
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  });
}

/**
 * Runs `fn` in a span that is a child of `parent` (the active context by default) and current while
 * `fn` runs; the span ends when `fn` settles and carries its error, if any.
 */
export async function inSpan<T>(
  name: string,
  options: SpanOptions,
  fn: (span: Span, context: Context) => Promise<T>,
  parent: Context = contextApi.active(),
): Promise<T> {
  const span = tracer.startSpan(name, options, parent);
  const context = trace.setSpan(parent, span);
  try {
    return await contextApi.with(context, fn, undefined, span, context);
  } catch (error) {
    recordSpanError(span, error);
    throw error;
  } finally {
    span.end();
  }
}
