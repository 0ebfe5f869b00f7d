import { randomUUID } from 'node:crypto';
import { PrismaClient } from '../src/generated/test-prisma/client.js';
import {
  idempotencyHeaders,
  idempotencyPurge,
  idempotentRequestOf,
  idempotently,
  sendIdempotent,
  type ServiceDefinition,
} from '../src/index.js';

/**
 * A small service built the way every platform service is: a route that changes state and publishes
 * an event in one transaction (once per X-Idempotency-Key), and a consumer that applies the event
 * idempotently.
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
          headers: idempotencyHeaders,
          body: {
            type: 'object',
            required: ['sku', 'name'],
            additionalProperties: false,
            properties: { sku: { type: 'string', minLength: 1 }, name: { type: 'string', minLength: 1 } },
          },
        },
      },
      async (request, reply) => {
        const result = await transaction((tx) =>
          idempotently(tx, idempotentRequestOf(request, 'POST /products'), async () => {
            const id = randomUUID();
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
            return { statusCode: 201, body: { id } };
          }),
        );
        return sendIdempotent(reply, result);
      },
    );
    app.get<{ Params: { id: string } }>('/products/:id/seen', async (request) => {
      const seen = await transaction((tx) =>
        tx.productSeen.findUnique({ where: { productId: request.params.id } }),
      );
      return { seen: Boolean(seen) };
    });
  },
  background: (context) => [idempotencyPurge(context, { ttlMs: 24 * 60 * 60 * 1000 })],
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
