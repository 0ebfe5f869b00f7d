import type { SqlClient } from '@fv/messaging';
import type { FastifyInstance } from 'fastify';
import { analyticsHandlers } from './analytics-events.js';
import { analyticsRoutes } from './analytics-routes.js';
import { AnalyticsService } from './analytics-service.js';

/** The analytics' own consumer group: it reads every event it needs apart from the saga observer. */
export const analyticsGroupOf = (serviceName: string) => `${serviceName}-analytics`;

/**
 * The analytics module as the service wires it: its routes and the handlers of the events it counts, which
 * the service runs in the saga observer's consumer or, with the observer off, in a consumer of its own group
 * (docs/analytics.md).
 */
export function analyticsModule(db: SqlClient) {
  const service = new AnalyticsService(db);
  return {
    service,
    routes(app: FastifyInstance, now?: () => Date) {
      analyticsRoutes(app, service, now);
    },
    handlers: analyticsHandlers(),
  };
}
