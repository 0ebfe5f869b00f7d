import {
  trace,
  TraceFlags,
  type Context,
  type Span,
  type SpanContext,
  type SpanOptions,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { correlationIdFrom } from './request-context.js';
import { buildTestApp } from './test-support/test-app.js';
import { formatTraceparent, parseTraceparent, traceContextFrom } from './trace-context.js';

interface RecordedSpan {
  name: string;
  parent: SpanContext | undefined;
  attributes: Record<string, unknown>;
  status: number | undefined;
  ended: boolean;
}

/** A tracer that records spans the way an SDK would, with ids of its own. */
class RecordingProvider implements TracerProvider {
  readonly spans: RecordedSpan[] = [];
  #next = 1;

  getTracer(): Tracer {
    const spans = this.spans;
    const nextSpanId = () => (this.#next++).toString(16).padStart(16, '0');
    return {
      startSpan(name: string, options?: SpanOptions, context?: Context): Span {
        const parent = context ? trace.getSpanContext(context) : undefined;
        const record: RecordedSpan = {
          name,
          parent,
          attributes: { ...options?.attributes },
          status: undefined,
          ended: false,
        };
        spans.push(record);
        const spanContext: SpanContext = {
          traceId: parent?.traceId ?? 'abcdefabcdefabcdefabcdefabcdef01',
          spanId: nextSpanId(),
          traceFlags: TraceFlags.SAMPLED,
        };
        const span: Span = {
          spanContext: () => spanContext,
          setAttribute: (key, value) => {
            record.attributes[key] = value;
            return span;
          },
          setAttributes: () => span,
          addEvent: () => span,
          addLink: () => span,
          addLinks: () => span,
          setStatus: (status) => {
            record.status = status.code;
            return span;
          },
          updateName: () => span,
          end: () => {
            record.ended = true;
          },
          isRecording: () => true,
          recordException: () => {},
        };
        return span;
      },
      startActiveSpan: (() => {
        throw new Error('not used');
      }) as Tracer['startActiveSpan'],
    };
  }
}

afterEach(() => {
  trace.disable();
});

describe('server spans', () => {
  it('continues the caller trace in a span named after the route and reports its ids', async () => {
    const provider = new RecordingProvider();
    trace.setGlobalTracerProvider(provider);
    const { app } = await buildTestApp();
    await app.register(async (api) => api.get('/items/:id', { config: { public: true } }, async () => ({})), {
      prefix: '/api/v1',
    });

    const response = await app.inject({
      method: 'GET',
      url: '/api/v1/items/42',
      headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
    });
    await app.close();

    const span = provider.spans.find((recorded) => recorded.name === 'GET /api/v1/items/:id');
    expect(span).toMatchObject({
      parent: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', isRemote: true },
      attributes: { 'http.route': '/api/v1/items/:id', 'http.response.status_code': 200 },
      ended: true,
    });
    expect(response.headers['x-trace-id']).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(response.headers.traceparent).toBe('00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000001-01');
  });

  it('marks a failed request on its span', async () => {
    const provider = new RecordingProvider();
    trace.setGlobalTracerProvider(provider);
    const { app } = await buildTestApp();
    await app.register(
      async (api) =>
        api.get('/fails', { config: { public: true } }, async () => {
          throw new Error('boom');
        }),
      { prefix: '/api/v1' },
    );
    await app.inject({ method: 'GET', url: '/api/v1/fails' });
    await app.close();
    const span = provider.spans.find((recorded) => recorded.name === 'GET /api/v1/fails');
    expect(span).toMatchObject({ status: 2, attributes: { 'http.response.status_code': 500 }, ended: true });
  });
});

describe('trace context helpers', () => {
  it('parses and formats traceparent', () => {
    expect(parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toEqual({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      parentSpanId: '00f067aa0ba902b7',
      traceFlags: 1,
    });
    expect(formatTraceparent('4bf92f3577b34da6a3ce929d0e0e4736', '00f067aa0ba902b7', 0)).toBe(
      '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00',
    );
  });

  it('rejects invalid headers', () => {
    for (const header of [
      undefined,
      '',
      'garbage',
      '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
      '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01',
      'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra',
    ]) {
      expect(parseTraceparent(header), String(header)).toBeUndefined();
    }
    expect(parseTraceparent('01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future')).toBeDefined();
  });

  it('starts a new sampled trace without a valid parent', () => {
    const context = traceContextFrom(undefined);
    expect(context.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(context.traceparent).toBe(`00-${context.traceId}-${context.spanId}-01`);
  });

  it('accepts well-formed correlation ids only', () => {
    expect(correlationIdFrom('ord-550e8400-e29b-41d4-a716-446655440000')).toBe(
      'ord-550e8400-e29b-41d4-a716-446655440000',
    );
    expect(correlationIdFrom(['first', 'second'])).toBe('first');
    expect(correlationIdFrom('x'.repeat(200))).toMatch(/^[0-9a-f-]{36}$/);
    expect(correlationIdFrom('bad id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
