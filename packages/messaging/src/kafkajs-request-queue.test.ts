import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';

// kafkajs 2.2.4's request queue, as patched in patches/kafkajs@2.2.4.patch (see pnpm-workspace.yaml).
const require = createRequire(import.meta.url);
const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as new (options: object) => {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  scheduleCheckPendingRequests(): void;
  destroy(): void;
};

const silent = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

function queue() {
  return new RequestQueue({
    maxInFlightRequests: null,
    requestTimeout: 30_000,
    enforceRequestTimeout: false,
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
