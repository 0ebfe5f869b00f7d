import type { Principal } from '@fv/service-kit';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { canonicalJson, idempotentRequestOf, requestHash, sendIdempotent } from './idempotency.js';

describe('request hashing for idempotency keys', () => {
  it('does not depend on the order of object keys', () => {
    expect(requestHash({ a: 1, b: { c: [1, 2], d: 'x' } })).toBe(
      requestHash({ b: { d: 'x', c: [1, 2] }, a: 1 }),
    );
    expect(canonicalJson({ b: 1, a: undefined, c: null })).toBe('{"b":1,"c":null}');
    expect(canonicalJson({ b: 1, a: 'x' })).toBe('{"a":"x","b":1}');
    expect(canonicalJson(undefined)).toBe('null');
  });

  it('tells different bodies apart', () => {
    expect(requestHash({ items: [{ quantity: 1 }] })).not.toBe(requestHash({ items: [{ quantity: 2 }] }));
    expect(requestHash({ price: '10.00' })).not.toBe(requestHash({ price: '10.01' }));
    expect(requestHash([1, 2])).not.toBe(requestHash([2, 1]));
  });
});

describe('X-Idempotency-Key over HTTP', () => {
  async function appWith(principal: Principal | null) {
    const app = Fastify();
    app.decorateRequest('principal', null);
    app.addHook('onRequest', async (request) => {
      request.principal = principal;
    });
    app.post('/things', async (request, reply) => {
      const idempotency = idempotentRequestOf(request, 'POST /things');
      return sendIdempotent(reply, { statusCode: 201, body: { idempotency }, replayed: false });
    });
    app.post('/replayed', async (_request, reply) =>
      sendIdempotent(reply, { statusCode: 202, body: { ok: true }, replayed: true }),
    );
    app.post('/first', async (_request, reply) =>
      sendIdempotent(reply, { statusCode: 201, body: { ok: true }, replayed: false }),
    );
    await app.ready();
    return app;
  }

  it('scopes the key to the caller and the operation, and compares the body', async () => {
    const app = await appWith({ sub: 'cust-1', roles: ['customer'], exp: 0 });
    const withKey = await app.inject({
      method: 'POST',
      url: '/things',
      headers: { 'x-idempotency-key': 'k-1' },
      payload: { a: 1 },
    });
    expect(withKey.json().idempotency).toEqual({
      scope: 'cust-1',
      operation: 'POST /things',
      key: 'k-1',
      body: { a: 1 },
    });
    const withoutKey = await app.inject({ method: 'POST', url: '/things', payload: { a: 1 } });
    expect(withoutKey.json().idempotency).toBeNull();
    await app.close();
  });

  it('marks a replayed answer and sends the stored status', async () => {
    const app = await appWith({ sub: 'cust-1', roles: ['customer'], exp: 0 });
    const replayed = await app.inject({ method: 'POST', url: '/replayed' });
    expect(replayed.statusCode).toBe(202);
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    const first = await app.inject({ method: 'POST', url: '/first' });
    expect(first.statusCode).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(first.json()).toEqual({ ok: true });
    await app.close();
  });
});
