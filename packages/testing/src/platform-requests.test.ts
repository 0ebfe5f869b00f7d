import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callJson, orderRequest, PLATFORM_SERVICES } from './platform-requests.js';

describe('orderRequest', () => {
  it('pays with the card of the token and ships the lines, as given, to London by standard shipping', () => {
    const items = [{ productId: 'p-1', quantity: 2, warehouseId: 'wh-001' }];
    const body = orderRequest({ items, customerEmail: 'ada@example.com', cardToken: 'tok_visa_4242' });
    expect(body).toEqual({
      currency: 'USD',
      customerEmail: 'ada@example.com',
      items,
      paymentMethod: { type: 'CREDIT_CARD', token: 'tok_visa_4242' },
      shippingAddress: expect.objectContaining({ city: 'London', country: 'GB' }),
      shippingMethod: 'STANDARD',
    });
  });

  it('leaves the payment out when no card is given', () => {
    const body = orderRequest({ items: [], customerEmail: 'ada@example.com', cardToken: null });
    expect(body).not.toHaveProperty('paymentMethod');
  });
});

describe('PLATFORM_SERVICES', () => {
  it('starts the coordination service first, each service once', () => {
    expect(PLATFORM_SERVICES[0]).toBe('platform-coordination');
    expect(new Set(PLATFORM_SERVICES).size).toBe(6);
  });
});

describe('callJson', () => {
  const seen: { method?: string; url?: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
  let server: http.Server;
  let base: string;

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        seen.push({ method: request.method, url: request.url, headers: request.headers, body });
        if (request.url === '/slow') return void setTimeout(() => response.end('{}'), 1000);
        if (request.url === '/empty') return void response.writeHead(204).end();
        response.writeHead(201, { 'content-type': 'application/json', 'x-answer': 'yes' });
        response.end(JSON.stringify({ ok: true }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends the body as JSON with the bearer token and the headers, and answers status, body and headers', async () => {
    const answer = await callJson('POST', `${base}/orders`, 'tok', { a: 1 }, { 'x-idempotency-key': 'k' });
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({ ok: true });
    expect(answer.headers.get('x-answer')).toBe('yes');
    expect(seen.at(-1)).toMatchObject({
      method: 'POST',
      url: '/orders',
      headers: { authorization: 'Bearer tok', 'content-type': 'application/json', 'x-idempotency-key': 'k' },
      body: '{"a":1}',
    });
  });

  it('sends no content type without a body, and answers null for an empty one', async () => {
    const answer = await callJson('GET', `${base}/empty`, 'tok');
    expect(answer).toMatchObject({ status: 204, body: null });
    expect(seen.at(-1)!.headers['content-type']).toBeUndefined();
  });

  it('gives up on a call slower than its timeout', async () => {
    await expect(callJson('GET', `${base}/slow`, 'tok', undefined, {}, { timeoutMs: 100 })).rejects.toThrow();
  });
});
