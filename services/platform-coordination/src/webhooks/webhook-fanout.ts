import { activeSubscriptions, enqueueDeliveries } from './webhook-store.js';
import type { SqlClient as Db } from '@fv/messaging';
import type { WebhookEventType } from './domain/webhook-signature.js';
import { presentDocument } from '../http/presenter.js';

export interface WebhookEvent {
  event: WebhookEventType;
  workflowId: string;
  timestamp: Date;
  data: Record<string, unknown>;
}

/**
 * Turns workflow events into deliveries for the subscriptions that asked for them, in the caller's
 * transaction (a delivery exists if and only if the change it reports was committed). The list of
 * subscriptions is cached briefly: it is read on every workflow change.
 */
export class WebhookFanout {
  private cache: { at: number; subscriptions: { id: string; eventTypes: string[] }[] } | null = null;
  /** How many times this process queued deliveries (committed or not): the dispatcher watches it. */
  enqueued = 0;

  constructor(private readonly cacheMs = 2000) {}

  /** Forget the cached subscriptions (after this process changed them). */
  invalidate(): void {
    this.cache = null;
  }

  async enqueue(db: Db, events: WebhookEvent[], now: Date): Promise<void> {
    if (events.length === 0) return;
    if (!this.cache || Date.now() - this.cache.at > this.cacheMs) {
      this.cache = { at: Date.now(), subscriptions: await activeSubscriptions(db) };
    }
    const deliveries = events.flatMap((event) =>
      this.cache!.subscriptions.filter((subscription) => subscription.eventTypes.includes(event.event)).map(
        (subscription) => ({
          subscriptionId: subscription.id,
          eventType: event.event,
          workflowId: event.workflowId,
          // The payload in the API's form (seed 001: `wf-` ids, amounts as numbers).
          payload: {
            timestamp: event.timestamp.toISOString(),
            event: event.event,
            data: presentDocument(event.data),
          },
        }),
      ),
    );
    if (deliveries.length > 0) this.enqueued += 1;
    await enqueueDeliveries(db, deliveries, now);
  }
}
