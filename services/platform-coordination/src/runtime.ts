import { createServiceRuntime, type ServiceRuntime } from '@fv/service-runtime';
import type { Environment, Logger } from '@fv/service-kit';
import type { CoordinationConfig } from './config.js';
import type { PrismaClient } from './generated/prisma/client.js';
import { coordinationService, type CoordinationComponents, type CoordinationOptions } from './service.js';

export interface CoordinationRuntime extends ServiceRuntime<PrismaClient, CoordinationConfig> {
  components: CoordinationComponents;
}

/**
 * The service's runtime plus the Spring-style probe paths the Kubernetes manifest of seed 000 uses
 * (`/actuator/health/liveness`, `/actuator/health/readiness`), which live outside /api/v1.
 */
export async function createCoordinationRuntime(
  options: CoordinationOptions & { env?: Environment; logger?: Logger } = {},
): Promise<CoordinationRuntime> {
  const definition = coordinationService(options);
  const runtime = await createServiceRuntime(definition, {
    ...(options.env ? { env: options.env } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const { app } = runtime;
  const probe = { probe: true, public: true, rateLimit: false } as const;
  const statusSchema = {
    type: 'object',
    properties: { status: { type: 'string' }, failing: { type: 'array', items: { type: 'string' } } },
  };

  app.get(
    '/actuator/health/liveness',
    {
      config: probe,
      logLevel: 'warn',
      schema: {
        tags: ['operations'],
        summary: 'Liveness probe (seed 000 manifest)',
        response: { 200: statusSchema },
      },
    },
    async () => ({ status: 'UP' }),
  );
  app.get(
    '/actuator/health/readiness',
    {
      config: probe,
      logLevel: 'warn',
      schema: {
        tags: ['operations'],
        summary: 'Readiness probe (seed 000 manifest)',
        response: { 200: statusSchema, 503: statusSchema },
      },
    },
    async (_request, reply) => {
      const readiness = await app.health.readiness();
      if (readiness.ready) return { status: 'UP' };
      return reply
        .code(503)
        .send({ status: readiness.shuttingDown ? 'OUT_OF_SERVICE' : 'DOWN', failing: readiness.failing });
    },
  );
  return Object.assign(runtime, { components: definition.components(runtime.context) });
}
