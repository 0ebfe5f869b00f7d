import { randomUUID } from 'node:crypto';
import type { Prisma, WebhookDelivery, WebhookSubscription } from '../generated/prisma/client.js';
import type { Db } from './instance-store.js';

export async function activeSubscriptions(db: Db): Promise<Pick<WebhookSubscription, 'id' | 'eventTypes'>[]> {
  return db.webhookSubscription.findMany({ where: { active: true }, select: { id: true, eventTypes: true } });
}

export async function enqueueDeliveries(
  db: Db,
  deliveries: {
    subscriptionId: string;
    eventType: string;
    workflowId: string | null;
    payload: Record<string, unknown>;
  }[],
  now: Date,
): Promise<void> {
  if (deliveries.length === 0) return;
  await db.webhookDelivery.createMany({
    data: deliveries.map((delivery) => {
      const id = randomUUID();
      return {
        id,
        subscriptionId: delivery.subscriptionId,
        eventType: delivery.eventType,
        workflowId: delivery.workflowId,
        payload: { id, ...delivery.payload } as Prisma.InputJsonValue,
        status: 'PENDING',
        nextAttemptAt: now,
        createdAt: now,
      };
    }),
  });
}

export type DueDelivery = WebhookDelivery & {
  subscription: { url: string; secret: string; active: boolean };
};

/** Locks up to `limit` due deliveries for this dispatcher (others skip them). */
export async function lockDueDeliveries(db: Db, now: Date, limit: number): Promise<DueDelivery[]> {
  const ids = await db.$queryRawUnsafe<{ id: string }[]>(
    `select id from webhook_deliveries where status = 'PENDING' and next_attempt_at <= $1
     order by next_attempt_at limit $2 for update skip locked`,
    now,
    limit,
  );
  if (ids.length === 0) return [];
  return db.webhookDelivery.findMany({
    where: { id: { in: ids.map((row) => row.id) } },
    include: { subscription: { select: { url: true, secret: true, active: true } } },
  });
}

export async function recordAttempt(
  db: Db,
  delivery: WebhookDelivery,
  attempt: { at: Date; statusCode: number | null; error: string | null; durationMs: number },
  next: { status: 'PENDING' | 'DELIVERED' | 'FAILED'; nextAttemptAt: Date },
): Promise<void> {
  const history = [...((delivery.history as unknown[]) ?? []), { ...attempt, at: attempt.at.toISOString() }];
  await db.webhookDelivery.update({
    where: { id: delivery.id },
    data: {
      attempts: delivery.attempts + 1,
      status: next.status,
      nextAttemptAt: next.nextAttemptAt,
      lastStatusCode: attempt.statusCode,
      lastError: attempt.error?.slice(0, 2000) ?? null,
      history: history as Prisma.InputJsonValue,
      deliveredAt: next.status === 'DELIVERED' ? attempt.at : null,
    },
  });
}
