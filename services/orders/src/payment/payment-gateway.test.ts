import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PaymentRefusedError, ProviderUnavailableError } from './payment-errors.js';
import { PaymentGateway, type PaymentGatewayOptions } from './payment-gateway.js';
import type { AuthorizeRequest, PaymentProvider, ProviderResult } from './payment-provider.js';

// The gateway's own rules — retries and their waits, the timeout, the caller's signal, the circuit —
// against a provider scripted call by call. What the payment provider does with each test token is
// tested against the real simulator (test/payment-gateway.test.ts).

const logger = pino({ level: 'silent' });

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

type Authorize = (request: AuthorizeRequest, signal: AbortSignal) => Promise<ProviderResult>;

/** A provider whose authorizations answer as `authorize` says; it records when each call came. */
function scripted(authorize: Authorize) {
  const calls: { at: number; idempotencyKey: string }[] = [];
  const unused = () => Promise.reject(new Error('not used in these tests'));
  const provider: PaymentProvider = {
    name: 'scripted',
    authorize: (request, signal) => {
      calls.push({ at: Date.now(), idempotencyKey: request.idempotencyKey });
      return authorize(request, signal);
    },
    capture: unused,
    void: unused,
    refund: unused,
  };
  return { provider, calls };
}

/** Fails as unavailable the first `times` calls, then authorizes. */
function unavailableFor(times: number): Authorize {
  let calls = 0;
  return async () => {
    calls += 1;
    if (calls <= times) throw new ProviderUnavailableError('503 from the provider');
    return { reference: 'auth_1' };
  };
}

function gateway(provider: PaymentProvider, overrides: Partial<PaymentGatewayOptions> = {}) {
  return new PaymentGateway({
    provider,
    timeoutMs: 1000,
    retryDelaysMs: [1000, 2000, 4000],
    circuit: { failureThreshold: 5, windowMs: 60_000, openMs: 30_000 },
    logger,
    ...overrides,
  });
}

const authorization = (orderId = 'order-1'): AuthorizeRequest => ({
  idempotencyKey: `order-${orderId}-authorize`,
  orderId,
  amount: '100.00',
  currency: 'USD',
  token: 'tok_any',
  paymentMethodType: 'CREDIT_CARD',
});

/** The wait before each call after the first. */
const waits = (calls: { at: number }[]) => calls.slice(1).map((call, i) => call.at - calls[i]!.at);

describe('payment gateway retries', () => {
  it('retries a transient failure after each configured delay, of which half is jittered', async () => {
    const shortest = scripted(unavailableFor(3));
    const outcome = gateway(shortest.provider, { random: () => 0 }).authorize(authorization());
    await vi.advanceTimersByTimeAsync(500 + 1000 + 2000);
    await expect(outcome).resolves.toMatchObject({ ok: true, reference: 'auth_1', attempts: 4 });
    expect(waits(shortest.calls)).toEqual([500, 1000, 2000]);
    expect(new Set(shortest.calls.map((call) => call.idempotencyKey)).size).toBe(1);

    const longest = scripted(unavailableFor(3));
    const late = gateway(longest.provider, { random: () => 0.999_999 }).authorize(authorization());
    await vi.advanceTimersByTimeAsync(1000 + 2000 + 4000);
    await expect(late).resolves.toMatchObject({ ok: true, attempts: 4 });
    // Never longer than configured: the call budget checked at start-up holds.
    expect(waits(longest.calls)).toEqual([1000, 2000, 4000]);
  });

  it('spreads the retries of payments that failed together', async () => {
    const providers = Array.from({ length: 20 }, () => scripted(unavailableFor(1)));
    const outcomes = providers.map(({ provider }) => gateway(provider).authorize(authorization()));
    await vi.advanceTimersByTimeAsync(1000);
    await Promise.all(outcomes);
    const retriedAfter = new Set(providers.map(({ calls }) => waits(calls)[0]));
    expect(retriedAfter.size).toBeGreaterThan(5);
    for (const wait of retriedAfter) expect(wait).toBeGreaterThanOrEqual(500);
  });

  it('gives up after the configured retries with the last failure, and never retries a refusal', async () => {
    const down = scripted(unavailableFor(Infinity));
    const outcome = gateway(down.provider).authorize(authorization());
    await vi.advanceTimersByTimeAsync(7000);
    await expect(outcome).resolves.toMatchObject({
      ok: false,
      attempts: 4,
      error: { code: 'PROVIDER_UNAVAILABLE', retriable: true },
    });
    expect(down.calls).toHaveLength(4);

    const declined = scripted(async () => {
      throw new PaymentRefusedError('PAYMENT_DECLINED', 'declined');
    });
    await expect(gateway(declined.provider).authorize(authorization())).resolves.toMatchObject({
      ok: false,
      attempts: 1,
      error: { code: 'PAYMENT_DECLINED', retriable: false },
    });
    expect(declined.calls).toHaveLength(1);
  });

  it('ends the retries when the caller’s signal aborts, with the last failure and no timer left', async () => {
    const down = scripted(unavailableFor(Infinity));
    const controller = new AbortController();
    const outcome = gateway(down.provider).authorize(authorization(), controller.signal);
    await vi.advanceTimersByTimeAsync(100);
    expect(down.calls).toHaveLength(1);
    controller.abort();
    await expect(outcome).resolves.toMatchObject({
      ok: false,
      attempts: 1,
      error: { code: 'PROVIDER_UNAVAILABLE' },
    });
    expect(vi.getTimerCount()).toBe(0);
    expect(down.calls).toHaveLength(1);
  });
});

describe('payment gateway timeout', () => {
  it('aborts a call that does not answer in time and reports PROVIDER_TIMEOUT, whatever the adapter makes of the abort', async () => {
    let aborted = false;
    const hangs = scripted(
      (_request, signal) =>
        new Promise((_, reject) =>
          signal.addEventListener('abort', () => {
            aborted = true;
            // As fetch does: the abort surfaces as a failure to reach the provider.
            reject(new ProviderUnavailableError('the payment provider could not be reached: aborted'));
          }),
        ),
    );
    const outcome = gateway(hangs.provider, { timeoutMs: 300, retryDelaysMs: [] }).authorize(authorization());
    await vi.advanceTimersByTimeAsync(300);
    await expect(outcome).resolves.toMatchObject({
      ok: false,
      attempts: 1,
      error: { code: 'PROVIDER_TIMEOUT', retriable: true },
    });
    expect(aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('takes any other error of the adapter for unavailability', async () => {
    const broken = scripted(async () => {
      throw new Error('socket hang up');
    });
    await expect(
      gateway(broken.provider, { retryDelaysMs: [] }).authorize(authorization()),
    ).resolves.toMatchObject({
      ok: false,
      error: { code: 'PROVIDER_UNAVAILABLE', retriable: true, message: expect.stringContaining('hang up') },
    });
  });
});

describe('payment gateway circuit', () => {
  it('opens once five payments fail, then refuses at once without calling the provider', async () => {
    const down = scripted(unavailableFor(Infinity));
    const payments = gateway(down.provider, { retryDelaysMs: [] });
    for (const order of ['a', 'b', 'c', 'd']) await payments.authorize(authorization(order));
    expect(payments.circuitState).toBe('CLOSED');
    await payments.authorize(authorization('e'));
    expect(payments.circuitState).toBe('OPEN');
    const refused = await payments.authorize(authorization('f'));
    expect(refused).toMatchObject({ ok: false, attempts: 1, error: { code: 'PROVIDER_UNAVAILABLE' } });
    expect(down.calls).toHaveLength(5);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(payments.circuitState).toBe('HALF_OPEN');
  });

  it('counts the retries of one payment as one failure', async () => {
    const down = scripted(unavailableFor(Infinity));
    const payments = gateway(down.provider, { retryDelaysMs: [1, 1, 1, 1, 1, 1] });
    const outcome = payments.authorize(authorization());
    await vi.advanceTimersByTimeAsync(10);
    await expect(outcome).resolves.toMatchObject({ ok: false, attempts: 7 });
    expect(payments.circuitState).toBe('CLOSED');
    expect(payments.breaker.recentFailures).toBe(1);
  });
});
