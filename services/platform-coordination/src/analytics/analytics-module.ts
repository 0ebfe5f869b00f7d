import type { SqlClient } from '@fv/messaging';
import type { ConsumerDefinition } from '@fv/service-runtime';
import type { FastifyInstance } from 'fastify';
import { analyticsHandlers } from './analytics-events.js';
import { analyticsRoutes } from './analytics-routes.js';
import { AnalyticsService } from './analytics-service.js';

/** The analytics' own consumer group: it reads every event it needs apart from the saga observer. */
export const analyticsGroupOf = (serviceName: string) => `${serviceName}-analytics`;

/** The analytics module as the service wires it: its routes and its consumer (docs/analytics.md). */
export function analyticsModule(db: SqlClient) {
  const service = new AnalyticsService(db);
  return {
    service,
    routes(app: FastifyInstance, now?: () => Date) {
      analyticsRoutes(app, service, now);
    },
    consumer: {
      handlers: analyticsHandlers(),
      transactions: 'direct',
    } satisfies Omit<ConsumerDefinition, 'groupId'>,
  };
}
