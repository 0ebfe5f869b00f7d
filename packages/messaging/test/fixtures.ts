import { randomUUID } from 'node:crypto';
import pino from 'pino';
import type { EventMap, EventPayload } from '@fv/contracts';
import { exampleOrderCreated } from '@fv/contracts/fixtures';
import { createTestDatabase, type TestDatabase } from '@fv/testing';
import { PrismaClient } from '../src/generated/test-prisma/client.js';
import { EventCodec, createKafka } from '../src/index.js';

export const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export function orderCreated(orderId = randomUUID()): EventPayload<'OrderCreated'> {
  return exampleOrderCreated({
    orderId,
    customerId: randomUUID(),
    customerEmail: null,
    items: [{ productId: randomUUID(), sku: null, quantity: 2, unitPrice: '599.99', warehouseId: 'wh-001' }],
  });
}

export interface Harness {
  database: TestDatabase;
  prisma: PrismaClient;
  kafka: ReturnType<typeof createKafka>;
  registryUrl: string;
  close(): Promise<void>;
}

export async function createHarness(name: string): Promise<Harness> {
  const database = await createTestDatabase({
    name,
    migrationsDir: new URL('./prisma/migrations', import.meta.url).pathname,
  });
  const prisma = new PrismaClient({ adapter: database.db.adapter });
  const kafka = createKafka({ clientId: `test-${name}`, brokers: process.env.KAFKA_BROKERS!, logger });
  return {
    database,
    prisma,
    kafka,
    registryUrl: process.env.SCHEMA_REGISTRY_URL!,
    close: async () => {
      await prisma.$disconnect();
      await database.dispose();
    },
  };
}

/**
 * The suites' codec: it dead-letters a schema id the registry does not know at once, without the
 * grace a service gives a registry that may be reading back its schemas. The suites share their
 * topics, and one of them writes such ids on purpose; every consumer group reading from the beginning
 * would otherwise wait out the grace on them.
 */
export function testCodec(h: Harness): EventCodec {
  return new EventCodec(h.registryUrl, { unknownSchemaIdGraceMs: 0 });
}

/** A whole OrderCreated event (payload and envelope), as a producer would publish it. */
export function orderCreatedEvent(orderId = randomUUID()): EventMap['OrderCreated'] {
  return {
    ...orderCreated(orderId),
    eventId: randomUUID(),
    occurredAt: Date.now(),
    correlationId: orderId,
    causationId: null,
    producer: 'messaging-test',
  };
}
