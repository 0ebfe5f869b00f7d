import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { dlqTopicOf, topicOf } from '@fv/contracts';
import { DLQ_HEADERS, EventCodec } from '@fv/messaging';
import { EventCollector, waitFor, type TestDatabase } from '@fv/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadLetterInput, factsOfEvent, REPLAY_HEADERS } from '../../src/dlq/domain/dead-letter-message.js';
import { recordDeadLetters } from '../../src/dlq/dead-letter-store.js';
import type { CoordinationRuntime } from '../../src/runtime.js';
import { kafka, OrderStory } from '../workflows/saga-support.js';
import { secret, startCoordination, testDatabase } from '../support.js';

const SERVICE_DIR = new URL('../..', import.meta.url).pathname;
const TSX = new URL('../../node_modules/.bin/tsx', import.meta.url).pathname;
const ORDER_CREATED = topicOf('OrderCreated');

let database: TestDatabase;
let runtime: CoordinationRuntime;
let url: string;
let replays: EventCollector;
const codec = new EventCodec(process.env.SCHEMA_REGISTRY_URL!);

/** Runs `npm run dlq -- <args>` as an operator would (the same file, through tsx), against the running app. */
function dlq(
  args: string[],
  coordinationUrl = url,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      TSX,
      ['src/dlq/cli/dlq.ts', ...args],
      {
        cwd: SERVICE_DIR,
        env: { ...process.env, COORDINATION_URL: coordinationUrl, JWT_SECRET: secret, NODE_ENV: 'test' },
        timeout: 60_000,
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** A dead letter as a participant's consumer would have written it, recorded in the ledger. */
async function deadLetter(story: OrderStory): Promise<{ id: string; eventId: string }> {
  const event = story.created();
  const value = await codec.encode('OrderCreated', event);
  const id = randomUUID();
  await recordDeadLetters(runtime.context.prisma, [
    deadLetterInput({
      id,
      dlqTopic: dlqTopicOf(ORDER_CREATED),
      dlqPartition: 0,
      message: {
        offset: String(Math.floor(Math.random() * 1e9)),
        key: Buffer.from(story.orderId),
        value,
        timestamp: String(Date.now()),
        headers: {
          [DLQ_HEADERS.originalTopic]: ORDER_CREATED,
          [DLQ_HEADERS.originalPartition]: '0',
          [DLQ_HEADERS.originalOffset]: '17',
          [DLQ_HEADERS.consumerGroup]: 'inventory',
          [DLQ_HEADERS.errorCode]: 'EVENT_VALIDATION_FAILED',
          [DLQ_HEADERS.errorMessage]: 'items[0].quantity must be positive',
          [DLQ_HEADERS.failedAt]: new Date().toISOString(),
        },
      },
      facts: factsOfEvent('OrderCreated', event),
      decodeError: null,
      now: new Date(),
    }),
  ]);
  return { id, eventId: event.eventId };
}

beforeAll(async () => {
  database = await testDatabase('dlq-cli');
  runtime = await startCoordination(database, { LIVE_CONFIG: 'false' });
  url = await runtime.app.listen({ port: 0, host: '127.0.0.1' });
  replays = await new EventCollector(kafka, [ORDER_CREATED]).start();
});
afterAll(async () => {
  await replays?.stop();
  await runtime?.stop();
  await database?.dispose();
});

describe('npm run dlq', () => {
  const story = new OrderStory();
  let letter: { id: string; eventId: string };

  it('lists dead letters as a table, and as JSON with --json', async () => {
    letter = await deadLetter(story);
    const table = await dlq(['list', '--order', story.orderId]);
    expect(table.code).toBe(0);
    const [header, row, ...rest] = table.stdout.trim().split('\n');
    expect(header).toMatch(/^ID\s+STATUS\s+TOPIC\s+EVENT\s+ORDER\s+ERROR\s+GROUP\s+FAILED AT\s+MESSAGE$/);
    expect(row).toContain(letter.id);
    expect(row).toContain('PENDING');
    expect(row).toContain(ORDER_CREATED);
    expect(row).toContain('EVENT_VALIDATION_FAILED');
    expect(rest.join('\n')).toContain('1 in all');

    const json = await dlq(['list', '--order', story.orderId, '--json']);
    expect(json.code).toBe(0);
    const body = JSON.parse(json.stdout) as {
      deadLetters: { id: string }[];
      pagination: { totalElements: number };
    };
    expect(body.deadLetters.map((entry) => entry.id)).toEqual([letter.id]);
    expect(body.pagination.totalElements).toBe(1);
  });

  it('shows one dead letter with its error, headers and decoded event', async () => {
    const shown = await dlq(['show', letter.id]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('EVENT_VALIDATION_FAILED: items[0].quantity must be positive');
    expect(shown.stdout).toContain(`${DLQ_HEADERS.consumerGroup}`);
    expect(shown.stdout).toContain('event (decoded):');
    expect(shown.stdout).toContain(`"orderId": "${story.orderId}"`);
  });

  it('replays one, recorded as the operator; a second replay fails with the 409 explained', async () => {
    const replayed = await dlq(['replay', letter.id, '--as', 'ada']);
    expect(replayed.code).toBe(0);
    expect(replayed.stdout).toContain(`Replayed dead letter ${letter.id}`);
    expect(replayed.stdout).toContain('status REPLAYED');
    const sent = await waitFor(
      () => replays.messages.find((message) => message.headers[REPLAY_HEADERS.replayOf] === letter.id),
      { timeoutMs: 30_000, description: 'the replayed message on the original topic' },
    );
    expect(sent).toMatchObject({
      key: story.orderId,
      partition: 0,
      headers: { [REPLAY_HEADERS.replayedBy]: 'ada' },
    });
    expect((await codec.decode(ORDER_CREATED, sent.value)).event.eventId).toBe(letter.eventId);

    const again = await dlq(['replay', letter.id]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('CONFLICT (HTTP 409)');
    expect(again.stderr).toContain('REPLAYED already');
  });

  it('replays by order and discards with a reason', async () => {
    const other = new OrderStory();
    const first = await deadLetter(other);
    const second = await deadLetter(other);
    const replayed = await dlq(['replay', '--order', other.orderId]);
    expect(replayed.code).toBe(0);
    expect(replayed.stdout).toContain('Replayed 2 of 2 matching dead letters');
    expect(replayed.stdout).toContain(first.id);
    expect(replayed.stdout).toContain(second.id);
    expect((await dlq(['replay', '--order', other.orderId])).stdout).toContain('Nothing to replay');

    const third = await deadLetter(new OrderStory());
    const missingReason = await dlq(['discard', third.id]);
    expect(missingReason.code).toBe(2);
    expect(missingReason.stderr).toContain('--reason');
    const discarded = await dlq(['discard', third.id, '--reason', 'duplicate test order']);
    expect(discarded.code).toBe(0);
    expect(discarded.stdout).toContain('status DISCARDED');
    const summary = await dlq(['summary', '--json']);
    expect(JSON.parse(summary.stdout).byStatus).toEqual({ PENDING: 0, REPLAYED: 3, DISCARDED: 1 });
  });

  it('says what is wrong when the service cannot be reached or the input is bad', async () => {
    const unreachable = await dlq(['list'], 'http://127.0.0.1:9');
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain('Cannot reach the coordination service at http://127.0.0.1:9');

    const bad = await dlq(['list', '--status', 'lost']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('INVALID_REQUEST (HTTP 400)');

    const usage = await dlq(['frobnicate']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('unknown command "frobnicate"');
    expect(usage.stderr).toContain('Usage: npm run dlq');
  });
});
