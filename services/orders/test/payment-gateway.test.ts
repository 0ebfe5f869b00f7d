import { randomUUID } from 'node:crypto';
import { TEST_TOKENS } from '@fv/payment-provider';
import { startProvider, type TestProvider } from '@fv/payment-provider/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpPaymentProvider } from '../src/payment/http-payment-provider.js';
import { PaymentGateway, type PaymentGatewayOptions } from '../src/payment/payment-gateway.js';
import type { PaymentOperation, PaymentProvider } from '../src/payment/payment-provider.js';

// The payment gateway (retries, timeout, circuit breaker) over HTTP against the payment provider
// simulator, with its own test tokens and idempotency records.

const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

let simulator: TestProvider;

beforeAll(async () => {
  simulator = await startProvider('gateway');
});
afterAll(async () => {
  await simulator?.close();
});

/** The HTTP adapter to the simulator, recording every call the gateway makes through it. */
function provider() {
  const http = new HttpPaymentProvider(simulator.url);
  const calls: { operation: PaymentOperation; idempotencyKey: string }[] = [];
  const counted: PaymentProvider = {
    name: http.name,
    authorize: (request, signal) => {
      calls.push({ operation: 'authorize', idempotencyKey: request.idempotencyKey });
      return http.authorize(request, signal);
    },
    capture: (request, signal) => {
      calls.push({ operation: 'capture', idempotencyKey: request.idempotencyKey });
      return http.capture(request, signal);
    },
    void: (request, signal) => {
      calls.push({ operation: 'void', idempotencyKey: request.idempotencyKey });
      return http.void(request, signal);
    },
    refund: (request, signal) => {
      calls.push({ operation: 'refund', idempotencyKey: request.idempotencyKey });
      return http.refund(request, signal);
    },
  };
  return { provider: counted, calls };
}

function gateway(overrides: Partial<PaymentGatewayOptions> = {}) {
  return new PaymentGateway({
    provider: provider().provider,
    timeoutMs: 5000,
    retryDelaysMs: [1, 2, 4],
    circuit: { failureThreshold: 5, windowMs: 60_000, openMs: 30_000 },
    logger,
    ...overrides,
  });
}

const authorization = (token: string, orderId: string = randomUUID()) => ({
  idempotencyKey: `order-${orderId}-authorize`,
  orderId,
  amount: '100.00',
  currency: 'USD',
  token,
  paymentMethodType: 'CREDIT_CARD',
});

describe('payment gateway over the payment provider simulator', () => {
  it('authorizes every approving test token at the first attempt', async () => {
    const approving = Object.entries(TEST_TOKENS)
      .filter(([, behaviour]) => behaviour === 'approved')
      .map(([token]) => token);
    expect(approving.length).toBeGreaterThan(0);
    const payments = gateway();
    for (const token of approving) {
      expect(await payments.authorize(authorization(token))).toMatchObject({ ok: true, attempts: 1 });
    }
  });

  it('never retries a decline, and reports its code', async () => {
    const { provider: counted, calls } = provider();
    const payments = gateway({ provider: counted });
    for (const [token, code] of [
      ['tok_decline', 'PAYMENT_DECLINED'],
      ['tok_insufficient_funds', 'INSUFFICIENT_FUNDS'],
      ['tok_expired_card', 'CARD_EXPIRED'],
      ['tok_nobody_knows', 'PAYMENT_DECLINED'],
    ] as const) {
      expect(await payments.authorize(authorization(token))).toMatchObject({
        ok: false,
        attempts: 1,
        error: { code, retriable: false },
      });
    }
    expect(calls).toHaveLength(4);
  });

  it('retries a transient failure with the same idempotency key and succeeds', async () => {
    const { provider: counted, calls } = provider();
    const request = authorization('tok_transient_once');
    const outcome = await gateway({ provider: counted }).authorize(request);
    expect(outcome).toMatchObject({ ok: true, attempts: 2 });
    expect(calls.map((call) => call.idempotencyKey)).toEqual([
      request.idempotencyKey,
      request.idempotencyKey,
    ]);
    const held = await simulator.authorizationsFor(request.orderId);
    expect(held).toHaveLength(1);
    expect(held[0]!.id).toBe(outcome.ok && outcome.reference);
  });

  it('gives up after the configured retries when the provider stays unavailable', async () => {
    const { provider: counted, calls } = provider();
    const outcome = await gateway({ provider: counted }).authorize(authorization('tok_unavailable'));
    expect(outcome).toMatchObject({
      ok: false,
      attempts: 4,
      error: { code: 'PROVIDER_UNAVAILABLE', retriable: true },
    });
    expect(calls).toHaveLength(4);
  });

  it('times out a call that is held without an answer', async () => {
    const started = Date.now();
    const outcome = await gateway({ timeoutMs: 300, retryDelaysMs: [] }).authorize(
      authorization('tok_timeout'),
    );
    expect(outcome).toMatchObject({
      ok: false,
      attempts: 1,
      error: { code: 'PROVIDER_TIMEOUT', retriable: true },
    });
    // Well before the simulator would have answered 504 itself (5 s).
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('opens the circuit once many payments fail and then refuses without calling the provider', async () => {
    const { provider: counted, calls } = provider();
    const payments = gateway({ provider: counted, retryDelaysMs: [1, 1] });
    for (let i = 0; i < 4; i += 1) await payments.authorize(authorization('tok_unavailable'));
    expect(payments.circuitState).toBe('CLOSED');
    await payments.authorize(authorization('tok_unavailable')); // the fifth payment failing: open
    expect(payments.circuitState).toBe('OPEN');
    const callsBefore = calls.length;
    const refused = await payments.authorize(authorization('tok_visa_4242'));
    expect(refused).toMatchObject({ ok: false, attempts: 1, error: { code: 'PROVIDER_UNAVAILABLE' } });
    expect(calls.length).toBe(callsBefore);
  });

  // Finding 7 of the security review: one circuit for every customer let two bad cards, each retried,
  // open it and refuse everyone else's payment.
  it("two orders with failing cards do not fail the next customers' payments", async () => {
    const payments = gateway({ retryDelaysMs: [1, 1, 1] });
    for (let i = 0; i < 2; i += 1) {
      expect(await payments.authorize(authorization('tok_unavailable'))).toMatchObject({
        ok: false,
        attempts: 4,
      });
    }
    for (let i = 0; i < 3; i += 1) {
      expect(await payments.authorize(authorization('tok_visa_4242'))).toMatchObject({
        ok: true,
        attempts: 1,
      });
    }
    expect(payments.circuitState).toBe('CLOSED');
  });

  it('repeats a call whose answer was lost with the same key, and the customer is charged once', async () => {
    const { provider: counted, calls } = provider();
    let lose = true;
    const lossy: PaymentProvider = {
      ...counted,
      name: counted.name,
      authorize: async (request, signal) => {
        const result = await counted.authorize(request, signal);
        if (lose) {
          lose = false;
          throw new Error('socket hang up');
        }
        return result;
      },
    };
    const request = authorization('tok_visa_4242');
    const outcome = await gateway({ provider: lossy }).authorize(request);
    expect(outcome).toMatchObject({ ok: true, attempts: 2 });
    expect(calls).toHaveLength(2);
    expect(await simulator.authorizationsFor(request.orderId)).toHaveLength(1);
  });

  it('answers a repeated key with the first result and performs the operation once', async () => {
    const payments = gateway();
    const request = authorization('tok_visa_4242');
    const first = await payments.authorize(request);
    const second = await payments.authorize(request);
    expect(first.ok && second.ok && first.reference === second.reference).toBe(true);
    expect(await simulator.authorizationsFor(request.orderId)).toHaveLength(1);
  });

  it('captures, refunds in parts and refuses to refund more than was captured', async () => {
    const payments = gateway();
    const request = authorization('tok_visa_4242');
    const authorized = await payments.authorize(request);
    if (!authorized.ok) throw new Error('authorization failed');
    const reference = authorized.reference;
    const key = (name: string) => `${name}-${reference}`;
    expect(
      await payments.capture({ idempotencyKey: key('cap'), reference, amount: '100.00', currency: 'USD' }),
    ).toMatchObject({ ok: true });
    expect(await payments.void({ idempotencyKey: key('void'), reference })).toMatchObject({
      ok: false,
      attempts: 1,
      error: { code: 'INVALID_PAYMENT_REQUEST', retriable: false },
    });
    expect(
      await payments.refund({ idempotencyKey: key('r1'), reference, amount: '60.00', currency: 'USD' }),
    ).toMatchObject({ ok: true });
    expect(
      await payments.refund({ idempotencyKey: key('r2'), reference, amount: '40.01', currency: 'USD' }),
    ).toMatchObject({ ok: false, error: { code: 'INVALID_PAYMENT_REQUEST', retriable: false } });
    expect(
      await payments.refund({ idempotencyKey: key('r3'), reference, amount: '40.00', currency: 'USD' }),
    ).toMatchObject({ ok: true });
    const [held] = await simulator.authorizationsFor(request.orderId);
    expect(held!.operations.map((operation) => operation.object)).toEqual(['capture', 'refund', 'refund']);
  });
});
