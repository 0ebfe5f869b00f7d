import { DLQ_HEADERS } from '@fv/messaging';
import { describe, expect, it } from 'vitest';
import { deadLetterInput, factsOfHeaders, REPLAY_HEADERS, replayMessage } from './dead-letter-message.js';

const now = new Date('2026-12-01T10:00:00.000Z');
const noFacts = { eventName: null, eventId: null, orderId: null, correlationId: null };

function message(
  headers: Record<string, string>,
  extra: Partial<{ key: Buffer | null; value: Buffer | null }> = {},
) {
  return {
    offset: '42',
    key: Buffer.from('order-1'),
    value: Buffer.from([0, 0, 0, 0, 7, 1, 2]),
    timestamp: '1764583200000',
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v)])),
    ...extra,
  };
}

const dlqHeaders = {
  'event-id': 'e0b9b0d4-5c3f-4a55-9d3c-2f7f3d6c1a11',
  traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  [DLQ_HEADERS.originalTopic]: 'order-created-events',
  [DLQ_HEADERS.originalPartition]: '2',
  [DLQ_HEADERS.originalOffset]: '9007199254740993',
  [DLQ_HEADERS.originalTimestamp]: '1764583100000',
  [DLQ_HEADERS.consumerGroup]: 'inventory',
  [DLQ_HEADERS.errorCode]: 'EVENT_VALIDATION_FAILED',
  [DLQ_HEADERS.errorClass]: 'EventValidationError',
  [DLQ_HEADERS.errorMessage]: 'items must not be empty',
  [DLQ_HEADERS.attempts]: '1',
  [DLQ_HEADERS.failedAt]: '2026-12-01T09:59:00.000Z',
};

describe('deadLetterInput', () => {
  it('reads the original position and the error from the dlq-* headers, keeping the bytes', () => {
    const row = deadLetterInput({
      id: 'id-1',
      dlqTopic: 'order-created-events.DLQ',
      dlqPartition: 1,
      message: message(dlqHeaders),
      facts: { eventName: 'OrderCreated', eventId: 'e1', orderId: 'o1', correlationId: 'o1' },
      decodeError: null,
      now,
    });
    expect(row).toMatchObject({
      dlqTopic: 'order-created-events.DLQ',
      dlqPartition: 1,
      dlqOffset: 42n,
      originalTopic: 'order-created-events',
      originalPartition: 2,
      originalOffset: 9007199254740993n,
      originalTimestamp: new Date(1764583100000),
      errorCode: 'EVENT_VALIDATION_FAILED',
      errorClass: 'EventValidationError',
      errorMessage: 'items must not be empty',
      attempts: 1,
      consumerGroup: 'inventory',
      failedAt: new Date('2026-12-01T09:59:00.000Z'),
      eventName: 'OrderCreated',
      orderId: 'o1',
      replayOf: null,
    });
    expect(Buffer.from(row.value!)).toEqual(Buffer.from([0, 0, 0, 0, 7, 1, 2]));
    expect(Buffer.from(row.messageKey!).toString()).toBe('order-1');
    expect(row.headers['traceparent']).toBe(dlqHeaders.traceparent);
  });

  it('falls back to the DLQ topic name, the message time and UNKNOWN when the headers are missing or bad', () => {
    const row = deadLetterInput({
      id: 'id-2',
      dlqTopic: 'payment-processed-events.DLQ',
      dlqPartition: 0,
      message: message(
        { [DLQ_HEADERS.originalPartition]: 'x', [DLQ_HEADERS.failedAt]: 'yesterday' },
        { key: null },
      ),
      facts: noFacts,
      decodeError: 'message value is empty',
      now,
    });
    expect(row).toMatchObject({
      originalTopic: 'payment-processed-events',
      originalPartition: null,
      originalOffset: null,
      errorCode: 'UNKNOWN',
      failedAt: new Date(1764583200000),
      messageKey: null,
      decodeError: 'message value is empty',
    });
  });

  it('notes which dead letter a dead-lettered replay came from', () => {
    const replayOf = '7d7c8a5e-3a5b-4a43-8a55-6f0b7b0c9d11';
    const row = deadLetterInput({
      id: 'id-3',
      dlqTopic: 'order-created-events.DLQ',
      dlqPartition: 0,
      message: message({ ...dlqHeaders, [REPLAY_HEADERS.replayOf]: replayOf }),
      facts: noFacts,
      decodeError: null,
      now,
    });
    expect(row.replayOf).toBe(replayOf);
  });

  it('keeps headers PostgreSQL cannot store (NUL characters, an overlong topic) in a form it can', () => {
    const row = deadLetterInput({
      id: 'id-4',
      dlqTopic: 'order-created-events.DLQ',
      dlqPartition: 0,
      message: message({
        [DLQ_HEADERS.originalTopic]: 'x'.repeat(300),
        [DLQ_HEADERS.errorMessage]: 'bad\u0000byte',
        'x-\u0000': 'a\u0000b',
      }),
      facts: noFacts,
      decodeError: 'nul \u0000 here',
      now,
    });
    expect(row.originalTopic).toHaveLength(249);
    expect(row.errorMessage).toBe('bad\uFFFDbyte');
    expect(row.headers['x-\uFFFD']).toBe('a\uFFFDb');
    expect(row.decodeError).toBe('nul \uFFFD here');
    expect(JSON.stringify(row.headers)).not.toContain('\\u0000');
  });
});

describe('factsOfHeaders', () => {
  it('names the event of the topic and takes the ids from the headers', () => {
    expect(factsOfHeaders('order-created-events', { 'event-id': 'e1', 'correlation-id': 'c1' })).toEqual({
      eventName: 'OrderCreated',
      eventId: 'e1',
      orderId: null,
      correlationId: 'c1',
    });
    expect(factsOfHeaders('not-a-topic', {}).eventName).toBeNull();
  });
});

describe('replayMessage', () => {
  it('sends the bytes to the original topic and partition with the original headers and the replay headers', () => {
    const stored = deadLetterInput({
      id: 'a1b2c3d4-0000-4000-8000-000000000001',
      dlqTopic: 'order-created-events.DLQ',
      dlqPartition: 1,
      message: message({ ...dlqHeaders, [REPLAY_HEADERS.replayOf]: 'older' }),
      facts: noFacts,
      decodeError: null,
      now,
    });
    const sent = replayMessage(stored, { at: now, by: 'operator' });
    expect(sent.topic).toBe('order-created-events');
    expect(sent.partition).toBe(2);
    expect(sent.key?.toString()).toBe('order-1');
    expect(sent.value).toEqual(Buffer.from([0, 0, 0, 0, 7, 1, 2]));
    expect(sent.headers).toEqual({
      'event-id': dlqHeaders['event-id'],
      traceparent: dlqHeaders.traceparent,
      [REPLAY_HEADERS.replayOf]: 'a1b2c3d4-0000-4000-8000-000000000001',
      [REPLAY_HEADERS.replayedAt]: now.toISOString(),
      [REPLAY_HEADERS.replayedBy]: 'operator',
    });
  });
});
