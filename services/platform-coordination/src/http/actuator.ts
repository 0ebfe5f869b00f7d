import type { FastifyInstance } from 'fastify';

const probe = { probe: true, public: true, rateLimit: false } as const;
const statusSchema = {
  type: 'object',
  properties: { status: { type: 'string' }, failing: { type: 'array', items: { type: 'string' } } },
};

/**
 * The Spring-style probe paths the Kubernetes manifest of seed 000 uses (`/actuator/health/liveness`,
 * `/actuator/health/readiness`), outside /api/v1 and open.
 */
export function actuatorRoutes(app: FastifyInstance): void {
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
}
