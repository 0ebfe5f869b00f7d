import { loadConfig } from '@fv/service-kit';
import { describe, expect, it } from 'vitest';
import { ordersConfigSchema } from '../config.js';
import type { AttemptRow } from '../db/payment-attempts-store.js';
import { PaymentError } from '../payment/payment-errors.js';
import {
  isWaiting,
  nextRetryAt,
  outcomeOf,
  patienceSpent,
  retryDelayMs,
  waitedMs,
} from './payment-attempt.js';

describe('retryDelayMs', () => {
  const policy = { firstMs: 2000, maxMs: 15_000 };

  it('doubles from the first delay up to the cap, half of it jittered', () => {
    expect([0, 1, 2, 3, 4, 10].map((retries) => retryDelayMs(retries, policy, () => 1))).toEqual([
      2000, 4000, 8000, 15_000, 15_000, 15_000,
    ]);
    expect([0, 1, 2, 3].map((retries) => retryDelayMs(retries, policy, () => 0))).toEqual([
      1000, 2000, 4000, 7500,
    ]);
  });

  it('stays finite for any number of retries', () => {
    expect(retryDelayMs(10_000, policy, () => 0.5)).toBe(11_250);
  });

  it('treats a negative retry count as the first retry', () => {
    expect(retryDelayMs(-3, policy, () => 1)).toBe(2000);
  });
});

const config = loadConfig(ordersConfigSchema, {
  NODE_ENV: 'development',
  SERVICE_NAME: 'orders',
  PORT: '8084',
  PAYMENT_RECOVERY_INTERVAL_MS: '2000',
  PAYMENT_RECOVERY_BACKOFF_MAX_MS: '15000',
  PAYMENT_PROVIDER_PATIENCE_MS: '120000',
});
const intentAt = Date.parse('2026-04-01T10:00:00Z');
const clock = (at: number) => ({ config, now: () => at });

function attempt(changes: Partial<AttemptRow> = {}): AttemptRow {
  return {
    id: 'a-1',
    orderId: 'o-1',
    paymentId: 'p-1',
    operation: 'AUTHORIZE',
    idempotencyKey: 'order-o-1-authorize',
    amount: null,
    currency: 'USD',
    status: 'PENDING',
    providerReference: null,
    failureCode: null,
    failureMessage: null,
    failureRetriable: null,
    providerReason: null,
    calls: 0,
    context: {},
    appliedAt: null,
    nextAttemptAt: new Date(intentAt),
    retries: 0,
    createdAt: new Date(intentAt),
    updatedAt: new Date(intentAt),
    ...changes,
  };
}

describe('the answer recorded on a payment attempt', () => {
  it('is a success with the provider reference and the calls it took', () => {
    expect(outcomeOf(attempt({ status: 'SUCCEEDED', providerReference: 'auth_1', calls: 2 }))).toEqual({
      ok: true,
      reference: 'auth_1',
      attempts: 2,
    });
  });

  it("is the provider's refusal, with its code, message, retriability and own reason", () => {
    const outcome = outcomeOf(
      attempt({
        status: 'FAILED',
        calls: 1,
        failureCode: 'CARD_EXPIRED',
        failureMessage: 'the card expired',
        failureRetriable: false,
        providerReason: 'EXPIRED',
      }),
    );
    expect(outcome?.ok).toBe(false);
    if (outcome?.ok !== false) return;
    expect(outcome.attempts).toBe(1);
    expect(outcome.error).toBeInstanceOf(PaymentError);
    expect(outcome.error).toMatchObject({
      code: 'CARD_EXPIRED',
      message: 'the card expired',
      retriable: false,
      providerReason: 'EXPIRED',
    });
  });

  it('reads a failure recorded without details as a final invalid request', () => {
    const outcome = outcomeOf(attempt({ status: 'FAILED' }));
    expect(outcome?.ok === false && outcome.error).toMatchObject({
      code: 'INVALID_PAYMENT_REQUEST',
      message: 'the payment provider refused the request',
      retriable: false,
      providerReason: null,
    });
  });

  it('is no answer while the attempt is pending', () => {
    expect(outcomeOf(attempt({ status: 'PENDING', calls: 3 }))).toBeNull();
  });
});

describe("the provider's patience and the sweeper's retries", () => {
  it('measures the wait from the intent, by the injected clock', () => {
    expect(waitedMs(clock(intentAt + 45_000), attempt())).toBe(45_000);
  });

  it('spends the patience window exactly when PAYMENT_PROVIDER_PATIENCE_MS has passed since the intent', () => {
    expect(patienceSpent(clock(intentAt + 119_999), attempt())).toBe(false);
    expect(patienceSpent(clock(intentAt + 120_000), attempt())).toBe(true);
  });

  it('schedules the next retry after a backoff that grows with the retries, up to the cap', () => {
    const now = intentAt + 10_000;
    const delay = (retries: number) => nextRetryAt(clock(now), retries).getTime() - now;
    for (let i = 0; i < 20; i += 1) {
      expect(delay(0)).toBeGreaterThanOrEqual(1000);
      expect(delay(0)).toBeLessThanOrEqual(2000);
      expect(delay(2)).toBeGreaterThanOrEqual(4000);
      expect(delay(2)).toBeLessThanOrEqual(8000);
      expect(delay(9)).toBeGreaterThanOrEqual(7500);
      expect(delay(9)).toBeLessThanOrEqual(15_000);
    }
  });

  it('waits for the sweeper only on a failure that left the attempt pending', () => {
    const transient = {
      ok: false as const,
      attempts: 1,
      error: new PaymentError('PROVIDER_UNAVAILABLE', 'down', true),
    };
    expect(isWaiting({ attempt: attempt({ status: 'PENDING' }), outcome: transient })).toBe(true);
    expect(isWaiting({ attempt: attempt({ status: 'FAILED' }), outcome: transient })).toBe(false);
    expect(
      isWaiting({
        attempt: attempt({ status: 'SUCCEEDED' }),
        outcome: { ok: true, reference: 'auth_1', attempts: 1 },
      }),
    ).toBe(false);
  });
});
