import type { Kafka, Producer } from 'kafkajs';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { EventCodec } from './event-codec.js';
import { OutboxRelay } from './outbox-relay.js';
import type { SqlDatabase } from './sql-client.js';

/**
 * A database whose outbox is always empty, counting the relay's rounds; `hold()` makes the next round
 * wait at its read of the outbox until released, so a commit can land during a round. Rounds that find
 * nothing send nothing, so the producer is never asked to send.
 */
class ScriptedOutbox implements SqlDatabase {
  rounds = 0;
  private held: { reached: () => void; release: Promise<void> } | null = null;

  hold(): { reached: Promise<void>; release: () => void } {
    let reached!: () => void;
    let release!: () => void;
    const reachedPromise = new Promise<void>((resolve) => (reached = resolve));
    this.held = { reached, release: new Promise<void>((resolve) => (release = resolve)) };
    return { reached: reachedPromise, release };
  }

  async query<T extends Record<string, unknown>>(): Promise<T[]> {
    return [];
  }

  async transaction<T>(fn: (tx: { query: SqlDatabase['query'] }) => Promise<T>): Promise<T> {
    this.rounds += 1;
    return fn({
      query: async <R extends Record<string, unknown>>(sql: string): Promise<R[]> => {
        if (sql.includes('pg_try_advisory_xact_lock')) return [{ locked: true } as unknown as R];
        const held = this.held;
        if (held) {
          this.held = null;
          held.reached();
          await held.release;
        }
        return [];
      },
    });
  }
}

const producer = {
  connect: async () => undefined,
  disconnect: async () => undefined,
  send: async () => [],
  sendBatch: async () => [],
  on: () => () => undefined,
  events: {},
} as unknown as Producer;
const kafka = { producer: () => producer, admin: () => ({}) } as unknown as Kafka;

const waitUntil = async (condition: () => boolean, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

let relay: OutboxRelay | null = null;
afterEach(async () => {
  await relay?.stop();
  relay = null;
});

describe('OutboxRelay wake-ups', () => {
  it('runs another round at once for a commit that lands during a round that followed a timed-out sleep', async () => {
    const db = new ScriptedOutbox();
    const pollIntervalMs = 300;
    relay = new OutboxRelay({
      db,
      kafka,
      codec: new EventCodec('http://127.0.0.1:1'),
      logger: pino({ level: 'silent' }),
      pollIntervalMs,
    });
    relay.start();
    // The first round finds nothing; its sleep then ends by its timer, not by a notification.
    await waitUntil(() => db.rounds >= 1, 1_000);
    const round = db.hold();
    await round.reached;
    expect(db.rounds).toBe(2);

    // A transaction commits while the round reads the outbox: its row is not in what the round read.
    relay.notify();
    round.release();
    const notifiedAt = Date.now();

    // The notification is not lost: the next round starts at once, not a poll interval later.
    await waitUntil(() => db.rounds >= 3, 1_000);
    expect(Date.now() - notifiedAt).toBeLessThan(pollIntervalMs / 2);
  });
});
