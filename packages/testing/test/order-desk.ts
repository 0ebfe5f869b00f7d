import { dlqTopicOf, eventNameOfTopic, topicOf, type EventMap, type EventName } from '@fv/contracts';
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import pg from 'pg';
import type { EventCodecLike } from '../src/service-events.js';
import type { HarnessConnections, HarnessRuntime } from '../src/service-harness.js';

/**
 * The suites' events travel as JSON: the harness does not care how a service encodes them, and these
 * topics are the suites' own (KAFKA_TOPIC_PREFIX of the vitest config), read by no service.
 */
export const jsonCodec: EventCodecLike = {
  async encode(_name, event) {
    return Buffer.from(JSON.stringify(event));
  },
  async decode(topic, value) {
    const name = eventNameOfTopic(topic);
    if (!name || !value) throw new Error(`no event on ${topic}`);
    return { name, event: JSON.parse(value.toString('utf8')) as EventMap[EventName] };
  },
};

export function connect({ clientId, brokers }: { clientId: string; brokers: string }): HarnessConnections {
  return {
    kafka: new Kafka({ clientId, brokers: brokers.split(','), logLevel: logLevel.NOTHING }),
    codec: jsonCodec,
  };
}

/** What the desk remembers of the orders it has taken: how often it took each (once, if all is well). */
export interface OrderBook {
  taken(orderId: string): Promise<number>;
  take(orderId: string): Promise<void>;
  close(): Promise<void>;
}

/** The book on the service's PostgreSQL database, or in the process on the embedded one. */
async function openBook(databaseUrl: string): Promise<OrderBook & { pool: pg.Pool | null }> {
  if (databaseUrl === 'pglite:memory') {
    const counts = new Map<string, number>();
    return {
      pool: null,
      taken: async (orderId) => counts.get(orderId) ?? 0,
      take: async (orderId) => void counts.set(orderId, (counts.get(orderId) ?? 0) + 1),
      close: async () => undefined,
    };
  }
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  await pool.query('create table if not exists taken (order_id text primary key, times int not null)');
  return {
    pool,
    async taken(orderId) {
      const { rows } = await pool.query<{ times: number }>('select times from taken where order_id = $1', [
        orderId,
      ]);
      return rows[0]?.times ?? 0;
    },
    async take(orderId) {
      await pool.query(
        'insert into taken values ($1, 1) on conflict (order_id) do update set times = taken.times + 1',
        [orderId],
      );
    },
    close: () => pool.end(),
  };
}

export type OrderDesk = HarnessRuntime & {
  context: { prisma: OrderBook & { pool: pg.Pool | null } };
  /** The order ids the desk's second consumer group (`<SERVICE_NAME>-audit`) has read. */
  audited: string[];
  env: Record<string, string>;
};

/**
 * A service as small as a harness can start: it takes each OrderCreated (recording it in its database)
 * and answers OrderConfirmed with the same order id, under the key it was asked under; what it cannot read goes to the dead-letter topic.
 * A second consumer group audits the orders it reads. Like the platform's services, new groups start
 * at the earliest offset: only the harness keeps them from replaying older runs' events.
 */
export async function createOrderDesk(env: Record<string, string>): Promise<OrderDesk> {
  const kafka = new Kafka({
    clientId: env.SERVICE_NAME!,
    brokers: env.KAFKA_BROKERS!.split(','),
    logLevel: logLevel.NOTHING,
  });
  const book = await openBook(env.DATABASE_URL!);
  const created = topicOf('OrderCreated');
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  const desk = kafka.consumer({ groupId: env.SERVICE_NAME!, maxWaitTimeInMs: 100 });
  const audit = kafka.consumer({ groupId: `${env.SERVICE_NAME}-audit`, maxWaitTimeInMs: 100 });
  const consumers = [desk, audit].map((consumer: Consumer) => {
    const state = { joined: false };
    consumer.on(consumer.events.GROUP_JOIN, () => (state.joined = true));
    return state;
  });
  const audited: string[] = [];
  let started = false;

  return {
    env,
    audited,
    consumers,
    context: { prisma: book },
    app: {
      async inject({ url }) {
        return { statusCode: url === '/health/ready' && started ? 200 : 503 };
      },
    },
    async start() {
      await producer.connect();
      for (const consumer of [desk, audit]) {
        await consumer.connect();
        await consumer.subscribe({ topics: [created], fromBeginning: true });
      }
      await audit.run({
        eachMessage: async ({ message }) => {
          const order = await jsonCodec.decode(created, message.value).catch(() => null);
          if (order) audited.push((order.event as EventMap['OrderCreated']).orderId);
        },
      });
      await desk.run({
        eachMessage: async ({ message }) => {
          let order: EventMap['OrderCreated'];
          try {
            order = (await jsonCodec.decode(created, message.value)).event as EventMap['OrderCreated'];
          } catch {
            await producer.send({ topic: dlqTopicOf(created), acks: -1, messages: [message] });
            return;
          }
          await book.take(order.orderId);
          const confirmed = {
            eventId: crypto.randomUUID(),
            occurredAt: Date.now(),
            correlationId: order.correlationId,
            causationId: order.eventId,
            producer: 'order-desk',
            orderId: order.orderId,
          };
          await producer.send({
            topic: topicOf('OrderConfirmed'),
            acks: -1,
            messages: [{ key: message.key, value: Buffer.from(JSON.stringify(confirmed)) }],
          });
        },
      });
      started = true;
    },
    async stop() {
      started = false;
      await Promise.all([desk.disconnect(), audit.disconnect(), producer.disconnect()]);
      await book.close();
    },
  };
}
