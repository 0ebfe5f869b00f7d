import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { backoffMs, signPayload, verifySignature } from './webhook-signature.js';

describe('webhook signatures and backoff', () => {
  it('signs the raw body with HMAC-SHA256 and verifies it', () => {
    const body = '{"event":"workflow.completed"}';
    const expected = createHmac('sha256', 'secret-1').update(body).digest('hex');
    expect(signPayload('secret-1', body)).toBe(`sha256=${expected}`);
    expect(verifySignature('secret-1', body, `sha256=${expected}`)).toBe(true);
    expect(verifySignature('secret-2', body, `sha256=${expected}`)).toBe(false);
    expect(verifySignature('secret-1', `${body} `, `sha256=${expected}`)).toBe(false);
  });
  it('backs off exponentially up to the cap (seed 000 workflow.retry)', () => {
    const policy = { initialIntervalMs: 1000, backoffMultiplier: 2, maxIntervalMs: 30_000 };
    expect([1, 2, 3, 4, 5, 6, 7].map((attempt) => backoffMs(attempt, policy, () => 1))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 30_000, 30_000,
    ]);
  });
  it('spreads retries between half the step and all of it', () => {
    const policy = { initialIntervalMs: 1000, backoffMultiplier: 2, maxIntervalMs: 30_000 };
    expect(backoffMs(3, policy, () => 0)).toBe(2000);
    expect(backoffMs(3, policy, () => 0.5)).toBe(3000);
    expect(backoffMs(10, policy, () => 0)).toBe(15_000);
  });
});
