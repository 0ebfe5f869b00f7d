import { topicOf } from '@fv/contracts';
import { startGroupAtEnd, uniqueName, type TestDatabase } from '@fv/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyticsEvents } from '../../src/analytics/analytics-events.js';
import { analyticsGroupOf } from '../../src/analytics/analytics-module.js';
import { observedEvents } from '../../src/workflows/on-platform-event.js';
import type { CoordinationRuntime } from '../../src/runtime.js';
import {
  closeProducer,
  kafka,
  OrderStory,
  publish,
  startObserver,
  waitForWorkflow,
} from '../workflows/saga-support.js';
import { testDatabase } from '../support.js';

// The saga observer and the analytics read every event through one consumer: one group, one fetch, one
// transaction per event for both.

let database: TestDatabase;
let runtime: CoordinationRuntime;
const serviceName = uniqueName('coordination');

beforeAll(async () => {
  database = await testDatabase('observer-analytics');
  const topics = [...new Set([...observedEvents(), ...analyticsEvents()].map((name) => topicOf(name)))];
  await startGroupAtEnd(kafka, serviceName, topics);
  runtime = await startObserver(
    database,
    { SERVICE_NAME: serviceName, ANALYTICS_ENABLED: 'true' },
    { resume: true },
  );
});
afterAll(async () => {
  await runtime?.stop();
  await closeProducer();
  await database?.dispose();
});

describe('the observer and the analytics together', () => {
  it('read each event once, in the observer group, and both apply it', async () => {
    expect(runtime.consumers).toHaveLength(1);
    const story = new OrderStory();
    const events = story.happyPath();
    for (const [name, event] of events) await publish(name, event);

    const done = await waitForWorkflow(
      runtime,
      story.orderId,
      (body) => body.status === 'COMPLETED',
      'the order to complete',
    );
    expect(done.saga.state).toBe('COMPLETED');
    const [order] = await runtime.context.prisma.$queryRawUnsafe<{ completed: boolean }[]>(
      'select completed_at is not null as completed from analytics_orders where order_id = $1',
      story.orderId,
    );
    expect(order).toEqual({ completed: true });
    const groups = await runtime.context.prisma.$queryRawUnsafe<{ group: string; count: number }[]>(
      `select consumer_group as group, count(*)::int as count from processed_events
        where event_id = any($1::uuid[]) group by consumer_group`,
      events.map(([, event]) => event.eventId),
    );
    expect(groups).toEqual([{ group: serviceName, count: events.length }]);
    expect(groups.map((row) => row.group)).not.toContain(analyticsGroupOf(serviceName));
  });
});
