import type { Logger } from '@fv/service-kit';
import { CircuitBreaker, CircuitOpenError, type CircuitState } from './circuit-breaker.js';
import {
  PaymentError,
  ProviderTimeoutError,
  ProviderUnavailableError,
  isTransientPaymentFailure,
} from './payment-errors.js';
import type {
  AuthorizeRequest,
  CaptureRequest,
  PaymentOperation,
  PaymentProvider,
  ProviderResult,
  RefundRequest,
  VoidRequest,
} from './payment-provider.js';

export interface PaymentGatewayOptions {
  provider: PaymentProvider;
  /** Longest one call may take. */
  timeoutMs: number;
  /** Delay before each retry of a transient failure; their count is the number of retries. */
  retryDelaysMs: readonly number[];
  circuit: { failureThreshold: number; windowMs: number; openMs: number; minFailureRate?: number };
  logger: Logger;
  now?: () => number;
}

export type PaymentOutcome =
  { ok: true; reference: string; attempts: number } | { ok: false; error: PaymentError; attempts: number };

/**
 * The payment provider as the order service calls it: each call times out after `timeoutMs`, a
 * transient failure is retried after each of `retryDelaysMs`, and all calls share one circuit breaker
 * so an unhealthy provider is left alone instead of being hammered. Calls are idempotent by their key,
 * which makes repeating a call that timed out safe.
 */
export class PaymentGateway {
  readonly breaker: CircuitBreaker;

  constructor(private readonly options: PaymentGatewayOptions) {
    this.breaker = new CircuitBreaker({
      ...options.circuit,
      isFailure: isTransientPaymentFailure,
      ...(options.now ? { now: options.now } : {}),
      onStateChange: (from, to) =>
        options.logger[to === 'OPEN' ? 'warn' : 'info'](
          { provider: options.provider.name, from, to },
          `payment circuit ${to}`,
        ),
    });
  }

  get providerName(): string {
    return this.options.provider.name;
  }

  get circuitState(): CircuitState {
    return this.breaker.state;
  }

  authorize(request: AuthorizeRequest): Promise<PaymentOutcome> {
    return this.call('authorize', request.idempotencyKey, (signal) =>
      this.options.provider.authorize(request, signal),
    );
  }

  capture(request: CaptureRequest): Promise<PaymentOutcome> {
    return this.call('capture', request.idempotencyKey, (signal) =>
      this.options.provider.capture(request, signal),
    );
  }

  void(request: VoidRequest): Promise<PaymentOutcome> {
    return this.call('void', request.idempotencyKey, (signal) => this.options.provider.void(request, signal));
  }

  refund(request: RefundRequest): Promise<PaymentOutcome> {
    return this.call('refund', request.idempotencyKey, (signal) =>
      this.options.provider.refund(request, signal),
    );
  }

  private async call(
    operation: PaymentOperation,
    idempotencyKey: string,
    send: (signal: AbortSignal) => Promise<ProviderResult>,
  ): Promise<PaymentOutcome> {
    const log = this.options.logger.child({
      provider: this.options.provider.name,
      operation,
      idempotencyKey,
    });
    let attempts = 0;
    for (;;) {
      attempts += 1;
      let error: PaymentError;
      try {
        const result = await this.breaker.execute(() => this.withTimeout(operation, send), idempotencyKey);
        if (attempts > 1) log.info({ attempts }, 'payment call succeeded after retrying');
        return { ok: true, reference: result.reference, attempts };
      } catch (caught) {
        if (caught instanceof CircuitOpenError) {
          log.warn({ attempts }, 'payment call refused: the circuit breaker is open');
          return {
            ok: false,
            error: new ProviderUnavailableError(
              `the payment provider is unavailable (circuit open) for ${operation}`,
              { cause: caught },
            ),
            attempts,
          };
        }
        error = caught as PaymentError;
      }
      const delay = this.options.retryDelaysMs[attempts - 1];
      if (!error.retriable || delay === undefined) {
        log[error.retriable ? 'warn' : 'info'](
          { attempts, code: error.code, err: error },
          'payment call failed',
        );
        return { ok: false, error, attempts };
      }
      log.warn({ attempts, code: error.code, retryInMs: delay }, 'payment call failed transiently; retrying');
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  /** Runs one call with the timeout; anything but a PaymentError from the adapter counts as unavailability. */
  private async withTimeout(
    operation: PaymentOperation,
    send: (signal: AbortSignal) => Promise<ProviderResult>,
  ): Promise<ProviderResult> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(
          new ProviderTimeoutError(
            `the payment provider did not answer ${operation} within ${this.options.timeoutMs} ms`,
          ),
        );
      }, this.options.timeoutMs);
    });
    const attempt = send(controller.signal);
    try {
      return await Promise.race([attempt, timeout]);
    } catch (error) {
      if (error instanceof PaymentError) throw error;
      throw new ProviderUnavailableError(
        `the payment provider failed on ${operation}: ${(error as Error).message}`,
        { cause: error },
      );
    } finally {
      clearTimeout(timer);
      attempt.catch(() => undefined);
    }
  }
}
