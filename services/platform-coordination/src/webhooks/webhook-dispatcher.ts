import type { SqlClient } from '@fv/messaging';
import type { BackgroundTask } from '@fv/service-runtime';
import type { Logger } from 'pino';
import { anyDueDelivery, lockDueDeliveries, recordAttempt } from '../db/webhook-store.js';
import type { Db } from '../db/instance-store.js';
import { backoffMs, SIGNATURE_HEADER, signPayload } from '../domain/webhook-signature.js';
import type { OutboundPolicy } from '../net/outbound-policy.js';
import { outboundRequest } from '../net/outbound-request.js';

export interface WebhookDispatcherOptions {
  transaction: <T>(fn: (tx: Db) => Promise<T>) => Promise<T>;
  /**
   * The database without Prisma: each round first asks it whether anything is due, outside any
   * transaction, and opens the transaction that locks and sends only when something is.
   */
  db?: SqlClient;
  intervalMs: number;
  timeoutMs: number;
  maxAttempts: number;
  backoff: { initialIntervalMs: number; backoffMultiplier: number; maxIntervalMs: number };
  logger: Logger;
  batchSize?: number;
  /** Which URLs deliveries may reach, checked again at each attempt (DNS answers change). */
  outbound: OutboundPolicy;
}

/**
 * Delivers webhook payloads to the URLs the outbound policy admits at the time of each attempt: POSTs the JSON body with `X-FV-Signature: sha256=<HMAC-SHA256 of the body>`,
 * `X-FV-Event` and `X-FV-Delivery`; a 2xx answer delivers it, anything else is retried with exponential
 * backoff until the attempts run out (FAILED). Each attempt is recorded on the delivery. Deliveries are
 * locked while in flight, so several replicas never send one twice at once.
 */
export class WebhookDispatcher implements BackgroundTask {
  readonly name = 'webhook dispatcher';
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(private readonly options: WebhookDispatcherOptions) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.options.intervalMs);
    this.timer.unref();
  }

  /** Sends what is due now; the number of attempts made. */
  async dispatchOnce(): Promise<number> {
    if (this.options.db && !(await anyDueDelivery(this.options.db, new Date()))) return 0;
    return this.options.transaction(async (tx) => {
      const due = await lockDueDeliveries(tx, new Date(), this.options.batchSize ?? 20);
      await Promise.all(
        due.map(async (delivery) => {
          const body = JSON.stringify(delivery.payload);
          const started = Date.now();
          let statusCode: number | null = null;
          let error: string | null = null;
          if (!delivery.subscription.active) {
            error = 'subscription deleted';
          } else {
            try {
              const response = await outboundRequest(this.options.outbound, delivery.subscription.url, {
                method: 'POST',
                headers: {
                  'content-type': 'application/json',
                  [SIGNATURE_HEADER]: signPayload(delivery.subscription.secret, body),
                  'x-fv-event': delivery.eventType,
                  'x-fv-delivery': delivery.id,
                },
                body,
                timeoutMs: this.options.timeoutMs,
              });
              statusCode = response.status;
              if (response.status < 200 || response.status >= 300) error = `HTTP ${response.status}`;
            } catch (failure) {
              error = (failure as Error).message;
            }
          }
          const at = new Date();
          const attempt = delivery.attempts + 1;
          const delivered = error === null;
          const givingUp =
            !delivered && (attempt >= this.options.maxAttempts || !delivery.subscription.active);
          await recordAttempt(
            tx,
            delivery,
            { at, statusCode, error, durationMs: Date.now() - started },
            {
              status: delivered ? 'DELIVERED' : givingUp ? 'FAILED' : 'PENDING',
              nextAttemptAt: new Date(
                at.getTime() + (delivered || givingUp ? 0 : backoffMs(attempt, this.options.backoff)),
              ),
            },
          );
          if (givingUp)
            this.options.logger.warn(
              { deliveryId: delivery.id, attempt, error },
              'webhook delivery given up',
            );
        }),
      );
      return due.length;
    });
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = this.dispatchOnce()
      .catch((error) => this.options.logger.warn({ err: error }, 'webhook dispatch failed; retrying'))
      .finally(() => {
        this.running = null;
      });
    await this.running;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
