import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { routeLabel } from './request-context.js';

export interface MetricsRegistryOptions {
  /** Added as the `service` label to every metric of the registry. */
  service: string;
  /** Process metrics (CPU, memory, event loop lag, GC). Defaults to true. */
  defaultMetrics?: boolean;
}

/**
 * How often prom-client samples the event loop for `nodejs_eventloop_lag_*`, in milliseconds. Its default
 * of 10 ms woke every idle service 100 times a second (about 4 ms of CPU per second here); a loop blocked
 * for longer than this is still seen, and the histograms read this period plus the delay.
 */
export const EVENT_LOOP_SAMPLE_MS = 50;

/**
 * A registry of its own for one app (never prom-client's global one), so several apps
 * can live in one process, as they do in tests.
 */
export function createMetricsRegistry(options: MetricsRegistryOptions): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service: options.service });
  if (options.defaultMetrics ?? true)
    collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
  return registry;
}

export const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

declare module 'fastify' {
  interface FastifyInstance {
    /** This app's metrics registry, served at /metrics; register service metrics on it. */
    metrics: Registry;
  }
}

export interface MetricsOptions {
  registry: Registry;
}

/**
 * Times every request into `http_request_duration_seconds{method,route,status_code}`,
 * where `route` is the route pattern (`/api/v1/orders/:id`), and serves `/metrics`.
 */
const metricsPlugin: FastifyPluginAsync<MetricsOptions> = async (app, options) => {
  const { registry } = options;
  app.decorate('metrics', registry);

  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Duration of HTTP requests in seconds, by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: HTTP_DURATION_BUCKETS,
    registers: [registry],
  });

  app.addHook('onResponse', async (request, reply) => {
    duration.observe(
      { method: request.method, route: routeLabel(request), status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
};

export const metrics = fp(metricsPlugin, { name: '@fv/service-kit/metrics', fastify: '5.x' });

/** `GET /metrics` in the Prometheus text format; open and never rate limited. */
const metricsRoutePlugin: FastifyPluginAsync = async (app) => {
  app.get(
    '/metrics',
    {
      config: { probe: true, public: true, rateLimit: false },
      logLevel: 'warn',
      schema: { tags: ['operations'], summary: 'Prometheus metrics of this instance' },
    },
    async (_request, reply) => {
      const body = await app.metrics.metrics();
      return reply.type(app.metrics.contentType).send(body);
    },
  );
};

export const metricsRoute = fp(metricsRoutePlugin, {
  name: '@fv/service-kit/metrics-route',
  fastify: '5.x',
  dependencies: ['@fv/service-kit/metrics'],
});
