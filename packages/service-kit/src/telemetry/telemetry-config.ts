import { z } from 'zod';
import { loadConfig, type Environment } from '../config.js';

const positiveInt = (fallback: number) =>
  z.coerce.number().int('must be a whole number').positive('must be positive').default(fallback);

/**
 * The standard OpenTelemetry SDK variables this platform honours
 * (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/). Tracing is off
 * unless OTEL_TRACES_EXPORTER names an exporter: locally nothing is recorded and spans cost nothing.
 * The OTLP exporter reads its own OTEL_EXPORTER_OTLP_* variables (headers, timeout, compression).
 */
export const telemetryConfigSchema = z.object({
  OTEL_SDK_DISABLED: z
    .enum(['true', 'false'], { errorMap: () => ({ message: 'must be true or false' }) })
    .default('false')
    .transform((value) => value === 'true'),
  OTEL_TRACES_EXPORTER: z
    .string()
    .default('none')
    .transform((value) => value.split(',').map((name) => name.trim().toLowerCase()))
    .refine((names) => names.every((name) => ['none', 'otlp', 'console'].includes(name)), {
      message: 'must be none, otlp or console (comma-separated)',
    })
    .transform((names) => names.filter((name) => name !== 'none') as ('otlp' | 'console')[]),
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  OTEL_RESOURCE_ATTRIBUTES: z.string().optional(),
  OTEL_TRACES_SAMPLER: z
    .enum([
      'always_on',
      'always_off',
      'traceidratio',
      'parentbased_always_on',
      'parentbased_always_off',
      'parentbased_traceidratio',
    ])
    .default('parentbased_always_on'),
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1, 'must be between 0 and 1').default(1),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().default('http://localhost:4318'),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.string().url().optional(),
  OTEL_BSP_SCHEDULE_DELAY: positiveInt(5000),
  OTEL_BSP_MAX_QUEUE_SIZE: positiveInt(2048),
  OTEL_BSP_MAX_EXPORT_BATCH_SIZE: positiveInt(512),
  OTEL_BSP_EXPORT_TIMEOUT: positiveInt(30_000),
});

export type TelemetryConfig = z.output<typeof telemetryConfigSchema>;

/** Reads the OTEL_* variables; a bad value stops the service with a message naming the variable. */
export function loadTelemetryConfig(env: Environment): TelemetryConfig {
  return loadConfig(telemetryConfigSchema, env);
}

/** `OTEL_RESOURCE_ATTRIBUTES` (`key=value,key=value`, values percent-encoded) as attributes. */
export function resourceAttributes(value: string | undefined): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const pair of (value ?? '').split(',')) {
    const at = pair.indexOf('=');
    if (at <= 0) continue;
    const key = pair.slice(0, at).trim();
    try {
      attributes[key] = decodeURIComponent(pair.slice(at + 1).trim());
    } catch {
      attributes[key] = pair.slice(at + 1).trim();
    }
  }
  return attributes;
}

/** Where OTLP/http spans go: the traces endpoint as given, or `/v1/traces` under the base endpoint. */
export function tracesEndpoint(config: TelemetryConfig): string {
  return (
    config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
    `${config.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`
  );
}
