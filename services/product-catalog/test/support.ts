import { randomUUID } from 'node:crypto';
import { topicOf, type EventMap, type EventName, type EventPayload } from '@fv/contracts';
import { signToken, type Logger } from '@fv/service-kit';
import { createServiceRuntime, type ServiceRuntime } from '@fv/service-runtime';
import {
  EventCollector,
  createTestDatabase,
  runtimeTestEnv,
  waitFor,
  type CollectedMessage,
  type TestDatabase,
} from '@fv/testing';
import type { LightMyRequestResponse } from 'fastify';
import type { Producer } from 'kafkajs';
import type { CatalogConfig } from '../src/config.js';
import type { PrismaClient } from '../src/generated/prisma/client.js';
import { productCatalogService } from '../src/service.js';

const secret = 'catalog-test-secret-0123456789';
export const tokens = {
  admin: `Bearer ${signToken(secret, { sub: 'catalog-admin', roles: ['admin'], expiresIn: 600 })}`,
  customer: `Bearer ${signToken(secret, { sub: 'shopper-1', roles: ['customer'], expiresIn: 600 })}`,
  service: `Bearer ${signToken(secret, { sub: 'orders', roles: ['service'], expiresIn: 600 })}`,
};

export interface Catalog {
  runtime: ServiceRuntime<PrismaClient, CatalogConfig>;
  prisma: PrismaClient;
  database: TestDatabase;
  request(options: {
    method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
    url: string;
    token?: string | null;
    payload?: unknown;
    headers?: Record<string, string>;
  }): Promise<LightMyRequestResponse>;
  /** Collects the catalog's own events (started before the test acts, so nothing is missed). */
  collect(topics: string[]): Promise<EventCollector>;
  /** Decodes a collected message with the registry, as any consumer would. */
  decode<N extends EventName>(message: CollectedMessage): Promise<EventMap[N]>;
  /** Publishes an event as another service would: Avro, Confluent wire format, on its topic. */
  publish<N extends EventName>(name: N, event: EventMap[N], key: string): Promise<void>;
  /** Rows the catalog wrote to its outbox for `name` (every event it has ever decided to publish). */
  outboxCount(name: EventName, productId: string): Promise<number>;
  close(): Promise<void>;
}

/** Starts the catalog on a fresh database against the shared broker and registry. */
export async function startCatalog(
  name: string,
  options: { logger?: Logger; logLevel?: string } = {},
): Promise<Catalog> {
  // PostgreSQL when the local server answers; TEST_DATABASE=pglite runs the same suite on embedded PGlite.
  const database = await createTestDatabase({ name });
  const runtime = await createServiceRuntime(productCatalogService, {
    env: {
      ...runtimeTestEnv({ service: 'product-catalog', database, jwtSecret: secret }),
      ...(options.logLevel === undefined ? {} : { LOG_LEVEL: options.logLevel }),
    },
    ...(options.logger ? { logger: options.logger } : {}),
  });
  await runtime.start();
  await runtime.context.database.ready;
  const collectors: EventCollector[] = [];
  let producer: Producer | null = null;

  return {
    runtime,
    prisma: runtime.context.prisma,
    database,
    request({ method = 'GET', url, token = tokens.admin, payload, headers = {} }) {
      return runtime.app.inject({
        method,
        url,
        headers: { ...(token ? { authorization: token } : {}), ...headers },
        ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
      });
    },
    async collect(topics) {
      const collector = await new EventCollector(runtime.context.kafka, topics).start();
      collectors.push(collector);
      return collector;
    },
    async decode<N extends EventName>(message: CollectedMessage) {
      return (await runtime.context.codec.decode(message.topic, message.value)).event as EventMap[N];
    },
    async publish(name, event, key) {
      if (!producer) {
        producer = runtime.context.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
        await producer.connect();
      }
      const value = await runtime.context.codec.encode(name, event);
      await producer.send({
        topic: topicOf(name),
        acks: -1,
        messages: [{ key, value, headers: { 'event-id': event.eventId, 'event-name': name } }],
      });
    },
    async outboxCount(eventName, productId) {
      const rows = await runtime.context.prisma.$queryRaw<{ count: number }[]>`
        select count(*)::int as count from outbox_events where event_name = ${eventName} and payload->>'productId' = ${productId}`;
      return rows[0]?.count ?? 0;
    },
    async close() {
      for (const collector of collectors) await collector.stop();
      await producer?.disconnect();
      await runtime.stop();
      await database.dispose();
    },
  };
}

/** A full event as another service would write it. */
export function externalEvent<N extends EventName>(
  payload: EventPayload<N>,
  overrides: Partial<EventMap[N]> = {},
): EventMap[N] {
  return {
    eventId: randomUUID(),
    occurredAt: Date.now(),
    correlationId: randomUUID(),
    causationId: null,
    producer: 'inventory',
    ...payload,
    ...overrides,
  } as EventMap[N];
}

/** Waits for the message of `collector` that decodes to an event satisfying `predicate`. */
export async function waitForEvent<N extends EventName>(
  catalog: Catalog,
  collector: EventCollector,
  topic: string,
  predicate: (event: EventMap[N]) => boolean,
  description: string,
): Promise<EventMap[N]> {
  return waitFor(
    async () => {
      for (const message of collector.messages.filter((m) => m.topic === topic)) {
        const event = await catalog.decode<N>(message);
        if (predicate(event)) return event;
      }
      return undefined;
    },
    { timeoutMs: 30_000, description },
  );
}

export function newSku(prefix = 'SKU'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`.toUpperCase();
}
