import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AssignerProtocol, PartitionAssigners, type Consumer, type PartitionAssigner } from 'kafkajs';
import { topicOf } from '@fv/contracts';
import { uniqueName, waitFor } from '@fv/testing';
import { EventCodec, EventConsumer } from '../src/index.js';
import { createHarness, logger, orderCreatedEvent, type Harness, testCodec } from './fixtures.js';

const topic = topicOf('OrderCreated');
let h: Harness;
let codec: EventCodec;

beforeAll(async () => {
  h = await createHarness('crash');
  codec = testCodec(h);
});

afterAll(async () => {
  await h?.close();
});

/**
 * A partition assigner under a name of its own: a member using it and a member of the platform's consumer
 * cannot share a group, and the broker refuses the second to join with INCONSISTENT_GROUP_PROTOCOL —
 * an error kafkajs does not retry or restart from.
 */
const foreignAssigner: PartitionAssigner = (config) => {
  const roundRobin = PartitionAssigners.roundRobin(config);
  return {
    name: 'ForeignAssigner',
    version: roundRobin.version,
    assign: (group) => roundRobin.assign(group),
    protocol: ({ topics }) => ({
      name: 'ForeignAssigner',
      metadata: AssignerProtocol.MemberMetadata.encode({
        version: roundRobin.version,
        topics,
        userData: Buffer.alloc(0),
      }),
    }),
  };
};

describe('a consumer that kafkajs gives up on', () => {
  let foreign: Consumer | undefined;
  let consumer: EventConsumer | undefined;

  afterAll(async () => {
    await consumer?.stop();
    await foreign?.disconnect();
  });

  it('reports itself crashed while it cannot run, restarts itself, and consumes again once it can', async () => {
    const groupId = uniqueName('crash');
    foreign = h.kafka.consumer({ groupId, partitionAssigners: [foreignAssigner] });
    await foreign.connect();
    await foreign.subscribe({ topics: [topic] });
    let foreignJoined = false;
    foreign.on(foreign.events.GROUP_JOIN, () => (foreignJoined = true));
    await foreign.run({ eachMessage: async () => undefined });
    await waitFor(() => foreignJoined, { timeoutMs: 30_000, description: 'the foreign member to join' });

    const handled: string[] = [];
    consumer = new EventConsumer({
      kafka: h.kafka,
      codec,
      db: h.prisma,
      logger,
      groupId,
      handlers: {
        OrderCreated: async (event) => {
          handled.push(event.eventId);
        },
      },
    });
    await consumer.start();

    const crashed = await waitFor(() => consumer!.health().crashed, {
      timeoutMs: 30_000,
      description: 'the consumer to be refused by the group',
    });
    expect(crashed).toMatch(/protocol/i);
    expect(consumer.health().running).toBe(false);

    // Still refused while the foreign member holds the group: every restart crashes again.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(consumer.health().running).toBe(false);

    await foreign.disconnect();
    foreign = undefined;
    await waitFor(() => consumer!.health().running, {
      timeoutMs: 60_000,
      description: 'the consumer to be restarted into the group',
    });

    const event = orderCreatedEvent();
    const producer = h.kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: [{ key: event.orderId, value: await codec.encode('OrderCreated', event) }],
    });
    await producer.disconnect();
    await waitFor(() => handled.includes(event.eventId), {
      timeoutMs: 60_000,
      description: 'the restarted consumer to handle a new event',
    });
    expect(consumer.health()).toEqual({ running: true, crashed: null });
  });
});
