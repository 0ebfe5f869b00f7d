import { randomUUID } from 'node:crypto';
import { PrismaClient } from '../src/generated/test-prisma/client.js';
import type { ServiceDefinition } from '../src/index.js';

/**
 * A small service built the way every platform service is: a route that changes state and publishes
 * an event in one transaction, and a consumer that applies the event idempotently.
 */
export const demoService: ServiceDefinition<PrismaClient> = {
  name: 'runtime-demo',
  port: 18999,
  migrationsDir: new URL('./prisma/migrations', import.meta.url).pathname,
  createPrisma: (adapter) => new PrismaClient({ adapter }),
  routes(app, { transaction, outbox }) {
    app.post<{ Body: { sku: string; name: string } }>(
      '/products',
      {
        config: { roles: ['admin'] },
        schema: {
          body: {
            type: 'object',
            required: ['sku', 'name'],
            additionalProperties: false,
            properties: { sku: { type: 'string', minLength: 1 }, name: { type: 'string', minLength: 1 } },
          },
        },
      },
      async (request, reply) => {
        const id = randomUUID();
        await transaction(async (tx) => {
          await tx.product.create({ data: { id, sku: request.body.sku, name: request.body.name } });
          await outbox.publish(
            tx,
            'ProductCreated',
            {
              productId: id,
              sku: request.body.sku,
              name: request.body.name,
              description: null,
              categoryId: null,
              price: '10.00',
              currency: 'USD',
              status: 'ACTIVE',
              attributes: {},
            },
            { correlationId: id, traceparent: request.traceContext.traceparent },
          );
        });
        return reply.code(201).send({ id });
      },
    );
    app.get<{ Params: { id: string } }>('/products/:id/seen', async (request) => {
      const seen = await transaction((tx) =>
        tx.productSeen.findUnique({ where: { productId: request.params.id } }),
      );
      return { seen: Boolean(seen) };
    });
  },
  consumers: () => [
    {
      handlers: {
        ProductCreated: async (event, { tx }) => {
          await tx.$executeRawUnsafe(
            'insert into products_seen (product_id, event_id) values ($1::uuid, $2::uuid)',
            event.productId,
            event.eventId,
          );
        },
      },
    },
  ],
};
