import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { PaymentGateway } from './payment-gateway.js';
import { PaymentSimulator } from './payment-simulator.js';

const logger = pino({ level: 'silent' });

function gateway(
  simulator = new PaymentSimulator(),
  overrides: Partial<ConstructorParameters<typeof PaymentGateway>[0]> = {},
) {
  return new PaymentGateway({
    provider: simulator,
    timeoutMs: 50,
    retryDelaysMs: [1, 2, 4],
    circuit: { failureThreshold: 5, windowMs: 60_000, openMs: 30_000 },
    logger,
    ...overrides,
  });
}

const authorization = (token: string, orderId = 'order-1') => ({
  idempotencyKey: `order-${orderId}-authorize`,
  orderId,
  amount: '100.00',
  currency: 'USD',
  token,
  paymentMethodType: 'CREDIT_CARD',
});

describe('payment gateway over the simulator', () => {
  it('authorizes a good card at the first attempt', async () => {
    const outcome = await gateway().authorize(authorization('tok_visa_4242'));
    expect(outcome).toMatchObject({ ok: true, attempts: 1 });
  });

  it('never retries a decline, and reports its code', async () => {
    const simulator = new PaymentSimulator();
    const outcome = await gateway(simulator).authorize(authorization('tok_decline'));
    expect(outcome).toMatchObject({
      ok: false,
      attempts: 1,
      error: { code: 'PAYMENT_DECLINED', retriable: false },
    });
    expect(simulator.calls).toHaveLength(1);
    const funds = await gateway().authorize(authorization('tok_insufficient_funds'));
    expect(funds).toMatchObject({ ok: false, error: { code: 'INSUFFICIENT_FUNDS' } });
  });

  it('retries a transient failure with the same idempotency key and succeeds', async () => {
    const simulator = new PaymentSimulator();
    const outcome = await gateway(simulator).authorize(authorization('tok_transient_once'));
    expect(outcome).toMatchObject({ ok: true, attempts: 2 });
    expect(new Set(simulator.calls.map((call) => call.idempotencyKey)).size).toBe(1);
    expect(simulator.operations).toHaveLength(1);
  });

  it('gives up after the configured retries when the provider stays unavailable', async () => {
    const simulator = new PaymentSimulator();
    const outcome = await gateway(simulator).authorize(authorization('tok_unavailable'));
    expect(outcome).toMatchObject({
      ok: false,
      attempts: 4,
      error: { code: 'PROVIDER_UNAVAILABLE', retriable: true },
    });
    expect(simulator.calls).toHaveLength(4);
  });

  it('times out a call that hangs', async () => {
    const outcome = await gateway(new PaymentSimulator(), { retryDelaysMs: [] }).authorize(
      authorization('tok_timeout'),
    );
    expect(outcome).toMatchObject({
      ok: false,
      attempts: 1,
      error: { code: 'PROVIDER_TIMEOUT', retriable: true },
    });
  });

  it('opens the circuit once many payments fail and then refuses without calling the provider', async () => {
    const simulator = new PaymentSimulator();
    const payments = gateway(simulator, { retryDelaysMs: [1, 1] });
    for (const order of ['a', 'b', 'c', 'd'])
      await payments.authorize(authorization('tok_unavailable', order));
    expect(payments.circuitState).toBe('CLOSED');
    await payments.authorize(authorization('tok_unavailable', 'e')); // the fifth payment failing: open
    expect(payments.circuitState).toBe('OPEN');
    const callsBefore = simulator.calls.length;
    const refused = await payments.authorize(authorization('tok_visa_4242', 'f'));
    expect(refused).toMatchObject({ ok: false, attempts: 1, error: { code: 'PROVIDER_UNAVAILABLE' } });
    expect(simulator.calls.length).toBe(callsBefore);
  });

  // Finding 7 of the security review: one circuit for every customer let two bad cards, each retried,
  // open it and refuse everyone else's payment.
  it("two orders with failing cards do not fail the next customers' payments", async () => {
    const payments = gateway(new PaymentSimulator(), { retryDelaysMs: [1, 1, 1] });
    for (const order of ['bad-1', 'bad-2']) {
      expect(await payments.authorize(authorization('tok_unavailable', order))).toMatchObject({
        ok: false,
        attempts: 4,
      });
    }
    for (const order of ['next-1', 'next-2', 'next-3']) {
      expect(await payments.authorize(authorization('tok_visa_4242', order))).toMatchObject({
        ok: true,
        attempts: 1,
      });
    }
    expect(payments.circuitState).toBe('CLOSED');
  });

  it('repeats a call whose answer was lost with the same key, and the customer is charged once', async () => {
    const simulator = new PaymentSimulator();
    let lose = true;
    const lossy = {
      name: simulator.name,
      authorize: async (request: Parameters<PaymentSimulator['authorize']>[0], signal: AbortSignal) => {
        const result = await simulator.authorize(request, signal);
        if (lose) {
          lose = false;
          throw new Error('socket hang up');
        }
        return result;
      },
      capture: simulator.capture.bind(simulator),
      void: simulator.void.bind(simulator),
      refund: simulator.refund.bind(simulator),
    };
    const outcome = await gateway(simulator, { provider: lossy }).authorize(authorization('tok_visa_4242'));
    expect(outcome).toMatchObject({ ok: true, attempts: 2 });
    expect(simulator.calls).toHaveLength(2);
    expect(simulator.authorizationsFor('order-1')).toBe(1);
  });

  it('answers a repeated key with the first result and performs the operation once', async () => {
    const simulator = new PaymentSimulator();
    const payments = gateway(simulator);
    const first = await payments.authorize(authorization('tok_visa_4242'));
    const second = await payments.authorize(authorization('tok_visa_4242'));
    expect(first.ok && second.ok && first.reference === second.reference).toBe(true);
    expect(simulator.authorizationsFor('order-1')).toBe(1);
  });

  it('captures, refunds in parts and refuses to refund more than was captured', async () => {
    const simulator = new PaymentSimulator();
    const payments = gateway(simulator);
    const authorized = await payments.authorize(authorization('tok_visa_4242'));
    if (!authorized.ok) throw new Error('authorization failed');
    const reference = authorized.reference;
    expect(
      await payments.capture({ idempotencyKey: 'cap', reference, amount: '100.00', currency: 'USD' }),
    ).toMatchObject({ ok: true });
    expect(await payments.void({ idempotencyKey: 'void', reference })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_PAYMENT_REQUEST' },
    });
    expect(
      await payments.refund({ idempotencyKey: 'r1', reference, amount: '60.00', currency: 'USD' }),
    ).toMatchObject({ ok: true });
    expect(
      await payments.refund({ idempotencyKey: 'r2', reference, amount: '40.01', currency: 'USD' }),
    ).toMatchObject({ ok: false });
    expect(
      await payments.refund({ idempotencyKey: 'r3', reference, amount: '40.00', currency: 'USD' }),
    ).toMatchObject({ ok: true });
  });
});
