import { describe, expect, it } from 'vitest';
import { timelineOf } from './timeline.js';

describe('timelineOf', () => {
  it('merges the history, the dead letters and the webhook deliveries in time order, each with its outcome', () => {
    const timeline = timelineOf(
      [
        { timestamp: '2026-12-04T10:00:00.000Z', event: 'WORKFLOW_STARTED', details: 'started' },
        {
          timestamp: '2026-12-04T10:00:02.000Z',
          event: 'STEP_FAILED',
          step: 'PAYMENT_PROCESSING',
          details: 'declined',
        },
        {
          timestamp: '2026-12-04T10:00:02.000Z',
          event: 'COMPENSATION_COMPLETED',
          step: 'CANCEL_ORDER',
          details: '',
        },
        { timestamp: '2026-12-04T10:00:03.000Z', event: 'STEP_RETRY_REQUESTED', details: '' },
        { timestamp: '2026-12-04T10:00:04.000Z', event: 'PaymentFailed', details: 'from orders' },
      ],
      [
        {
          id: 'dl-1',
          status: 'PENDING',
          originalTopic: 'payment-events',
          eventName: 'PaymentFailed',
          error: { code: 'SCHEMA_MISMATCH', message: 'bad field' },
          failedAt: '2026-12-04T10:00:01.000Z',
          consumerGroup: 'orders',
        },
      ],
      [
        {
          id: 'wh-1',
          eventType: 'saga.compensated',
          status: 'FAILED',
          attempts: 3,
          lastStatusCode: 500,
          lastError: null,
          createdAt: new Date('2026-12-04T10:00:05.000Z'),
          deliveredAt: null,
          subscription: { url: 'https://hooks.example.com/fv' },
        },
      ],
    );
    expect(timeline.map((entry) => [entry.kind, entry.title, entry.outcome])).toEqual([
      ['workflow', 'WORKFLOW_STARTED', null],
      ['dead-letter', 'PaymentFailed dead-lettered from payment-events', 'PENDING'],
      ['step', 'STEP_FAILED', 'FAILED'],
      ['compensation', 'COMPENSATION_COMPLETED', 'SUCCEEDED'],
      ['retry', 'STEP_RETRY_REQUESTED', null],
      ['event', 'PaymentFailed', null],
      ['webhook', 'Webhook saga.compensated to https://hooks.example.com/fv', 'FAILED'],
    ]);
    expect(timeline[1]).toMatchObject({ ref: 'dl-1', detail: 'SCHEMA_MISMATCH · bad field · group orders' });
    expect(timeline[6]).toMatchObject({ ref: 'wh-1', detail: '3 attempts · HTTP 500' });
  });
});
