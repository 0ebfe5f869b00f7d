import { randomUUID } from 'node:crypto';
import { fromMinorUnits, toMinorUnits } from '../domain/money.js';
import { PaymentRefusedError, ProviderUnavailableError } from './payment-errors.js';
import type {
  AuthorizeRequest,
  CaptureRequest,
  PaymentOperation,
  PaymentProvider,
  ProviderResult,
  RefundRequest,
  VoidRequest,
} from './payment-provider.js';

/**
 * Test tokens and what the simulator does with each (see the service README). Any other token is
 * declined, as a real provider declines a token it does not know.
 */
export const SIMULATOR_TOKENS = {
  tok_visa_4242: 'approved',
  tok_mastercard_4444: 'approved',
  tok_amex_0005: 'approved',
  tok_decline: 'declined (PAYMENT_DECLINED)',
  tok_insufficient_funds: 'declined (INSUFFICIENT_FUNDS)',
  tok_expired_card: 'declined (CARD_EXPIRED)',
  tok_transient_once: 'the first call for a payment fails as unavailable, the next one is approved',
  tok_unavailable: 'every call fails as unavailable',
  tok_timeout: 'the call never answers (the gateway times it out)',
} as const;

export type SimulatorToken = keyof typeof SIMULATOR_TOKENS;

interface Authorization {
  reference: string;
  orderId: string;
  currency: string;
  authorized: bigint;
  captured: bigint;
  refunded: bigint;
  voided: boolean;
}

/** One operation the simulator performed (not the calls it answered from its idempotency records). */
export interface SimulatorOperation {
  operation: PaymentOperation;
  idempotencyKey: string;
  reference: string;
  amount: string | null;
}

/**
 * An in-memory fake of the payment provider for the gateway's unit tests (retries, timeouts, the
 * circuit breaker) only: the service itself always talks to the provider over HTTP
 * (`HttpPaymentProvider`), locally the `@fv/payment-provider` simulator with its durable ledger. It
 * honours idempotency keys and the same test tokens.
 */
export class PaymentSimulator implements PaymentProvider {
  readonly name = 'simulator';
  /** Everything performed, in order. */
  readonly operations: SimulatorOperation[] = [];
  /** Every call received, including repeats and failures. */
  readonly calls: { operation: PaymentOperation; idempotencyKey: string }[] = [];
  private readonly results = new Map<string, ProviderResult>();
  private readonly authorizations = new Map<string, Authorization>();
  private readonly transientSeen = new Set<string>();

  async authorize(request: AuthorizeRequest, signal: AbortSignal): Promise<ProviderResult> {
    this.calls.push({ operation: 'authorize', idempotencyKey: request.idempotencyKey });
    const previous = this.results.get(request.idempotencyKey);
    if (previous) return previous;
    await this.behave(request.token, request.idempotencyKey, signal);
    const amount = toMinorUnits(request.amount, request.currency);
    const reference = `sim_auth_${randomUUID()}`;
    this.authorizations.set(reference, {
      reference,
      orderId: request.orderId,
      currency: request.currency,
      authorized: amount,
      captured: 0n,
      refunded: 0n,
      voided: false,
    });
    return this.record('authorize', request.idempotencyKey, { reference }, request.amount);
  }

  async capture(request: CaptureRequest): Promise<ProviderResult> {
    this.calls.push({ operation: 'capture', idempotencyKey: request.idempotencyKey });
    const previous = this.results.get(request.idempotencyKey);
    if (previous) return previous;
    const authorization = this.authorizationOf(request.reference);
    const amount = toMinorUnits(request.amount, authorization.currency);
    if (authorization.voided)
      throw new PaymentRefusedError('INVALID_PAYMENT_REQUEST', 'the authorization was voided');
    if (authorization.captured + amount > authorization.authorized) {
      throw new PaymentRefusedError('INVALID_PAYMENT_REQUEST', 'the capture exceeds the authorized amount');
    }
    authorization.captured += amount;
    return this.record(
      'capture',
      request.idempotencyKey,
      { reference: `sim_cap_${randomUUID()}` },
      request.amount,
    );
  }

  async void(request: VoidRequest): Promise<ProviderResult> {
    this.calls.push({ operation: 'void', idempotencyKey: request.idempotencyKey });
    const previous = this.results.get(request.idempotencyKey);
    if (previous) return previous;
    const authorization = this.authorizationOf(request.reference);
    if (authorization.captured > 0n) {
      throw new PaymentRefusedError(
        'INVALID_PAYMENT_REQUEST',
        'a captured payment cannot be voided; refund it',
      );
    }
    authorization.voided = true;
    return this.record('void', request.idempotencyKey, { reference: `sim_void_${randomUUID()}` }, null);
  }

  async refund(request: RefundRequest): Promise<ProviderResult> {
    this.calls.push({ operation: 'refund', idempotencyKey: request.idempotencyKey });
    const previous = this.results.get(request.idempotencyKey);
    if (previous) return previous;
    const authorization = this.authorizationOf(request.reference);
    const amount = toMinorUnits(request.amount, authorization.currency);
    if (amount <= 0n || authorization.refunded + amount > authorization.captured) {
      throw new PaymentRefusedError(
        'INVALID_PAYMENT_REQUEST',
        `cannot refund ${request.amount}: ${fromMinorUnits(authorization.captured - authorization.refunded, authorization.currency)} is refundable`,
      );
    }
    authorization.refunded += amount;
    return this.record(
      'refund',
      request.idempotencyKey,
      { reference: `sim_ref_${randomUUID()}` },
      request.amount,
    );
  }

  /** Successful authorizations made for an order. */
  authorizationsFor(orderId: string): number {
    return [...this.authorizations.values()].filter((authorization) => authorization.orderId === orderId)
      .length;
  }

  private authorizationOf(reference: string): Authorization {
    const authorization = this.authorizations.get(reference);
    if (!authorization)
      throw new PaymentRefusedError('INVALID_PAYMENT_REQUEST', `no authorization ${reference}`);
    return authorization;
  }

  private record(
    operation: PaymentOperation,
    idempotencyKey: string,
    result: ProviderResult,
    amount: string | null,
  ): ProviderResult {
    this.results.set(idempotencyKey, result);
    this.operations.push({ operation, idempotencyKey, reference: result.reference, amount });
    return result;
  }

  private async behave(token: string, idempotencyKey: string, signal: AbortSignal): Promise<void> {
    switch (token as SimulatorToken) {
      case 'tok_visa_4242':
      case 'tok_mastercard_4444':
      case 'tok_amex_0005':
        return;
      case 'tok_decline':
        throw new PaymentRefusedError('PAYMENT_DECLINED', 'the card was declined');
      case 'tok_insufficient_funds':
        throw new PaymentRefusedError('INSUFFICIENT_FUNDS', 'the card has insufficient funds');
      case 'tok_expired_card':
        throw new PaymentRefusedError('CARD_EXPIRED', 'the card has expired');
      case 'tok_transient_once':
        if (this.transientSeen.has(idempotencyKey)) return;
        this.transientSeen.add(idempotencyKey);
        throw new ProviderUnavailableError('the simulated provider is temporarily unavailable');
      case 'tok_unavailable':
        throw new ProviderUnavailableError('the simulated provider is unavailable');
      case 'tok_timeout':
        await new Promise<never>((_, reject) => {
          if (signal.aborted) reject(new Error('aborted'));
          signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
        });
        return;
      default:
        throw new PaymentRefusedError(
          'PAYMENT_DECLINED',
          'the payment method token is not one the simulator knows',
        );
    }
  }
}
