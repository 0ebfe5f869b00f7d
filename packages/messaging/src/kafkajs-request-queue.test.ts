import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';

// kafkajs 2.2.4's request queue, as patched in patches/kafkajs@2.2.4.patch (see pnpm-workspace.yaml).
const require = createRequire(import.meta.url);
const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as new (options: object) => {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  scheduleCheckPendingRequests(): void;
  scheduleRequestTimeoutCheck(): void;
  push(request: object): void;
  fulfillRequest(response: { correlationId: number; payload: Buffer | null; size: number }): void;
  destroy(): void;
};

const silent = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

function queue({ enforceRequestTimeout = false } = {}) {
  return new RequestQueue({
    maxInFlightRequests: null,
    requestTimeout: 30_000,
    enforceRequestTimeout,
    clientId: 'test',
    broker: 'localhost:9092',
    logger: silent,
  });
}

describe('the kafkajs request queue of an idle connection', () => {
  const queues: ReturnType<typeof queue>[] = [];
  afterEach(() => queues.splice(0).forEach((q) => q.destroy()));

  it('arms no timer when nothing is pending and nothing is throttled', () => {
    const q = queue();
    queues.push(q);
    q.scheduleCheckPendingRequests();
    expect(q.throttleCheckTimeoutId).toBeNull();
  });

  it('still checks pending requests, and the end of a throttle', () => {
    const pending = queue();
    queues.push(pending);
    pending.pending.push({});
    pending.throttledUntil = Date.now() + 60_000;
    pending.scheduleCheckPendingRequests();
    expect(pending.throttleCheckTimeoutId).not.toBeNull();

    const throttled = queue();
    queues.push(throttled);
    throttled.throttledUntil = Date.now() + 60_000;
    throttled.scheduleCheckPendingRequests();
    expect(throttled.throttleCheckTimeoutId).not.toBeNull();
  });
});

describe('the kafkajs request queue with request timeouts enforced', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  function connected() {
    vi.useFakeTimers();
    const q = queue({ enforceRequestTimeout: true });
    q.scheduleRequestTimeoutCheck(); // what a connection does once it is connected
    return q;
  }

  function request(q: ReturnType<typeof queue>, correlationId: number, requestTimeout?: number) {
    const outcome: { error?: Error; answered?: boolean } = {};
    q.push({
      ...(requestTimeout === undefined ? {} : { requestTimeout }),
      entry: {
        correlationId,
        apiKey: 1,
        apiName: 'Fetch',
        apiVersion: 11,
        resolve: () => (outcome.answered = true),
        reject: (error: Error) => (outcome.error = error),
      },
      expectResponse: true,
      sendRequest: () => undefined,
    });
    return outcome;
  }

  it('arms no timer while nothing is in flight', () => {
    const q = connected();
    expect(vi.getTimerCount()).toBe(0);
    q.destroy();
  });

  it('wakes once when the oldest request in flight is due, not every 100 ms', () => {
    const q = connected();
    const answered = request(q, 1);
    const late = request(q, 2);
    expect(vi.getTimerCount()).toBe(1);

    vi.advanceTimersByTime(10_000);
    q.fulfillRequest({ correlationId: 1, payload: null, size: 0 });
    expect(answered).toEqual({ answered: true });
    expect(vi.getTimerCount()).toBe(1);

    vi.advanceTimersByTime(20_001);
    expect(late.error?.name).toBe('KafkaJSRequestTimeoutError');
    expect(vi.getTimerCount()).toBe(0);
    q.destroy();
  });

  it('times a request out within a millisecond of its deadline', () => {
    const q = connected();
    vi.advanceTimersByTime(5_000);
    const outcome = request(q, 7);
    vi.advanceTimersByTime(30_000);
    expect(outcome.error).toBeUndefined();
    vi.advanceTimersByTime(1);
    expect(outcome.error?.message).toMatch(/timed out/);
    q.destroy();
  });

  it('re-arms for a request due before the one the timer waits for', () => {
    const q = connected();
    const fetch = request(q, 1, 65_000); // a long fetch: its own, longer timeout
    const heartbeat = request(q, 2);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(30_001);
    expect(heartbeat.error?.name).toBe('KafkaJSRequestTimeoutError');
    expect(fetch.error).toBeUndefined();
    vi.advanceTimersByTime(35_000);
    expect(fetch.error?.name).toBe('KafkaJSRequestTimeoutError');
    expect(vi.getTimerCount()).toBe(0);
    q.destroy();
  });

  it('stops checking once destroyed, until it is connected again', () => {
    const q = connected();
    request(q, 1);
    q.destroy();
    expect(vi.getTimerCount()).toBe(0);
    request(q, 2);
    expect(vi.getTimerCount()).toBe(0);
    q.scheduleRequestTimeoutCheck();
    expect(vi.getTimerCount()).toBe(1);
    q.destroy();
  });
});
