import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppError, serviceCredentials } from '@fv/service-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { OrdersClient } from './orders-client.js';

const servers: http.Server[] = [];

async function serve(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

const client = (baseUrl: string) =>
  new OrdersClient({
    baseUrl,
    credentials: serviceCredentials({
      SERVICE_NAME: 'platform-coordination',
      JWT_SECRET: 'a-secret-long-enough-for-hs256-tokens',
    }),
    timeoutMs: 200,
  });

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('OrdersClient', () => {
  it('answers 504 TIMEOUT_EXCEEDED when the order service does not answer in time (seed 001)', async () => {
    const url = await serve(() => undefined);
    const placing = await failure(client(url).placeOrder({}, 'key-1', null));
    expect(placing).toMatchObject({ code: 'TIMEOUT_EXCEEDED', status: 504 });
    expect(placing.details).toMatchObject({ service: 'orders', timeoutMs: 200 });
    const finding = await failure(client(url).findOrder('0b0c1f4e-8f37-4c44-9d56-6ad7e8ea1b61', null));
    expect(finding).toMatchObject({ code: 'TIMEOUT_EXCEEDED', status: 504 });
  });

  it('answers 503 SERVICE_UNAVAILABLE when nothing listens', async () => {
    const url = await serve(() => undefined);
    const server = servers.pop()!;
    await new Promise((resolve) => server.close(resolve));
    const error = await failure(client(url).placeOrder({}, 'key-2', null));
    expect(error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503 });
  });

  it('finds an order with a service token, and says null for one the order service does not know', async () => {
    const seen: string[] = [];
    const url = await serve((request, response) => {
      seen.push(`${request.method} ${request.url} ${request.headers.authorization?.slice(0, 7)}`);
      if (request.url?.endsWith('/known')) {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            orderId: 'known',
            customerId: 'c-1',
            status: 'PENDING',
            totalAmount: '10.00',
            currency: 'USD',
          }),
        );
        return;
      }
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'no such order' } }));
    });
    expect(await client(url).findOrder('known', null)).toEqual({
      orderId: 'known',
      customerId: 'c-1',
      status: 'PENDING',
      totalAmount: '10.00',
      currency: 'USD',
    });
    expect(await client(url).findOrder('unknown', null)).toBeNull();
    expect(seen).toEqual(['GET /api/v1/orders/known Bearer ', 'GET /api/v1/orders/unknown Bearer ']);
  });

  it('takes the order from any success of POST /orders: 202 Accepted as the order service answers, 201 as it did', async () => {
    const url = await serve((request, response) => {
      let text = '';
      request.on('data', (chunk: Buffer) => (text += chunk.toString()));
      request.on('end', () => {
        const status = Number((JSON.parse(text) as { answer: number }).answer);
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            orderId: `order-${status}`,
            customerId: 'c-1',
            totalAmount: '10.00',
            currency: 'USD',
          }),
        );
      });
    });
    for (const status of [202, 201, 200]) {
      expect(await client(url).placeOrder({ answer: status }, `key-${status}`, null)).toEqual({
        orderId: `order-${status}`,
        customerId: 'c-1',
        totalAmount: '10.00',
        currency: 'USD',
      });
    }
  });

  it('refuses a success without an order id as 503', async () => {
    const url = await serve((_request, response) => {
      response.writeHead(202, { 'content-type': 'application/json' });
      response.end('{}');
    });
    const error = await failure(client(url).placeOrder({}, 'key-3', null));
    expect(error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503 });
  });
});
