import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type Sampler,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import type { Environment } from '../config.js';
import { traceFetchCalls } from './fetch-spans.js';
import {
  loadTelemetryConfig,
  resourceAttributes,
  tracesEndpoint,
  type TelemetryConfig,
} from './telemetry-config.js';

export interface TelemetryOptions {
  serviceName: string;
  serviceVersion: string;
  env?: Environment;
  /** Spans go here (each ended span at once), whatever OTEL_TRACES_EXPORTER says: for tests. */
  exporter?: SpanExporter;
}

export interface Telemetry {
  /** False when tracing is off: no SDK was registered and spans are no-ops. */
  readonly enabled: boolean;
  /** Exports what is buffered. */
  flush(): Promise<void>;
  /** Flushes and unregisters the SDK (the process may start it again). */
  shutdown(): Promise<void>;
}

const OFF: Telemetry = { enabled: false, flush: async () => undefined, shutdown: async () => undefined };

let running: Telemetry | null = null;

/** True while an SDK registered by `startTelemetry` records spans (lets hot paths skip span work). */
export function isTracing(): boolean {
  return running !== null;
}

/**
 * Registers the OpenTelemetry SDK for this process, once, before the service is built: a tracer
 * provider exporting over OTLP/http (or to the console), the AsyncLocalStorage context manager and
 * the W3C propagator, and spans around `fetch` calls. With OTEL_TRACES_EXPORTER unset or `none`
 * (the default) nothing is registered, so every span is a no-op.
 */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  // A second service in the same process (tests) shares the SDK and leaves its shutdown to the first.
  if (running) return { enabled: true, flush: running.flush, shutdown: running.flush };
  const config = loadTelemetryConfig(options.env ?? process.env);
  const processors = spanProcessors(config, options.exporter);
  if (config.OTEL_SDK_DISABLED || processors.length === 0) return OFF;

  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      ...resourceAttributes(config.OTEL_RESOURCE_ATTRIBUTES),
      'service.name': config.OTEL_SERVICE_NAME ?? options.serviceName,
      'service.version': options.serviceVersion,
    }),
    sampler: sampler(config),
    spanProcessors: processors,
  });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  const stopTracingFetch = traceFetchCalls();

  const telemetry: Telemetry = {
    enabled: true,
    flush: () => provider.forceFlush(),
    async shutdown() {
      if (running !== telemetry) return;
      running = null;
      stopTracingFetch();
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
  running = telemetry;
  return telemetry;
}

function spanProcessors(config: TelemetryConfig, exporter: SpanExporter | undefined): SpanProcessor[] {
  if (exporter) return [new SimpleSpanProcessor({ exporter })];
  return config.OTEL_TRACES_EXPORTER.map((name) => {
    if (name === 'console') return new SimpleSpanProcessor({ exporter: new ConsoleSpanExporter() });
    return new BatchSpanProcessor({
      exporter: new OTLPTraceExporter({ url: tracesEndpoint(config) }),
      scheduledDelayMillis: config.OTEL_BSP_SCHEDULE_DELAY,
      maxQueueSize: config.OTEL_BSP_MAX_QUEUE_SIZE,
      maxExportBatchSize: Math.min(config.OTEL_BSP_MAX_EXPORT_BATCH_SIZE, config.OTEL_BSP_MAX_QUEUE_SIZE),
      exportTimeoutMillis: config.OTEL_BSP_EXPORT_TIMEOUT,
    });
  });
}

function sampler(config: TelemetryConfig): Sampler {
  const ratio = new TraceIdRatioBasedSampler(config.OTEL_TRACES_SAMPLER_ARG);
  switch (config.OTEL_TRACES_SAMPLER) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio;
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio });
    default:
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}
