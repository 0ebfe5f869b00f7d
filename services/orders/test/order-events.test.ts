import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createServiceRuntime, type ServiceRuntime } from '@fv/service-runtime';
import { waitFor } from '@fv/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrdersConfig } from '../src/config.js';
import type { PrismaClient } from '../src/generated/prisma/client.js';
import { createOrdersService } from '../src/service.js';
import {
  compensation,
  listProducts,
  paidBy,
  type Product,
  requestCompensation,
  reserve,
  ship,
  submitOrder,
} from './fixtures.js';
import { bearer, startOrders, type OrdersHarness } from './harness.js';

/**
 * `GET /orders/{id}/events`. The harness's instance applies the saga's events; the streams are served
 * by a second instance on the same database that consumes nothing (any instance serves any order's
 * stream), with a short poll and heartbeat.
 */

let h: OrdersHarness;
let follower: ServiceRuntime<PrismaClient, OrdersConfig>;
let baseUrl: string;
let lamp: Product;
const admin = bearer('operator-1', ['admin']);

beforeAll(async () => {
  h = await startOrders('order-events');
  lamp = (await listProducts(h, [{ price: '25.00' }]))[0]!;
  follower = await createServiceRuntime(
    createOrdersService({ orderEvents: { pollIntervalMs: 100, heartbeatMs: 400 } }),
    {
      // Another instance on the same database, in consumer groups of its own.
      env: { ...h.runtimeEnv, SERVICE_NAME: `${h.serviceName}-follower` },
    },
  );
  await follower.app.listen({ host: '127.0.0.1', port: 0 });
  baseUrl = `http://127.0.0.1:${(follower.app.server.address() as AddressInfo).port}/api/v1`;
});
afterAll(async () => {
  await follower?.stop();
  await h?.stop();
});

/** Two lamps (50.00 USD), paid by the card of `token`. */
function placeOrder(token = 'tok_visa_4242') {
  return submitOrder(h, [{ product: lamp, quantity: 2 }], paidBy(token));
}

async function historyOf(orderId: string): Promise<{ from: string | null; to: string }[]> {
  const response = await h.runtime.app.inject({
    url: `/api/v1/orders/${orderId}`,
    headers: { authorization: admin },
  });
  expect(response.statusCode).toBe(200);
  return response.json().history;
}

interface SseEvent {
  id?: string;
  event: string;
  data: Record<string, unknown>;
}

/** One open stream, parsed as an EventSource would, with the comments it received kept apart. */
class EventStream {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  retry: number | null = null;
  ended = false;
  private waiters: (() => void)[] = [];
  private readonly abort = new AbortController();

  private constructor(readonly response: Response) {}

  static async open(orderId: string, authorization: string, lastEventId?: string): Promise<EventStream> {
    const controller = new AbortController();
    const response = await fetch(`${baseUrl}/orders/${orderId}/events`, {
      headers: {
        authorization,
        accept: 'text/event-stream',
        ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
      },
      signal: controller.signal,
    });
    const stream = new EventStream(response);
    stream.abort.signal.addEventListener('abort', () => controller.abort());
    if (response.status === 200) void stream.read();
    return stream;
  }

  private async read(): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of this.response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          this.parse(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
      }
    } catch {
      // Closed by the test.
    }
    this.ended = true;
    this.wake();
  }

  private parse(block: string): void {
    let event = 'message';
    let id: string | undefined;
    let data = '';
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
      else if (line.startsWith('retry: ')) this.retry = Number(line.slice(7));
      else if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('id: ')) id = line.slice(4);
      else if (line.startsWith('data: ')) data += line.slice(6);
    }
    if (data) this.events.push({ ...(id ? { id } : {}), event, data: JSON.parse(data) });
    this.wake();
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  /** Resolves once `predicate` holds for what was received; fails after `timeoutMs`. */
  async until(predicate: (stream: EventStream) => boolean, description: string, timeoutMs = 20_000) {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this)) {
      if (this.ended) throw new Error(`the stream ended before ${description}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${description}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  statuses(): string[] {
    return this.events.filter((e) => e.event === 'status').map((e) => String(e.data.status));
  }

  hasStatus(status: string): boolean {
    return this.statuses().includes(status);
  }

  close(): void {
    this.abort.abort();
  }
}

/** `<change>.<n>` ids compared as the stream orders them. */
function idOrder(a: string, b: string): number {
  const [ac, an] = a.split('.').map(BigInt);
  const [bc, bn] = b.split('.').map(BigInt);
  return ac! === bc! ? Number(an! - bn!) : ac! < bc! ? -1 : 1;
}

const summary = (events: SseEvent[]) =>
  events.map((e) => `${e.event}:${String(e.event === 'step' ? e.data.step : e.data.status)}`);

describe('GET /orders/{id}/events', () => {
  it('streams every status change and saga step of an order in order, then ends at COMPLETED', async () => {
    const order = await placeOrder();
    const owner = bearer(order.customerId, ['customer']);
    const stream = await EventStream.open(order.orderId, owner);
    expect(stream.response.status).toBe(200);
    expect(stream.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(stream.response.headers.get('cache-control')).toContain('no-cache');

    await stream.until((s) => s.hasStatus('PENDING'), 'PENDING');
    expect(stream.retry).toBeGreaterThan(0);
    const reserved = await reserve(h, order);
    await stream.until((s) => s.hasStatus('CONFIRMED'), 'CONFIRMED');
    const delivered = await ship(h, order);
    await stream.until((s) => s.ended, 'the end of the stream');

    expect(summary(stream.events)).toEqual([
      'status:PENDING',
      'step:INVENTORY_RESERVED',
      'step:PAYMENT_AUTHORIZED',
      'status:CONFIRMED',
      'step:SHIPPING_LABEL_CREATED',
      'step:PAYMENT_CAPTURED',
      'status:COMPLETED',
      'end:COMPLETED',
    ]);
    const [pending, reservedStep, authorized, confirmed, label, captured, completed, end] = stream.events;
    expect(pending!.data).toMatchObject({
      orderId: order.orderId,
      previousStatus: null,
      reason: 'ORDER_PLACED',
    });
    expect(reservedStep!.data).toMatchObject({ reservationId: reserved.reservationId });
    expect(authorized!.data).toMatchObject({ amount: '50.00', currency: 'USD' });
    expect(confirmed!.data).toMatchObject({ previousStatus: 'PENDING' });
    expect(label!.data).toMatchObject({ shipmentId: delivered.shipmentId, trackingId: delivered.trackingId });
    expect(captured!.data).toMatchObject({ amount: '50.00' });
    expect(completed!.data).toMatchObject({ previousStatus: 'CONFIRMED' });
    expect(end!.data).toEqual({ orderId: order.orderId, status: 'COMPLETED' });
    expect(end!.id).toBeUndefined();

    // Ids grow with every event, and the statuses are exactly the order's history.
    const ids = stream.events.flatMap((e) => (e.id ? [e.id] : []));
    expect([...ids].sort(idOrder)).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect((await historyOf(order.orderId)).map((change) => change.to)).toEqual(stream.statuses());
  });

  it('shows a customer only their own orders; staff see any', async () => {
    const order = await placeOrder();
    const stranger = await EventStream.open(order.orderId, bearer(randomUUID(), ['customer']));
    expect(stranger.response.status).toBe(404);
    expect(await stranger.response.json()).toMatchObject({
      error: { code: 'NOT_FOUND', details: { reason: 'ORDER_NOT_FOUND' } },
    });

    const anonymous = await fetch(`${baseUrl}/orders/${order.orderId}/events`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ error: { code: 'AUTHENTICATION_REQUIRED' } });

    const missing = await EventStream.open(randomUUID(), admin);
    expect(missing.response.status).toBe(404);
    const malformed = await EventStream.open('not-an-order', admin);
    expect(malformed.response.status).toBe(400);
    expect(await malformed.response.json()).toMatchObject({ error: { code: 'INVALID_REQUEST' } });

    const staff = await EventStream.open(order.orderId, admin);
    expect(staff.response.status).toBe(200);
    await staff.until((s) => s.hasStatus('PENDING'), 'PENDING for staff');
    staff.close();
  });

  it('resumes after Last-Event-ID without missing or repeating an event', async () => {
    const order = await placeOrder();
    const owner = bearer(order.customerId, ['customer']);
    const first = await EventStream.open(order.orderId, owner);
    await first.until((s) => s.hasStatus('PENDING'), 'PENDING');
    first.close();
    const lastSeen = first.events.at(-1)!.id!;

    // The order moves while nobody is listening.
    await reserve(h, order);
    await waitFor(async () => (await historyOf(order.orderId)).some((c) => c.to === 'CONFIRMED'), {
      description: 'CONFIRMED while disconnected',
    });

    const second = await EventStream.open(order.orderId, owner, lastSeen);
    expect(second.response.status).toBe(200);
    await second.until((s) => s.hasStatus('CONFIRMED'), 'CONFIRMED after the reconnect');
    await ship(h, order);
    await second.until((s) => s.ended, 'the end of the resumed stream');

    // Everything from the start, read once the order has finished, is what the two connections got.
    const replay = await EventStream.open(order.orderId, owner);
    await replay.until((s) => s.ended, 'the end of the replay');
    expect([...first.events, ...second.events]).toEqual(replay.events);
    expect(summary(second.events)).toEqual([
      'step:INVENTORY_RESERVED',
      'step:PAYMENT_AUTHORIZED',
      'status:CONFIRMED',
      'step:SHIPPING_LABEL_CREATED',
      'step:PAYMENT_CAPTURED',
      'status:COMPLETED',
      'end:COMPLETED',
    ]);

    // Resuming in the middle of a change's events gives the rest of that change.
    const label = replay.events.find((e) => e.event === 'step' && e.data.step === 'SHIPPING_LABEL_CREATED')!;
    const rest = await EventStream.open(order.orderId, owner, label.id);
    await rest.until((s) => s.ended, 'the end after the label');
    expect(summary(rest.events)).toEqual(['step:PAYMENT_CAPTURED', 'status:COMPLETED', 'end:COMPLETED']);

    // A finished order with nothing after Last-Event-ID: 204, which tells an EventSource to stop.
    const lastId = replay.events.filter((e) => e.id).at(-1)!.id!;
    const done = await EventStream.open(order.orderId, owner, lastId);
    expect(done.response.status).toBe(204);

    const wrong = await EventStream.open(order.orderId, owner, 'yesterday');
    expect(wrong.response.status).toBe(400);
    expect(await wrong.response.json()).toMatchObject({
      error: { code: 'INVALID_REQUEST', details: { fields: [{ field: 'headers.last-event-id' }] } },
    });
  });

  it('keeps an idle stream open with heartbeat comments', async () => {
    const order = await placeOrder();
    const stream = await EventStream.open(order.orderId, bearer(order.customerId, ['customer']));
    await stream.until(
      (s) => s.comments.filter((c) => c === 'heartbeat').length >= 2,
      'two heartbeats',
      5000,
    );
    expect(summary(stream.events)).toEqual(['status:PENDING']);
    expect(stream.ended).toBe(false);
    stream.close();
  });

  it('reports a declined payment with its reason, and ends when the failed order is stopped (FAILED)', async () => {
    const order = await placeOrder('tok_decline');
    const stream = await EventStream.open(order.orderId, bearer(order.customerId, ['customer']));
    await reserve(h, order);
    await stream.until((s) => s.hasStatus('PAYMENT_FAILED'), 'PAYMENT_FAILED');
    const failed = stream.events.at(-1)!;
    expect(failed.data).toMatchObject({
      status: 'PAYMENT_FAILED',
      reason: 'PAYMENT_DECLINED',
      failure: { code: 'PAYMENT_DECLINED' },
    });
    // A failed order waits for its compensation: the stream stays open.
    expect(stream.ended).toBe(false);

    await requestCompensation(h, compensation(order.orderId, 'CANCEL_ORDER', 'PAYMENT_FAILED'));
    await stream.until((s) => s.ended, 'the end after the failure');
    expect(summary(stream.events)).toEqual([
      'status:PENDING',
      'step:INVENTORY_RESERVED',
      'step:PAYMENT_FAILED',
      'status:PAYMENT_FAILED',
      'status:FAILED',
      'end:FAILED',
    ]);
    expect(stream.events.at(-2)!.data).toMatchObject({
      previousStatus: 'PAYMENT_FAILED',
      failure: { reason: 'PAYMENT_FAILED', code: 'PAYMENT_DECLINED' },
    });
  });

  it('ends open streams when the instance shuts down', async () => {
    const order = await placeOrder();
    const other = await createServiceRuntime(createOrdersService(), {
      env: { ...h.runtimeEnv, SERVICE_NAME: `${h.serviceName}-closing` },
    });
    await other.app.listen({ host: '127.0.0.1', port: 0 });
    const port = (other.app.server.address() as AddressInfo).port;
    const response = await fetch(`http://127.0.0.1:${port}/api/v1/orders/${order.orderId}/events`, {
      headers: { authorization: admin },
    });
    expect(response.status).toBe(200);
    const reading = (async () => {
      let text = '';
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        text += Buffer.from(chunk).toString();
      }
      return text;
    })();
    const started = Date.now();
    await other.stop();
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await reading).toContain('"status":"PENDING"');
  });
});
