import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { waitFor, type TestDatabase } from '@fv/testing';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The browser set-up of the browser tests: Debian's Chromium, installed where missing.
import { CHROMIUM_ARGS, ensureChromium } from '../../../../e2e/browser/src/chromium.js';
import type { CoordinationRuntime } from '../../src/runtime.js';
import { awaitingPayment, call, compensated, deadLettered } from './console-support.js';
import { closeProducer, publish, startObserver, type OrderStory } from '../workflows/saga-support.js';
import { bearer, DecodedEvents, testDatabase } from '../support.js';

/**
 * The saga console in headless Chromium: an operator signs in with an admin token, reads a compensated
 * order's story, follows a stuck saga to its retry (and sees it move on, live), and cancels the stuck
 * sagas in bulk after a dry run. Screenshots of the two orders go to docs/console/ when
 * CONSOLE_SCREENSHOTS=1.
 */
const SCREENSHOTS = fileURLToPath(new URL('../../../../docs/console/', import.meta.url));
const operatorToken = bearer('ada-operator', ['admin']).replace(/^Bearer /, '');
const customerToken = bearer('customer-1', ['customer']).replace(/^Bearer /, '');

let database: TestDatabase;
let runtime: CoordinationRuntime;
let events: DecodedEvents;
let receiver: http.Server;
let baseUrl: string;
let browser: Browser;
let page: Page;
let refunded: OrderStory;
let stuck: { story: OrderStory; workflowId: string };

async function startReceiver(): Promise<string> {
  receiver = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
}

async function screenshot(name: string): Promise<void> {
  if (process.env.CONSOLE_SCREENSHOTS !== '1') return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true });
}

beforeAll(async () => {
  const executablePath = ensureChromium();
  database = await testDatabase('console-browser');
  events = await new DecodedEvents(['CompensationRequested', 'StepRetryRequested']).start();
  runtime = await startObserver(database, { WORKFLOW_STUCK_AFTER: 'PT2S' });
  baseUrl = await runtime.app.listen({ port: 0, host: '127.0.0.1' });
  const hooks = await call(runtime, 'POST', '/webhooks', {
    url: await startReceiver(),
    eventTypes: ['workflow.started', 'saga.compensating', 'saga.compensated'],
  });
  expect(hooks.status).toBe(201);

  refunded = await compensated(runtime, events);
  stuck = await awaitingPayment(runtime);
  await deadLettered(runtime, stuck.story, 'PAYMENT_GATEWAY_REJECTED');
  browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  // Nothing moves the stuck saga for WORKFLOW_STUCK_AFTER (2 s).
  await waitFor(
    async () => {
      const { body } = await call(runtime, 'GET', '/console/workflows?stuck=true');
      return (body.workflows as { orderId: string }[]).some((row) => row.orderId === stuck.story.orderId);
    },
    { timeoutMs: 15_000, description: 'the saga to be stuck' },
  );
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await runtime?.stop();
  await events?.stop();
  await closeProducer();
  await new Promise((resolve) => receiver?.close(resolve));
  await database?.dispose();
});

const byTestId = (id: string) => page.getByTestId(id);
/** What the page shows once the live feed has brought it (it sends a list at most every 2 s). */
const eventually = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 15_000, interval: 100 });

describe('the saga console in a browser', () => {
  it('asks for an admin token: a customer token is refused, an admin one signs in', async () => {
    await page.goto(`${baseUrl}/console`);
    await byTestId('token').fill(customerToken);
    await byTestId('sign-in').click();
    await eventually(() => byTestId('login-error').textContent()).toContain('admin');

    await byTestId('token').fill(operatorToken);
    await byTestId('sign-in').click();
    await eventually(() => byTestId('signed-in-as').textContent()).toBe('ada-operator');
    await eventually(() => byTestId('live').textContent()).toContain('live');
    await eventually(() => byTestId('count-COMPENSATED').textContent()).toMatch(/^1\b/);
    await eventually(() => byTestId('count-stuck').textContent()).toMatch(/^1\b/);
    expect(await byTestId('chart-status').locator('rect').count()).toBe(8);
  });

  it("shows a compensated order's steps, compensations with their outcomes, webhooks and timeline", async () => {
    await byTestId('count-COMPENSATED').click();
    await page.locator(`[data-order-id="${refunded.orderId}"]`).click();
    await eventually(() => byTestId('order-status').textContent()).toBe('COMPENSATED');
    expect(await byTestId('saga-state').textContent()).toBe('COMPENSATED');
    expect(await byTestId('trigger').textContent()).toContain('FAILURE PAYMENT_FAILED at PAYMENT_PROCESSING');
    const compensations = await byTestId('compensation').allTextContents();
    expect(await byTestId('compensation').locator('td:first-child').allTextContents()).toEqual([
      'CANCEL_ORDER',
      'RELEASE_INVENTORY',
      'NOTIFY_CUSTOMER',
    ]);
    for (const row of compensations) expect(row).toContain('COMPENSATED');
    await eventually(() => byTestId('webhooks').textContent()).toContain('saga.compensated');
    const kinds = await page
      .locator('[data-testid="timeline-entry"]')
      .evaluateAll((items) => items.map((item) => item.getAttribute('data-kind')));
    expect(kinds).toEqual(expect.arrayContaining(['event', 'step', 'compensation', 'workflow', 'webhook']));
    await eventually(() => byTestId('webhooks').textContent()).toContain('DELIVERED');
    await screenshot('compensated-order');
  });

  it('clicks through a stuck saga to its retry, and follows it live as it moves on', async () => {
    await page.goto(`${baseUrl}/console#/`);
    await byTestId('count-stuck').click();
    const row = page.locator(`[data-order-id="${stuck.story.orderId}"]`);
    await eventually(() => row.getByTestId('stuck-badge').count()).toBe(1);
    await row.click();
    await eventually(() => byTestId('order-stuck').count()).toBe(1);
    expect(await byTestId('order-status').textContent()).toBe('IN_PROGRESS');
    expect(await byTestId('dead-letter').textContent()).toContain('PAYMENT_GATEWAY_REJECTED');
    const payment = page.locator('[data-step="PAYMENT_PROCESSING"]');
    expect(await payment.getByTestId('attempts').textContent()).toBe('1');
    await screenshot('stuck-order');

    await byTestId('retry-step').selectOption('PAYMENT_PROCESSING');
    await byTestId('retry').click();
    expect(await byTestId('confirm-question').textContent()).toContain('PAYMENT_PROCESSING');
    await byTestId('confirm-action').click();
    await eventually(() => byTestId('action-message').textContent()).toContain(
      'Retry of PAYMENT_PROCESSING requested',
    );
    // The live feed brings the new attempt, without a reload.
    await eventually(() => payment.getByTestId('attempts').textContent()).toBe('2');
    await eventually(() => byTestId('timeline').textContent()).toContain('STEP_RETRY_REQUESTED');
    const retry = await events.waitFor(
      'StepRetryRequested',
      (event) => event.orderId === stuck.story.orderId,
      'the retry asked of the payment step',
    );
    expect(retry).toMatchObject({ stepName: 'PAYMENT_PROCESSING', attempt: 2, requestedBy: 'ada-operator' });

    // The payment goes through this time: the page shows the step done, still without a reload.
    await publish('PaymentProcessed', stuck.story.paid());
    await eventually(() => payment.textContent()).toContain('COMPLETED');
    expect(await byTestId('order-stuck').count()).toBe(0);
  });

  it('cancels the stuck sagas in bulk: a dry run counts them, the confirmation starts it, each row has its outcome', async () => {
    const customerId = randomUUID();
    const more = [await awaitingPayment(runtime, customerId), await awaitingPayment(runtime, customerId)];
    await page.goto(`${baseUrl}/console#/?stuck=true&customerId=${customerId}`);
    // They show up once stuck: the live feed tells the page when they become so.
    await eventually(() => byTestId('workflow-row').count()).toBe(2);
    expect(await byTestId('stuck-badge').count()).toBe(2);
    await byTestId('bulk-action').selectOption('CANCEL');
    await byTestId('bulk-reason').fill('bad deploy of the payment adapter');
    await byTestId('bulk-dry-run').click();
    await eventually(() => byTestId('bulk-matched').textContent()).toBe('Dry run: 2 workflows match.');
    const matched = 2;
    expect(await byTestId('bulk-confirm').textContent()).toBe('Confirm: cancel 2 workflows');
    await byTestId('bulk-confirm').click();
    await byTestId('bulk-started').getByRole('link').click();
    await eventually(() => byTestId('operation-status').textContent()).toBe('COMPLETED');
    expect(await byTestId('operation-summary').textContent()).toContain(
      `${matched} targets · ${matched} succeeded`,
    );
    expect(await byTestId('operation-row').count()).toBe(matched);
    for (const order of more) {
      const { body } = await call(runtime, 'GET', `/console/orders/${order.workflowId}`);
      expect((body.workflow as { status: string }).status).toBe('CANCELLING');
    }
  });

  it('draws orders per minute and latency per step from the analytics dashboard', async () => {
    await page.goto(`${baseUrl}/console#/`);
    await byTestId('analytics-link').click();
    await eventually(() => byTestId('analytics-conversion').textContent()).toMatch(/orders created/);
    const { body } = await call(runtime, 'GET', '/analytics/dashboard');
    const minutes = (body.ordersPerMinute as unknown[]).length;
    expect(await byTestId('analytics-orders').locator('rect').count()).toBeGreaterThanOrEqual(minutes - 1);
    expect(await byTestId('analytics-orders').locator('svg').getAttribute('aria-label')).toContain(
      'Orders created per minute',
    );
  });
});
