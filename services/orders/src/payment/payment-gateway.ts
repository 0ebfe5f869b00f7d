import {
  CircuitBreaker,
  CircuitOpenError,
  jittered,
  sleep,
  withTimeout,
  type CircuitState,
} from '@fv/resilience';
import { lazyChild, type Logger } from '@fv/service-kit';
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
  /**
   * Delay before each retry of a transient failure; their count is the number of retries. Half of each is
   * jittered (the wait is between half of it and all of it, never longer), so that payments that failed
   * together do not all come back together.
   */
  retryDelaysMs: readonly number[];
  circuit: { failureThreshold: number; windowMs: number; openMs: number; minFailureRate?: number };
  logger: Logger;
  now?: () => number;
  /** Source of the retries' jitter (tests pass their own). */
  random?: () => number;
}

export type PaymentOutcome =
  { ok: true; reference: string; attempts: number } | { ok: false; error: PaymentError; attempts: number };

/**
 * The payment provider as the order service calls it: each call times out after `timeoutMs`, a
 * transient failure is retried after each of `retryDelaysMs` (jittered), and all calls share one circuit
 * breaker (`@fv/resilience`) so an unhealthy provider is left alone instead of being hammered. Calls are
 * idempotent by their key, which makes repeating a call that timed out safe.
 *
 * Each operation takes an optional `signal` that ends its retries: once it aborts, a wait for the next
 * attempt ends at once and the outcome is the last failure (a transient one, which the caller's records
 * keep for a later retry under the same key). A call in flight is not cut short: it has its own
 * timeout, and an answer the provider gives is not lost.
 */
export class PaymentGateway {
  readonly breaker: CircuitBreaker;
  private readonly random: () => number;

  constructor(private readonly options: PaymentGatewayOptions) {
    this.random = options.random ?? Math.random;
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

  authorize(request: AuthorizeRequest, signal?: AbortSignal): Promise<PaymentOutcome> {
    return this.call(
      'authorize',
      request.idempotencyKey,
      (timeout) => this.options.provider.authorize(request, timeout),
      signal,
    );
  }

  capture(request: CaptureRequest, signal?: AbortSignal): Promise<PaymentOutcome> {
    return this.call(
      'capture',
      request.idempotencyKey,
      (timeout) => this.options.provider.capture(request, timeout),
      signal,
    );
  }

  void(request: VoidRequest, signal?: AbortSignal): Promise<PaymentOutcome> {
    return this.call(
      'void',
      request.idempotencyKey,
      (timeout) => this.options.provider.void(request, timeout),
      signal,
    );
  }

  refund(request: RefundRequest, signal?: AbortSignal): Promise<PaymentOutcome> {
    return this.call(
      'refund',
      request.idempotencyKey,
      (timeout) => this.options.provider.refund(request, timeout),
      signal,
    );
  }

  private async call(
    operation: PaymentOperation,
    idempotencyKey: string,
    send: (signal: AbortSignal) => Promise<ProviderResult>,
    signal: AbortSignal | undefined,
  ): Promise<PaymentOutcome> {
    const log = lazyChild(this.options.logger, {
      provider: this.options.provider.name,
      operation,
      idempotencyKey,
    });
    let attempts = 0;
    for (;;) {
      attempts += 1;
      let error: PaymentError;
      try {
        const result = await this.breaker.execute(() => this.attempt(operation, send), idempotencyKey);
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
      const listed = this.options.retryDelaysMs[attempts - 1];
      if (!error.retriable || listed === undefined) {
        log[error.retriable ? 'warn' : 'info'](
          { attempts, code: error.code, err: error },
          'payment call failed',
        );
        return { ok: false, error, attempts };
      }
      const delay = jittered(listed, 'equal', this.random);
      log.warn({ attempts, code: error.code, retryInMs: delay }, 'payment call failed transiently; retrying');
      if (!(await sleep(delay, signal))) {
        // The caller's signal aborted: the last failure is the outcome, retried later under the same key.
        log.info({ attempts, code: error.code }, 'payment call not retried: its caller stopped waiting');
        return { ok: false, error, attempts };
      }
    }
  }

  /**
   * One call with the timeout (which aborts the provider's request); anything but a PaymentError from
   * the adapter counts as unavailability.
   */
  private async attempt(
    operation: PaymentOperation,
    send: (signal: AbortSignal) => Promise<ProviderResult>,
  ): Promise<ProviderResult> {
    const controller = new AbortController();
    const timedOut = () =>
      new ProviderTimeoutError(
        `the payment provider did not answer ${operation} within ${this.options.timeoutMs} ms`,
      );
    let call: Promise<ProviderResult> | undefined;
    try {
      call = send(controller.signal);
      return await withTimeout(call, this.options.timeoutMs, () => {
        controller.abort();
        return timedOut();
      });
    } catch (error) {
      // Aborted by the timeout: whatever the adapter made of the abort, the provider did not answer in time.
      if (controller.signal.aborted) throw error instanceof ProviderTimeoutError ? error : timedOut();
      if (error instanceof PaymentError) throw error;
      throw new ProviderUnavailableError(
        `the payment provider failed on ${operation}: ${(error as Error).message}`,
        { cause: error },
      );
    } finally {
      call?.catch(() => undefined);
    }
  }
}
