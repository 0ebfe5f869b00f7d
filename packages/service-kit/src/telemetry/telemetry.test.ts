import { SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp } from '../test-support/test-app.js';
import { inSpan } from './spans.js';
import { isTracing, startTelemetry, type Telemetry } from './start-telemetry.js';
import { loadTelemetryConfig, resourceAttributes, tracesEndpoint } from './telemetry-config.js';

let telemetry: Telemetry | undefined;
afterEach(async () => {
  await telemetry?.shutdown();
  telemetry = undefined;
});

describe('telemetry configuration', () => {
  it('is off unless OTEL_TRACES_EXPORTER names an exporter, and then registers nothing', async () => {
    for (const env of [
      {},
      { OTEL_TRACES_EXPORTER: 'none' },
      { OTEL_TRACES_EXPORTER: 'otlp', OTEL_SDK_DISABLED: 'true' },
    ]) {
      telemetry = startTelemetry({ serviceName: 's', serviceVersion: '1', env });
      expect(telemetry.enabled, JSON.stringify(env)).toBe(false);
      expect(isTracing()).toBe(false);
      const span = trace.getTracer('t').startSpan('x');
      expect(span.isRecording()).toBe(false);
    }
  });

  it('names the variable of a bad value', () => {
    expect(() => loadTelemetryConfig({ OTEL_TRACES_EXPORTER: 'zipkin' })).toThrow(/OTEL_TRACES_EXPORTER/);
    expect(() => loadTelemetryConfig({ OTEL_TRACES_SAMPLER_ARG: '2' })).toThrow(/OTEL_TRACES_SAMPLER_ARG/);
    expect(() => loadTelemetryConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' })).toThrow(
      /OTEL_EXPORTER_OTLP_ENDPOINT/,
    );
  });

  it('sends OTLP/http to /v1/traces under the endpoint unless the traces endpoint is given', () => {
    expect(tracesEndpoint(loadTelemetryConfig({}))).toBe('http://localhost:4318/v1/traces');
    expect(tracesEndpoint(loadTelemetryConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318/' }))).toBe(
      'http://jaeger:4318/v1/traces',
    );
    expect(
      tracesEndpoint(loadTelemetryConfig({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/custom' })),
    ).toBe('http://c:4318/custom');
    expect(resourceAttributes('deployment.environment=prod,team=a%20b,broken')).toEqual({
      'deployment.environment': 'prod',
      team: 'a b',
    });
  });
});

describe('traces across HTTP', () => {
  it('nests the work of a request under its span and carries the trace to the service it calls', async () => {
    const exporter = new InMemorySpanExporter();
    telemetry = startTelemetry({ serviceName: 'caller', serviceVersion: '1', exporter });
    const { app: callee } = await buildTestApp();
    callee.get('/api/v1/answer', { config: { public: true } }, async (request) => ({
      traceparent: request.headers.traceparent,
    }));
    const calleeUrl = await callee.listen({ host: '127.0.0.1', port: 0 });
    const { app: caller } = await buildTestApp();
    caller.get('/api/v1/ask', { config: { public: true } }, async () =>
      inSpan('use case', {}, async () => {
        // A traceparent set by hand is replaced by the client span's.
        const response = await fetch(`${calleeUrl}/api/v1/answer`, {
          headers: { traceparent: '00-11111111111111111111111111111111-2222222222222222-01' },
        });
        return response.json();
      }),
    );
    try {
      const answer = await caller.inject({ url: '/api/v1/ask' });
      expect(answer.statusCode).toBe(200);
      await telemetry.flush();
      const spans = exporter.getFinishedSpans();
      const byName = (name: string) => spans.find((span) => span.name === name)!;
      const server = byName('GET /api/v1/ask');
      const useCase = byName('use case');
      const client = spans.find((span) => span.kind === SpanKind.CLIENT)!;
      const remote = byName('GET /api/v1/answer');
      expect(new Set(spans.map((span) => span.spanContext().traceId)).size).toBe(1);
      expect(useCase.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
      expect(client.parentSpanContext?.spanId).toBe(useCase.spanContext().spanId);
      expect(client.attributes['http.response.status_code']).toBe(200);
      expect(remote.parentSpanContext?.spanId).toBe(client.spanContext().spanId);
      expect((answer.json() as { traceparent: string }).traceparent).toContain(client.spanContext().spanId);
      expect(answer.headers['x-trace-id']).toBe(server.spanContext().traceId);
    } finally {
      await caller.close();
      await callee.close();
    }
  });
});
