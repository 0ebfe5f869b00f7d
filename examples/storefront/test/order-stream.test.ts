import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { followOrder, type StreamEvent } from '../src/client/order-stream.js';

/** A stand-in for the order service's stream: each connection is answered by the next handler. */
async function serve(handlers: ((request: IncomingMessage, response: ServerResponse) => void)[]) {
  const requests: IncomingMessage[] = [];
  const server = createServer((request, response) => {
    requests.push(request);
    const handler = handlers.shift();
    if (handler) handler(request, response);
    else response.writeHead(500).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`, requests };
}
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

const stream = (response: ServerResponse) => response.writeHead(200, { 'content-type': 'text/event-stream' });
const event = (id: string, name: string, data: object) =>
  `id: ${id}\nevent: ${name}\ndata: ${JSON.stringify(data)}\n\n`;

function follow(url: string) {
  const events: StreamEvent[] = [];
  const done = followOrder({
    url,
    token: () => 'token-1',
    onEvent: (e) => events.push(e),
    signal: new AbortController().signal,
  });
  return { events, done };
}

describe('followOrder', () => {
  it('reads events and comments split across chunks, and stops at the end event', async () => {
    const { url, requests } = await serve([
      (_request, response) => {
        stream(response);
        const text = `retry: 10\n\n: heartbeat\n\n${event('1.1', 'status', { status: 'PENDING' })}`;
        response.write(text.slice(0, 17));
        setTimeout(() => {
          response.write(text.slice(17));
          response.end(
            `${event('2.1', 'status', { status: 'COMPLETED' })}event: end\ndata: {"status":"COMPLETED"}\n\n`,
          );
        }, 20);
      },
    ]);
    const { events, done } = follow(url);
    await done;
    expect(events.map((e) => [e.id, e.event, e.data.status])).toEqual([
      ['1.1', 'status', 'PENDING'],
      ['2.1', 'status', 'COMPLETED'],
      [null, 'end', 'COMPLETED'],
    ]);
    expect(requests[0]!.headers.authorization).toBe('Bearer token-1');
    expect(requests[0]!.headers['last-event-id']).toBeUndefined();
  });

  it('reconnects after a dropped connection with Last-Event-ID, and stops on 204', async () => {
    const { url, requests } = await serve([
      (_request, response) => {
        stream(response);
        response.end(`retry: 10\n\n${event('7.1', 'step', { step: 'INVENTORY_RESERVED' })}`);
      },
      (_request, response) => {
        stream(response);
        response.end(event('7.2', 'status', { status: 'CONFIRMED' }));
      },
      (_request, response) => response.writeHead(204).end(),
    ]);
    const { events, done } = follow(url);
    await done;
    expect(events.map((e) => e.id)).toEqual(['7.1', '7.2']);
    expect(requests.map((r) => r.headers['last-event-id'])).toEqual([undefined, '7.1', '7.2']);
  });

  it('gives up on a refusal (4xx) with its message', async () => {
    const { url } = await serve([
      (_request, response) =>
        response
          .writeHead(404, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'Order x does not exist' } })),
    ]);
    await expect(follow(url).done).rejects.toThrow('Order x does not exist');
  });
});
