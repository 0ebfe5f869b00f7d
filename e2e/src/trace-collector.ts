import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** One span as an OTLP/http JSON export carries it, with the service that recorded it. */
export interface CollectedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  /** OTLP span kind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
}

export interface TraceCollector {
  /** The base endpoint to give the services as OTEL_EXPORTER_OTLP_ENDPOINT. */
  url: string;
  spans(traceId: string): CollectedSpan[];
  close(): Promise<void>;
}

interface OtlpExport {
  resourceSpans?: {
    resource?: { attributes?: { key: string; value: { stringValue?: string } }[] };
    scopeSpans?: {
      spans?: { traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number }[];
    }[];
  }[];
}

/**
 * The receiving end of OTLP/http (JSON) traces, as an OpenTelemetry collector or Jaeger would run it:
 * the services of the platform export to it with their standard OTEL_* variables.
 */
export async function startTraceCollector(): Promise<TraceCollector> {
  const collected: CollectedSpan[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      // What the tests read: the spans of one trace.
      const query = new URL(request.url ?? '/', 'http://collector');
      if (request.method === 'GET' && query.pathname === '/spans') {
        const traceId = query.searchParams.get('traceId');
        response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify(collected.filter((span) => span.traceId === traceId)));
        return;
      }
      if (request.method !== 'POST' || request.url !== '/v1/traces') {
        response.writeHead(404).end();
        return;
      }
      let body = Buffer.concat(chunks);
      if (request.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      collected.push(...spansOf(JSON.parse(body.toString('utf8')) as OtlpExport));
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans: (traceId) => collected.filter((span) => span.traceId === traceId),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function spansOf(data: OtlpExport): CollectedSpan[] {
  return (data.resourceSpans ?? []).flatMap((resourceSpans) => {
    const service =
      resourceSpans.resource?.attributes?.find((attribute) => attribute.key === 'service.name')?.value
        .stringValue ?? 'unknown';
    return (resourceSpans.scopeSpans ?? []).flatMap((scope) =>
      (scope.spans ?? []).map((span) => ({
        service,
        traceId: span.traceId,
        spanId: span.spanId,
        parentSpanId: span.parentSpanId || null,
        name: span.name,
        kind: span.kind,
      })),
    );
  });
}
