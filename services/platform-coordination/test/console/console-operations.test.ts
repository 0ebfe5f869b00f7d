import { randomUUID } from 'node:crypto';
import type { TestDatabase } from '@fv/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoordinationRuntime } from '../../src/runtime.js';
import { awaitingPayment, call, deadLettered, settled } from './console-support.js';
import { closeProducer, OrderStory, startObserver, waitForWorkflow } from '../workflows/saga-support.js';
import { customer, DecodedEvents, testDatabase } from '../support.js';

/**
 * Bulk operations of the saga console: a dry run counts and changes nothing, the operation starts only
 * with the count confirmed, and each target's outcome is kept as a row of the operation record.
 */
let database: TestDatabase;
let runtime: CoordinationRuntime;
let events: DecodedEvents;
const customerId = randomUUID();
let orders: { story: OrderStory; workflowId: string }[];
let bystander: { story: OrderStory; workflowId: string };

beforeAll(async () => {
  database = await testDatabase('console-operations');
  events = await new DecodedEvents(['StepRetryRequested']).start();
  runtime = await startObserver(database);
  orders = [];
  for (let i = 0; i < 3; i++) orders.push(await awaitingPayment(runtime, customerId));
  bystander = await awaitingPayment(runtime);
});
afterAll(async () => {
  await runtime?.stop();
  await events?.stop();
  await closeProducer();
  await database?.dispose();
});

const attemptsOf = async (orderId: string) => {
  const body = await waitForWorkflow(runtime, orderId, () => true, 'status');
  return body.steps[1]!.attempts as number;
};

describe('the console list', () => {
  it('filters workflows by customer, order and start time, and counts them per status', async () => {
    const list = async (query: string) => (await call(runtime, 'GET', `/console/workflows?${query}`)).body;
    const mine = await list(`customerId=cust-${customerId}`);
    expect((mine.workflows as { orderId: string }[]).map((row) => row.orderId).sort()).toEqual(
      orders.map((order) => order.story.orderId).sort(),
    );
    expect(mine.counts).toMatchObject({ matched: 3, active: 3, stuck: 0, byStatus: { IN_PROGRESS: 3 } });
    const one = await list(`orderId=ord-${orders[0]!.story.orderId}`);
    expect(one.workflows).toEqual([
      expect.objectContaining({ workflowId: orders[0]!.workflowId, status: 'IN_PROGRESS', stuck: false }),
    ]);
    const later = new Date(Date.now() + 3_600_000).toISOString();
    expect((await list(`customerId=${customerId}&from=${encodeURIComponent(later)}`)).workflows).toEqual([]);
    const refused = await call(runtime, 'GET', `/console/workflows?stuck=true&status=COMPLETED`);
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'INVALID_REQUEST' });
  });
});

describe('bulk operations', () => {
  it('counts what a filter matches in a dry run, and changes nothing', async () => {
    const { status, body } = await call(runtime, 'POST', '/operations', {
      type: 'RETRY',
      filter: { customerId: `cust-${customerId}` },
      dryRun: true,
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({ dryRun: true, type: 'RETRY', matched: 3, maxTargets: 1000 });
    expect((body.sample as { targetId: string }[]).map((row) => row.targetId)).toEqual(
      orders.map((order) => order.workflowId),
    );
    expect((await call(runtime, 'GET', '/operations')).body.operations).toEqual([]);
    for (const order of orders) expect(await attemptsOf(order.story.orderId)).toBe(1);
  });

  it('refuses to start without the confirmed count, or with a count the filter no longer matches', async () => {
    const filter = { customerId };
    const unconfirmed = await call(runtime, 'POST', '/operations', { type: 'RETRY', filter });
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.body.error!.details).toMatchObject({ fields: [{ field: 'expectedCount' }] });

    const stale = await call(runtime, 'POST', '/operations', { type: 'RETRY', filter, expectedCount: 2 });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: 'CONFLICT', details: { matched: 3, expectedCount: 2 } });

    const everything = await call(runtime, 'POST', '/operations', {
      type: 'CANCEL',
      filter: {},
      dryRun: true,
    });
    expect(everything.status).toBe(400);
    const wrongField = await call(runtime, 'POST', '/operations', {
      type: 'REPLAY',
      filter: { status: 'IN_PROGRESS' },
      dryRun: true,
    });
    expect(wrongField.status).toBe(400);
    expect(wrongField.body.error!.details).toMatchObject({ fields: [{ field: 'filter.status' }] });
    const nothing = await call(runtime, 'POST', '/operations', {
      type: 'CANCEL',
      filter: { customerId, status: 'COMPLETED' },
      expectedCount: 1,
    });
    expect(nothing.status).toBe(422);
    const notAdmin = await call(
      runtime,
      'POST',
      '/operations',
      { type: 'RETRY', filter, dryRun: true },
      customer,
    );
    expect(notAdmin.status).toBe(403);

    expect((await call(runtime, 'GET', '/operations')).body.operations).toEqual([]);
    for (const order of orders) expect(await attemptsOf(order.story.orderId)).toBe(1);
  });

  it('retries every matching workflow once confirmed, with a row per workflow; others are left alone', async () => {
    const started = await call(runtime, 'POST', '/operations', {
      type: 'RETRY',
      filter: { customerId },
      reason: 'payment provider back',
      expectedCount: 3,
    });
    expect(started.status).toBe(202);
    expect(started.headers.location).toBe(`/api/v1/operations/${String(started.body.id)}`);
    expect(started.body).toMatchObject({ type: 'RETRY', total: 3, requestedBy: 'operator' });

    const done = await settled(runtime, String(started.body.id));
    expect(done).toMatchObject({ status: 'COMPLETED', total: 3, succeeded: 3, failed: 0, pending: 0 });
    expect(done.rows).toEqual(
      orders.map((order, position) =>
        expect.objectContaining({
          position,
          targetId: order.workflowId,
          orderId: order.story.orderId,
          status: 'SUCCEEDED',
          errorCode: null,
        }),
      ),
    );
    for (const order of orders) {
      expect(await attemptsOf(order.story.orderId)).toBe(2);
      await events.waitFor(
        'StepRetryRequested',
        (event) => event.orderId === order.story.orderId && event.stepName === 'PAYMENT_PROCESSING',
        'the retry asked of the payment step',
      );
    }
    expect(await attemptsOf(bystander.story.orderId)).toBe(1);
  });

  it('keeps each row its own outcome: a workflow that can no longer be retried fails alone', async () => {
    const cancelled = await call(runtime, 'POST', `/workflows/${orders[1]!.workflowId}/cancel`, {
      reason: 'CUSTOMER_REQUESTED',
      initiatedBy: 'ADMIN',
    });
    expect(cancelled.status).toBe(202);

    const dry = await call(runtime, 'POST', '/operations', {
      type: 'RETRY',
      filter: { customerId },
      dryRun: true,
    });
    expect(dry.body.matched).toBe(3);
    const started = await call(runtime, 'POST', '/operations', {
      type: 'RETRY',
      filter: { customerId },
      expectedCount: 3,
    });
    const done = await settled(runtime, String(started.body.id));
    expect(done).toMatchObject({ total: 3, succeeded: 2, failed: 1 });
    const rows = done.rows as {
      targetId: string;
      status: string;
      errorCode: string | null;
      message: string;
    }[];
    expect(rows.map((row) => row.status)).toEqual(['SUCCEEDED', 'FAILED', 'SUCCEEDED']);
    expect(rows[1]).toMatchObject({ targetId: orders[1]!.workflowId, errorCode: 'INVALID_WORKFLOW_STATE' });
    expect(rows[1]!.message).toContain('CANCELLING');
  });

  it('cancels by status and customer, confirmed', async () => {
    const filter = { customerId, status: 'IN_PROGRESS' };
    const dry = await call(runtime, 'POST', '/operations', { type: 'CANCEL', filter, dryRun: true });
    expect(dry.body.matched).toBe(2);
    const started = await call(runtime, 'POST', '/operations', { type: 'CANCEL', filter, expectedCount: 2 });
    const done = await settled(runtime, String(started.body.id));
    expect(done).toMatchObject({ total: 2, succeeded: 2, failed: 0, filter });
    for (const order of [orders[0]!, orders[2]!]) {
      await waitForWorkflow(
        runtime,
        order.story.orderId,
        (body) => body.status === 'CANCELLING',
        'cancelling',
      );
    }
    expect(await attemptsOf(bystander.story.orderId)).toBe(1);
    const bystanderStatus = await waitForWorkflow(runtime, bystander.story.orderId, () => true, 'status');
    expect(bystanderStatus.status).toBe('IN_PROGRESS');
  });

  it('replays the pending dead letters a filter matches, oldest first, and leaves none pending', async () => {
    const errorCode = `CONSOLE_TEST_${randomUUID().slice(0, 8).toUpperCase()}`;
    const stories = [new OrderStory(), new OrderStory(), new OrderStory()];
    const ids: string[] = [];
    for (const story of stories) {
      ids.push(await deadLettered(runtime, story, errorCode));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const dry = await call(runtime, 'POST', '/operations', {
      type: 'REPLAY',
      filter: { errorCode },
      dryRun: true,
    });
    expect(dry.body).toMatchObject({ matched: 3 });
    expect((dry.body.sample as { targetId: string }[]).map((row) => row.targetId)).toEqual(ids);

    const started = await call(runtime, 'POST', '/operations', {
      type: 'REPLAY',
      filter: { errorCode },
      expectedCount: 3,
    });
    expect(started.status).toBe(202);
    const done = await settled(runtime, String(started.body.id));
    expect(done).toMatchObject({ type: 'REPLAY', total: 3, succeeded: 3, failed: 0 });
    expect((done.rows as { targetId: string }[]).map((row) => row.targetId)).toEqual(ids);
    const listed = await call(runtime, 'GET', `/dlq?errorCode=${errorCode}`);
    expect((listed.body.deadLetters as { status: string }[]).map((row) => row.status)).toEqual(
      Array(3).fill('REPLAYED'),
    );
    const again = await call(runtime, 'POST', '/operations', {
      type: 'REPLAY',
      filter: { errorCode },
      dryRun: true,
    });
    expect(again.body.matched).toBe(0);
  });

  it('answers 404 for an unknown operation, in the error envelope', async () => {
    const { status, body } = await call(runtime, 'GET', `/operations/${randomUUID()}`);
    expect(status).toBe(404);
    expect(body.error).toMatchObject({ code: 'NOT_FOUND' });
  });
});
