import type { SqlClient } from '@fv/messaging';
import {
  BACKGROUND_MAX_IDLE_MS,
  dueTimeTask,
  type BackgroundTask,
  type DueTimeTask,
} from '@fv/service-runtime';
import type { Logger } from 'pino';
import { anyDueDelivery, lockDueDeliveries, nextDeliveryDue, recordAttempt } from './webhook-store.js';
import type { Db } from '../shared/db.js';
import { backoffMs, SIGNATURE_HEADER, signPayload } from './domain/webhook-signature.js';
import type { OutboundPolicy } from '../net/outbound-policy.js';
import { outboundRequest } from '../net/outbound-request.js';

export interface WebhookDispatcherOptions {
  transaction: <T>(fn: (tx: Db) => Promise<T>) => Promise<T>;
  /**
   * The database without Prisma: each round first asks it whether anything is due, outside any
   * transaction, and opens the transaction that locks and sends only when something is.
   */
  db?: SqlClient;
  /**
   * Where this process queues deliveries. Without it the dispatcher looks every `intervalMs`; with it
   * (and `db`), it sleeps until the next delivery is due, woken by commits after the fanout queued one,
   * and looks every `intervalMs` only for `maxIdleMs` after that.
   */
  fanout?: { readonly enqueued: number };
  intervalMs: number;
  /** The longest sleep when no delivery is due (default `BACKGROUND_MAX_IDLE_MS`). */
  maxIdleMs?: number;
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
  private readonly loop: DueTimeTask;
  private seenEnqueued = 0;
  private lastEnqueuedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: WebhookDispatcherOptions) {
    const maxIdleMs = options.maxIdleMs ?? BACKGROUND_MAX_IDLE_MS;
    this.loop = dueTimeTask(this.name, {
      ready: Promise.resolve(),
      maxIdleMs,
      // A delivery another replica holds locked stays due: look again a little later.
      minDelayMs: Math.min(100, options.intervalMs),
      firstRoundAfterMs: options.intervalMs,
      round: async () => {
        const sent = await this.dispatchOnce();
        const now = Date.now();
        const soon = new Date(now + options.intervalMs);
        if (!options.fanout || !options.db || sent >= (options.batchSize ?? 20)) return soon;
        // A transaction that queued deliveries may commit after the commit that woke this round.
        const recent = now - this.lastEnqueuedAt < maxIdleMs;
        const next = await nextDeliveryDue(options.db);
        if (recent && (!next || next > soon)) return soon;
        return next;
      },
      onError: (error) => options.logger.warn({ err: error }, 'webhook dispatch failed; retrying'),
      retryMs: options.intervalMs,
    });
  }

  start(): void {
    this.loop.start();
  }

  /** A transaction committed: if the fanout queued deliveries meanwhile, send them now. */
  commitSeen(): void {
    const enqueued = this.options.fanout?.enqueued ?? 0;
    if (enqueued === this.seenEnqueued) return;
    this.seenEnqueued = enqueued;
    this.lastEnqueuedAt = Date.now();
    this.loop.wake();
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

  async close(): Promise<void> {
    await this.loop.close();
  }
}
