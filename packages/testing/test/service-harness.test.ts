import { randomUUID } from 'node:crypto';
import { topicOf, type EventName, type EventPayload } from '@fv/contracts';
import { DEFAULT_ADMIN_URL } from '@fv/database';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHIPPING_ADDRESS } from '../src/fixtures.js';
import { ServiceHarness } from '../src/service-harness.js';
import { waitFor } from '../src/wait-for.js';
import { connect, createOrderDesk, type OrderDesk } from './order-desk.js';

class OrderDeskHarness extends ServiceHarness<OrderDesk> {
  protected readonly eventSource = 'order-desk-test';
  protected readonly consumedEvents: EventName[] = ['OrderCreated'];

  start(database: 'postgres' | 'embedded' = 'postgres'): Promise<this> {
    return this.startService({
      service: 'order-desk',
      produced: ['OrderConfirmed'],
      connect,
      create: createOrderDesk,
      database,
      consumerGroupSuffixes: ['-audit'],
      env: { DESK_SETTING: 'set by the harness' },
    });
  }
}

function orderCreated(orderId: string): EventPayload<'OrderCreated'> {
  return {
    orderId,
    customerId: randomUUID(),
    customerEmail: null,
    items: [{ productId: 'prod-lamp', sku: null, quantity: 1, unitPrice: '10.00', warehouseId: null }],
    totalAmount: '10.00',
    currency: 'USD',
    paymentMethod: 'CREDIT_CARD',
    shippingAddress: { ...SHIPPING_ADDRESS },
    shippingMethod: 'STANDARD',
    options: null,
    metadata: {},
  };
}

async function databaseExists(name: string): Promise<boolean> {
  const admin = new pg.Client({ connectionString: process.env.POSTGRES_ADMIN_URL ?? DEFAULT_ADMIN_URL });
  await admin.connect();
  try {
    return (await admin.query('select 1 from pg_database where datname = $1', [name])).rowCount === 1;
  } finally {
    await admin.end();
  }
}

describe('ServiceHarness, on the test stack', () => {
  const h = new OrderDeskHarness();
  const stale = randomUUID();

  beforeAll(async () => {
    // An order already on the topic before the service's groups exist: earlier runs' history.
    const kafka = new Kafka({ brokers: process.env.KAFKA_BROKERS!.split(','), logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic: topicOf('OrderCreated'), numPartitions: 3 }],
      waitForLeaders: true,
    });
    await admin.disconnect();
    await producer.send({
      topic: topicOf('OrderCreated'),
      acks: -1,
      messages: [{ key: stale, value: JSON.stringify({ ...orderCreated(stale), eventId: randomUUID() }) }],
    });
    await producer.disconnect();
    await h.start();
  });
  afterAll(async () => {
    await h.stop();
  });

  it('starts the service on a database of its own, with the test settings and its own', async () => {
    expect(h.database?.target.kind).toBe('postgres');
    const { env } = h.runtime;
    expect(env).toMatchObject({
      SERVICE_NAME: h.serviceName,
      DATABASE_URL: h.database!.target.kind === 'postgres' ? h.database!.target.url : '',
      KAFKA_BROKERS: process.env.KAFKA_BROKERS,
      SCHEMA_REGISTRY_URL: process.env.SCHEMA_REGISTRY_URL,
      NODE_ENV: 'test',
      SERVICE_REGISTRATION: 'false',
      LIVE_CONFIG: 'false',
      DESK_SETTING: 'set by the harness',
    });
    expect(h.serviceName).toMatch(/^order-desk-/);
    expect(h.runtimeEnv).toEqual(env);
    expect(h.prisma).toBe(h.runtime.context.prisma);
    expect((await h.app.inject({ url: '/health/ready' })).statusCode).toBe(200);
    expect(h.runtime.consumers.every((consumer) => consumer.joined)).toBe(true);
  });

  it('publishes as another service would, and reads back what the service published by key or predicate', async () => {
    const orderId = randomUUID();
    const created = await h.publish('OrderCreated', orderCreated(orderId));
    expect(created).toMatchObject({ orderId, correlationId: orderId, producer: 'order-desk-test' });

    const [confirmed] = await h.waitForPublished('OrderConfirmed', orderId);
    expect(confirmed).toMatchObject({ orderId, causationId: created.eventId, producer: 'order-desk' });
    expect(await h.published('OrderConfirmed', (event) => event.causationId === created.eventId)).toEqual([
      confirmed,
    ]);
    expect(await h.published('OrderConfirmed', randomUUID())).toEqual([]);
    expect(await h.prisma.taken(orderId)).toBe(1);
  });

  it('publishes under another key when told, and envelope fields as given', async () => {
    const orderId = randomUUID();
    const key = randomUUID();
    const eventId = randomUUID();
    await h.publish('OrderCreated', orderCreated(orderId), { eventId, producer: 'orders' }, { key });
    const [confirmed] = await h.waitForPublished('OrderConfirmed', key);
    expect(confirmed).toMatchObject({ orderId, causationId: eventId });
  });

  it('waits for a number of events, and times out naming them', async () => {
    const orderId = randomUUID();
    await h.publish('OrderCreated', orderCreated(orderId));
    await h.publish('OrderCreated', orderCreated(orderId));
    const both = await h.waitForPublished('OrderConfirmed', orderId, 2);
    expect(both).toHaveLength(2);
    await expect(h.waitForPublished('OrderConfirmed', orderId, 3, { timeoutMs: 500 })).rejects.toThrow(
      `timed out after 500 ms waiting for 3 OrderConfirmed event(s) keyed ${orderId}`,
    );
  });

  it('collects what the service dead-letters', async () => {
    const key = randomUUID();
    await h.publishRaw('OrderCreated', key, Buffer.from('not an event'));
    await waitFor(() => h.deadLettered(key).length === 1, {
      timeoutMs: 30_000,
      description: 'the dead letter',
    });
    expect(h.deadLettered(key)[0]!.value!.toString()).toBe('not an event');
    expect(h.deadLettered(randomUUID())).toEqual([]);
  });

  it('starts every consumer group of the service at the end: nothing published before runs again', async () => {
    // Under the stale order's key, so on its partition, after it: once both groups have read this one,
    // they have passed the stale one.
    const marker = randomUUID();
    await h.publish('OrderCreated', orderCreated(marker), {}, { key: stale });
    await h.waitForPublished('OrderConfirmed', (event) => event.orderId === marker);
    await waitFor(() => h.runtime.audited.includes(marker), { description: 'the audit of the marker' });
    await h.waitUntilConsumed();
    expect(await h.prisma.taken(stale)).toBe(0);
    expect(await h.published('OrderConfirmed', (event) => event.orderId === stale)).toEqual([]);
    expect(h.runtime.audited).not.toContain(stale);
  });

  it('restarts the service on the same database and groups, which go on where they were', async () => {
    const before = randomUUID();
    await h.publish('OrderCreated', orderCreated(before));
    await h.waitForPublished('OrderConfirmed', before);
    await h.waitUntilConsumed();
    const first = h.runtime;

    const restarted = await h.restart();
    expect(restarted).not.toBe(first);
    expect(h.runtime).toBe(restarted);
    expect(restarted.env).toEqual(first.env);
    expect((await h.app.inject({ url: '/health/ready' })).statusCode).toBe(200);
    expect((await first.app.inject({ url: '/health/ready' })).statusCode).toBe(503);

    const after = randomUUID();
    await h.publish('OrderCreated', orderCreated(after));
    await h.waitForPublished('OrderConfirmed', after);
    await h.waitUntilConsumed();
    // Its data survived the restart, and what the first runtime took was not taken again.
    expect(await h.prisma.taken(before)).toBe(1);
    expect(await h.prisma.taken(after)).toBe(1);
  });
});

describe('ServiceHarness, stopping', () => {
  it('drops the database it created', async () => {
    const h = await new OrderDeskHarness().start();
    const target = h.database!.target;
    if (target.kind !== 'postgres') throw new Error('expected a PostgreSQL database');
    expect(await databaseExists(target.database)).toBe(true);
    await h.stop();
    expect(await databaseExists(target.database)).toBe(false);
  });

  it('runs the service on the embedded database when asked, creating none', async () => {
    const h = await new OrderDeskHarness().start('embedded');
    try {
      expect(h.database).toBeNull();
      expect(h.runtime.env.DATABASE_URL).toBe('pglite:memory');
      const orderId = randomUUID();
      await h.publish('OrderCreated', orderCreated(orderId));
      await h.waitForPublished('OrderConfirmed', orderId);
      expect(await h.prisma.taken(orderId)).toBe(1);
    } finally {
      await h.stop();
    }
  });
});
