import { randomUUID } from 'node:crypto';
import type { Prisma, WebhookDelivery, WebhookSubscription } from '../generated/prisma/client.js';
import type { SqlClient } from '@fv/messaging';
import type { Db } from '../shared/db.js';

/** Active subscriptions and the events each wants (read by the saga observer: SQL only). */
export async function activeSubscriptions(
  db: SqlClient,
): Promise<Pick<WebhookSubscription, 'id' | 'eventTypes'>[]> {
  const rows = await db.$queryRawUnsafe<{ id: string; event_types: string[] | null }[]>(
    'select id::text as id, event_types from webhook_subscriptions where active',
  );
  return rows.map((row) => ({ id: row.id, eventTypes: row.event_types ?? [] }));
}

/** Queues deliveries for the dispatcher (written by the saga observer: SQL only). */
export async function enqueueDeliveries(
  db: SqlClient,
  deliveries: {
    subscriptionId: string;
    eventType: string;
    workflowId: string | null;
    payload: Record<string, unknown>;
  }[],
  now: Date,
): Promise<void> {
  if (deliveries.length === 0) return;
  await db.$executeRawUnsafe(
    `insert into webhook_deliveries (id, subscription_id, event_type, workflow_id, payload, status, next_attempt_at, created_at)
     select v.id, v.subscription_id, v.event_type, v.workflow_id, v.payload, 'PENDING', $2, $2
       from jsonb_to_recordset($1::jsonb) as v(id uuid, subscription_id uuid, event_type text, workflow_id uuid, payload jsonb)`,
    JSON.stringify(
      deliveries.map((delivery) => {
        const id = randomUUID();
        return {
          id,
          subscription_id: delivery.subscriptionId,
          event_type: delivery.eventType,
          workflow_id: delivery.workflowId,
          payload: { id, ...delivery.payload },
        };
      }),
    ),
    now,
  );
}

export type DueDelivery = WebhookDelivery & {
  subscription: { url: string; secret: string; active: boolean };
};

/** When the next pending delivery is due, if any is pending. */
export async function nextDeliveryDue(db: SqlClient): Promise<Date | null> {
  const rows = await db.$queryRawUnsafe<{ due: Date | null }[]>(
    `select min(next_attempt_at) as due from webhook_deliveries where status = 'PENDING'`,
  );
  const due = rows[0]?.due;
  return due ? new Date(due) : null;
}

/** Whether any delivery is waiting for an attempt at `now` (one index look-up, no lock). */
export async function anyDueDelivery(db: SqlClient, now: Date): Promise<boolean> {
  const rows = await db.$queryRawUnsafe<{ due: boolean }[]>(
    `select exists (select 1 from webhook_deliveries where status = 'PENDING' and next_attempt_at <= $1) as due`,
    now,
  );
  return rows[0]?.due === true;
}

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
