import { randomUUID } from 'node:crypto';
import {
  dlqTopicOf,
  eventNamesOfDomain,
  topicOf,
  type EventMap,
  type EventName,
  type EventPayload,
} from '@fv/contracts';
import { createKafka, EventCodec } from '@fv/messaging';
import { signToken } from '@fv/service-kit';
import { createServiceRuntime, type ServiceRuntime } from '@fv/service-runtime';
import {
  EventCollector,
  createTestDatabase,
  startGroupAtEnd,
  uniqueName,
  waitFor,
  type TestDatabase,
} from '@fv/testing';
import type { Kafka, Producer } from 'kafkajs';
import pino from 'pino';
import type { InventoryConfig } from '../src/config.js';
import type { PrismaClient } from '../src/generated/prisma/client.js';
import { inventoryService } from '../src/service.js';

export const JWT_SECRET = 'inventory-test-secret-0123456789';
export const token = (sub: string, roles: ('admin' | 'service' | 'customer')[]) =>
  `Bearer ${signToken(JWT_SECRET, { sub, roles, expiresIn: 3600 })}`;
export const ADMIN = token('operator-1', ['admin']);
export const SERVICE = token('orders', ['service']);
export const CUSTOMER = token('customer-1', ['customer']);

export const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** Topics the inventory consumer reads. */
export const CONSUMED: EventName[] = [
  'OrderCreated',
  'OrderConfirmed',
  'OrderCompleted',
  'CompensationRequested',
  'StepRetryRequested',
  'LowStockAlert',
  'ReturnReceived',
];
/** Topics inventory writes. */
export const PRODUCED: EventName[] = [...eventNamesOfDomain('inventory'), 'CompensationOutcome'];

export type Inventory = ServiceRuntime<PrismaClient, InventoryConfig>;

export interface DecodedEvent<N extends EventName = EventName> {
  name: N;
  key: string | null;
  event: EventMap[N];
}

/**
 * One inventory instance on a fresh database against the shared broker and registry, plus what a test
 * needs around it: a producer for the events other services send, and a collector of what inventory
 * publishes, decoded.
 */
export class InventoryHarness {
  readonly kafka: Kafka;
  readonly codec: EventCodec;
  runtime!: Inventory;
  database!: TestDatabase;
  private producer!: Producer;
  private collector!: EventCollector;
  private readonly decoded = new Map<string, Promise<DecodedEvent>>();
  private env: Record<string, string> = {};

  constructor(private readonly name: string) {
    this.kafka = createKafka({
      clientId: uniqueName(`test-${name}`),
      brokers: process.env.KAFKA_BROKERS!,
      logger,
    });
    this.codec = new EventCodec(process.env.SCHEMA_REGISTRY_URL!);
  }

  static async start(
    name: string,
    env: Record<string, string> = {},
    options: { database?: 'postgres' | 'pglite' } = {},
  ) {
    const harness = new InventoryHarness(name);
    await harness.boot(env, options.database ?? 'postgres');
    return harness;
  }

  private async boot(env: Record<string, string>, database: 'postgres' | 'pglite') {
    let databaseUrl = 'pglite:memory';
    if (database === 'postgres') {
      this.database = await createTestDatabase({ name: `inventory-${this.name}` });
      if (this.database.target.kind !== 'postgres')
        throw new Error('these tests need the local PostgreSQL server');
      databaseUrl = this.database.target.url;
    }
    const serviceName = uniqueName(`inventory-${this.name}`);
    // The consumer group starts at the end of each topic: a fresh test instance answers only the events
    // this test publishes, not the history other suites left on the shared broker.
    await startGroupAtEnd(this.kafka, serviceName, CONSUMED.map(topicOf));
    this.env = {
      SERVICE_NAME: serviceName,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'fatal',
      NODE_ENV: 'test',
      JWT_SECRET,
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS: process.env.KAFKA_BROKERS!,
      SCHEMA_REGISTRY_URL: process.env.SCHEMA_REGISTRY_URL!,
      SERVICE_REGISTRATION: 'false',
      LIVE_CONFIG: 'false',
      // No supplier unless a test starts one: the discard port refuses every call.
      SUPPLIER_URL: 'http://127.0.0.1:9',
      ...env,
    };
    this.runtime = await createServiceRuntime(inventoryService, { env: this.env });
    this.producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await this.producer.connect();
    this.collector = await new EventCollector(this.kafka, [
      ...PRODUCED.map(topicOf),
      ...CONSUMED.map((name) => dlqTopicOf(topicOf(name))),
    ]).start();
    await this.startRuntime();
  }

  /** Stops this inventory instance and starts another on the same database and consumer group. */
  async restart() {
    await this.runtime.stop();
    this.runtime = await createServiceRuntime(inventoryService, { env: this.env });
    await this.startRuntime();
  }

  private async startRuntime() {
    await this.runtime.start();
    await waitFor(async () => (await this.runtime.app.inject({ url: '/health/ready' })).statusCode === 200, {
      timeoutMs: 30_000,
      description: 'inventory readiness',
    });
    await waitFor(() => this.runtime.consumers.every((consumer) => consumer.joined), {
      timeoutMs: 30_000,
      description: 'the inventory consumer joining its group',
    });
  }

  get app() {
    return this.runtime.app;
  }

  get prisma() {
    return this.runtime.context.prisma;
  }

  /** Publishes an event as another service would; returns it. */
  async publish<N extends EventName>(
    name: N,
    payload: EventPayload<N>,
    meta: { correlationId: string; eventId?: string; key?: string },
  ) {
    const event = {
      ...payload,
      eventId: meta.eventId ?? randomUUID(),
      occurredAt: Date.now(),
      correlationId: meta.correlationId,
      causationId: null,
      producer: 'inventory-test',
    } as unknown as EventMap[N];
    const value = await this.codec.encode(name, event);
    await this.producer.send({
      topic: topicOf(name),
      acks: -1,
      messages: [
        {
          key: meta.key ?? meta.correlationId,
          value,
          headers: { 'event-id': event.eventId, 'event-name': name },
        },
      ],
    });
    return event;
  }

  /** Sends bytes that are not an event to a consumed topic. */
  async publishRaw(name: EventName, key: string, value: Buffer) {
    await this.producer.send({ topic: topicOf(name), acks: -1, messages: [{ key, value }] });
  }

  /** Every event inventory has published so far that `predicate` accepts. */
  async published<N extends EventName>(
    name: N,
    predicate: (event: EventMap[N]) => boolean = () => true,
  ): Promise<DecodedEvent<N>[]> {
    const topic = topicOf(name);
    const matches: DecodedEvent<N>[] = [];
    for (const message of this.collector.messages.filter((m) => m.topic === topic)) {
      const id = `${message.topic}/${message.partition}/${message.offset}`;
      let decoded = this.decoded.get(id);
      if (!decoded) {
        decoded = this.codec
          .decode(message.topic, message.value)
          .then(({ name: n, event }) => ({ name: n, key: message.key, event }));
        this.decoded.set(id, decoded);
      }
      const item = (await decoded) as DecodedEvent<N>;
      if (predicate(item.event)) matches.push(item);
    }
    return matches;
  }

  /** Waits until inventory has published `count` events of `name` that `predicate` accepts. */
  async waitForPublished<N extends EventName>(
    name: N,
    predicate: (event: EventMap[N]) => boolean,
    count = 1,
    timeoutMs = 30_000,
  ): Promise<DecodedEvent<N>[]> {
    return waitFor(
      async () => {
        const found = await this.published(name, predicate);
        return found.length >= count ? found : undefined;
      },
      { timeoutMs, description: `${count} ${name} event(s)` },
    );
  }

  /** Dead-lettered messages whose key is `key`. */
  deadLetters(key: string) {
    return this.collector.messages.filter((message) => message.topic.endsWith('.DLQ') && message.key === key);
  }

  async stop() {
    await Promise.all([this.runtime?.stop(), this.collector?.stop(), this.producer?.disconnect()]);
    await this.database?.dispose();
  }
}

/** A product id no other test uses. */
export const newProduct = () => randomUUID();

export function orderCreated(
  orderId: string,
  items: { productId: string; quantity: number; warehouseId?: string | null }[],
): EventPayload<'OrderCreated'> {
  return {
    orderId,
    customerId: randomUUID(),
    customerEmail: null,
    items: items.map((item) => ({
      productId: item.productId,
      sku: null,
      quantity: item.quantity,
      unitPrice: '10.00',
      warehouseId: item.warehouseId ?? null,
    })),
    totalAmount: '10.00',
    currency: 'USD',
    paymentMethod: 'CREDIT_CARD',
    shippingAddress: {
      name: null,
      street: '1 Main St',
      city: 'Springfield',
      state: null,
      zipCode: '12345',
      country: 'US',
      phone: null,
    },
    shippingMethod: 'STANDARD',
    options: null,
    metadata: {},
  };
}

/** Puts `onHand` units of a product at a location through the API. */
export async function stock(
  h: InventoryHarness,
  productId: string,
  warehouseId: string,
  onHand: number,
  lowStockThreshold = 0,
) {
  const response = await h.app.inject({
    method: 'PUT',
    url: `/api/v1/inventory/${productId}/locations/${warehouseId}`,
    headers: { authorization: ADMIN },
    payload: { onHand, lowStockThreshold },
  });
  if (response.statusCode >= 300) throw new Error(`stocking failed: ${response.statusCode} ${response.body}`);
  return response.json();
}

export async function stockOf(h: InventoryHarness, productId: string) {
  const response = await h.app.inject({
    url: `/api/v1/inventory/${productId}`,
    headers: { authorization: CUSTOMER },
  });
  if (response.statusCode !== 200)
    throw new Error(`reading stock failed: ${response.statusCode} ${response.body}`);
  return response.json() as {
    onHand: number;
    reserved: number;
    available: number;
    locations: { warehouseId: string; onHand: number; reserved: number; available: number }[];
  };
}
