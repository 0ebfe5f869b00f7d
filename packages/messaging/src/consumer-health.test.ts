import type { Kafka } from 'kafkajs';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { EventConsumer } from './consumer.js';
import type { EventCodec } from './event-codec.js';
import type { TransactionalSqlClient } from './sql-client.js';

type Listener = (event: { payload: { restart: boolean; error: Error } }) => void;

/** kafkajs' client surface the consumer touches at construction and restart; crashes are raised by hand. */
function kafkaWithCrashes() {
  const consumers: { listeners: Map<string, Listener>; runs: number }[] = [];
  const kafka = {
    consumer() {
      const consumer = { listeners: new Map<string, Listener>(), runs: 0 };
      consumers.push(consumer);
      return {
        events: { GROUP_JOIN: 'group-join', CRASH: 'crash' },
        on: (name: string, listener: Listener) => consumer.listeners.set(name, listener),
        connect: async () => undefined,
        subscribe: async () => undefined,
        run: async () => {
          consumer.runs += 1;
        },
        disconnect: async () => undefined,
      };
    },
    producer: () => ({ connect: async () => undefined, disconnect: async () => undefined }),
  };
  const crash = (restart: boolean) =>
    consumers.at(-1)!.listeners.get('crash')!({ payload: { restart, error: new Error('coordinator gone') } });
  return { kafka: kafka as unknown as Kafka, consumers, crash };
}

describe('consumer health', () => {
  it('is red from a crash kafkajs gives up on until a restarted consumer has rejoined its group', async () => {
    const { kafka, consumers, crash } = kafkaWithCrashes();
    const consumer = new EventConsumer({
      kafka,
      codec: {} as EventCodec,
      db: {} as TransactionalSqlClient,
      logger: pino({ level: 'silent' }),
      groupId: 'health-test',
      handlers: {},
    });
    expect(consumer.health()).toEqual({ running: true, crashed: null });

    crash(true); // kafkajs restarts this one itself
    expect(consumer.health().running).toBe(true);

    crash(false);
    expect(consumer.health()).toEqual({ running: false, crashed: 'coordinator gone' });
    await new Promise((resolve) => setTimeout(resolve, 1500)); // the first restart comes within 1 s
    expect(consumers).toHaveLength(2);
    expect(consumers[1]!.runs).toBe(1);
    expect(consumer.health().running).toBe(false); // started, not yet in the group
    consumers[1]!.listeners.get('group-join')!({} as never);
    expect(consumer.health()).toEqual({ running: true, crashed: null });
    await consumer.stop();
  });
});
