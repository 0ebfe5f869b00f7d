import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpPaymentProvider } from '../src/payment/http-payment-provider.js';
import { PaymentError } from '../src/payment/payment-errors.js';
import { startProvider, type TestProvider } from '@fv/payment-provider/testing';

let provider: TestProvider;
let adapter: HttpPaymentProvider;
const signal = () => AbortSignal.timeout(10_000);

beforeAll(async () => {
  provider = await startProvider('adapter');
  adapter = new HttpPaymentProvider(provider.url);
});
afterAll(async () => {
  await provider?.close();
});

const authorization = (token: string, orderId = randomUUID()) => ({
  idempotencyKey: `order-${orderId}-authorize`,
  orderId,
  amount: '25.00',
  currency: 'USD',
  token,
  paymentMethodType: 'CREDIT_CARD',
});

async function failure(call: Promise<unknown>): Promise<PaymentError> {
  const error = await call.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(PaymentError);
  return error as PaymentError;
}

describe('the HTTP adapter against the payment provider simulator', () => {
  it('authorizes, captures and refunds; a repeated key answers the first result', async () => {
    const request = authorization('tok_visa_4242');
    const first = await adapter.authorize(request, signal());
    expect((await adapter.authorize(request, signal())).reference).toBe(first.reference);
    const capture = {
      idempotencyKey: `cap-${first.reference}`,
      reference: first.reference,
      amount: '25.00',
      currency: 'USD',
    };
    const captured = await adapter.capture(capture, signal());
    expect((await adapter.capture(capture, signal())).reference).toBe(captured.reference);
    await adapter.refund({ ...capture, idempotencyKey: `ref-${first.reference}`, amount: '5.00' }, signal());
    const [held] = await provider.authorizationsFor(request.orderId);
    expect(held!.operations.map((op) => op.object)).toEqual(['capture', 'refund']);
  });

  it('maps declines to their codes, never retriable', async () => {
    for (const [token, code] of [
      ['tok_decline', 'PAYMENT_DECLINED'],
      ['tok_insufficient_funds', 'INSUFFICIENT_FUNDS'],
      ['tok_expired_card', 'CARD_EXPIRED'],
    ] as const) {
      expect(await failure(adapter.authorize(authorization(token), signal()))).toMatchObject({
        code,
        retriable: false,
      });
    }
  });

  it('maps an unknown or voided authorization to a non-retriable INVALID_PAYMENT_REQUEST with the reason', async () => {
    const unknown = await failure(
      adapter.capture(
        { idempotencyKey: randomUUID(), reference: 'auth_gone', amount: '1.00', currency: 'USD' },
        signal(),
      ),
    );
    expect(unknown).toMatchObject({
      code: 'INVALID_PAYMENT_REQUEST',
      retriable: false,
      providerReason: 'AUTHORIZATION_NOT_FOUND',
    });
    const held = await adapter.authorize(authorization('tok_visa_4242'), signal());
    await adapter.void({ idempotencyKey: `void-${held.reference}`, reference: held.reference }, signal());
    const voided = await failure(
      adapter.capture(
        { idempotencyKey: randomUUID(), reference: held.reference, amount: '25.00', currency: 'USD' },
        signal(),
      ),
    );
    expect(voided).toMatchObject({ retriable: false, providerReason: 'AUTHORIZATION_VOIDED' });
  });

  it('maps an outage to a retriable PROVIDER_UNAVAILABLE, and an unreachable provider too', async () => {
    expect(await failure(adapter.authorize(authorization('tok_unavailable'), signal()))).toMatchObject({
      code: 'PROVIDER_UNAVAILABLE',
      retriable: true,
    });
    const once = authorization('tok_transient_once');
    expect(await failure(adapter.authorize(once, signal()))).toMatchObject({ retriable: true });
    expect((await adapter.authorize(once, signal())).reference).toMatch(/^auth_/);
    const nowhere = new HttpPaymentProvider('http://127.0.0.1:1');
    expect(await failure(nowhere.authorize(authorization('tok_visa_4242'), signal()))).toMatchObject({
      code: 'PROVIDER_UNAVAILABLE',
      retriable: true,
    });
  });
});
