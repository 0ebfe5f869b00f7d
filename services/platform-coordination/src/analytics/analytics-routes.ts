import { invalidFields, withSchemaTypes, type SchemaTypedApp } from '@fv/service-kit';
import type { FastifyInstance } from 'fastify';
import { errorResponses } from '../http/schemas.js';
import { windowOf, type AnalyticsWindow } from './domain/analytics-domain.js';
import type { AnalyticsService } from './analytics-service.js';

const TAGS = ['analytics'];
const ADMIN = { roles: ['admin'] } as const;

const windowQuery = {
  from: {
    type: 'string',
    format: 'date-time',
    description: 'Start of the window (inclusive); default one hour before `to`',
  },
  to: { type: 'string', format: 'date-time', description: 'End of the window (exclusive); default now' },
} as const;

const rateSchema = { type: ['number', 'null'], description: 'Fraction 0..1, null when nothing was counted' };
const msOrNull = { type: ['integer', 'null'] } as const;
const percentilesSchema = {
  type: 'object',
  required: ['count', 'p50', 'p95', 'p99'],
  properties: { count: { type: 'integer' }, p50: msOrNull, p95: msOrNull, p99: msOrNull },
} as const;
const latencySchema = {
  type: 'array',
  description: 'Latency (ms) per workflow type and step, over the workflows started in the window',
  items: {
    type: 'object',
    properties: {
      workflowType: { type: 'string' },
      total: percentilesSchema,
      steps: {
        type: 'array',
        items: { type: 'object', properties: { step: { type: 'string' }, latency: percentilesSchema } },
      },
    },
  },
} as const;
const windowSchema = {
  type: 'object',
  properties: { from: { type: 'string', format: 'date-time' }, to: { type: 'string', format: 'date-time' } },
} as const;
const conversionSchema = {
  type: 'object',
  description: 'Of the orders created in the window: completed, failed, and completed / created',
  properties: {
    created: { type: 'integer' },
    completed: { type: 'integer' },
    failed: { type: 'integer' },
    rate: rateSchema,
  },
} as const;
const amount = { type: 'string', description: 'Decimal amount' } as const;

/** The answer of GET /analytics/dashboard. */
const dashboardSchema = {
  type: 'object',
  properties: {
    window: windowSchema,
    ordersPerMinute: {
      type: 'array',
      description: 'Per minute of occurredAt: orders created, completed and failed',
      items: {
        type: 'object',
        properties: {
          minute: { type: 'string', format: 'date-time' },
          created: { type: 'integer' },
          completed: { type: 'integer' },
          failed: { type: 'integer' },
        },
      },
    },
    conversion: conversionSchema,
    revenue: {
      type: 'array',
      description: 'Per currency, the orders completed in the window, net of their refunds',
      items: {
        type: 'object',
        properties: {
          currency: { type: 'string' },
          orders: { type: 'integer' },
          gross: amount,
          refunded: amount,
          net: amount,
        },
      },
    },
    topProducts: {
      type: 'array',
      description: 'Units and revenue per product of the orders completed in the window',
      items: {
        type: 'object',
        properties: {
          productId: { type: 'string' },
          currency: { type: 'string' },
          units: { type: 'integer' },
          revenue: amount,
        },
      },
    },
    stockOuts: {
      type: 'array',
      description: 'Per product: ProductOutOfStock, InventoryReservationFailed lines, LowStockAlert',
      items: {
        type: 'object',
        properties: {
          productId: { type: 'string' },
          outOfStock: { type: 'integer' },
          reservationFailures: { type: 'integer' },
          lowStockAlerts: { type: 'integer' },
        },
      },
    },
    latency: latencySchema,
  },
} as const;

/** The answer of GET /analytics/metrics. */
const metricsSchema = {
  type: 'object',
  properties: {
    window: windowSchema,
    orderRate: {
      type: 'object',
      properties: { createdPerMinute: { type: 'number' }, completedPerMinute: { type: 'number' } },
    },
    conversion: conversionSchema,
    failures: {
      type: 'array',
      description:
        'Per reason (OrderFailed, or a cancellation initiated by the SYSTEM): share of the ' +
        'orders created, and share of its orders that were compensated',
      items: {
        type: 'object',
        properties: {
          reason: { type: 'string' },
          failed: { type: 'integer' },
          failureRate: rateSchema,
          compensated: { type: 'integer' },
          compensationRate: rateSchema,
        },
      },
    },
    latency: latencySchema,
  },
} as const;

/** The window of a request, or a 400 naming the parameter. */
function requestWindow(query: { from?: string; to?: string }, now: () => Date): AnalyticsWindow {
  const window = windowOf(query, now());
  if ('problem' in window)
    throw invalidFields([{ field: `query.${window.field}`, rule: 'window', message: window.problem }]);
  return window;
}

/** GET /analytics/dashboard and /analytics/metrics (seed 003), answered from the analytics read model. */
export function analyticsRoutes(
  instance: FastifyInstance,
  analytics: AnalyticsService,
  now: () => Date = () => new Date(),
): void {
  const app = withSchemaTypes(instance);
  registerDashboard(app, analytics, now);
  registerMetrics(app, analytics, now);
}

function registerDashboard(app: SchemaTypedApp, analytics: AnalyticsService, now: () => Date): void {
  app.get(
    '/analytics/dashboard',
    {
      config: ADMIN,
      schema: {
        tags: TAGS,
        summary: 'Orders per minute, revenue, conversion, top products, stock-outs and saga latency',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...windowQuery,
            top: {
              type: 'integer',
              minimum: 1,
              maximum: 100,
              default: 10,
              description: 'Rows of the top lists',
            },
          },
        },
        response: { 200: dashboardSchema, ...errorResponses },
      },
    },
    async (request) => analytics.dashboard(requestWindow(request.query, now), request.query.top),
  );
}

function registerMetrics(app: SchemaTypedApp, analytics: AnalyticsService, now: () => Date): void {
  app.get(
    '/analytics/metrics',
    {
      config: ADMIN,
      schema: {
        tags: TAGS,
        summary: 'Order rates, failure and compensation rates by reason, saga latency percentiles',
        querystring: { type: 'object', additionalProperties: false, properties: windowQuery },
        response: { 200: metricsSchema, ...errorResponses },
      },
    },
    async (request) => analytics.metrics(requestWindow(request.query, now)),
  );
}
