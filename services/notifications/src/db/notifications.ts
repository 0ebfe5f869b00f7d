import type { Db } from './client.js';

/** Locks the next message due for an attempt; other dispatchers skip it. */
export async function claimNextDue(db: Db, now: Date): Promise<string | null> {
  const rows = await db.$queryRawUnsafe<{ id: string }[]>(
    `select id::text as id from notifications
      where status = 'PENDING' and next_attempt_at <= $1::timestamptz
      order by next_attempt_at, created_at
      limit 1 for update skip locked`,
    now.toISOString(),
  );
  return rows[0]?.id ?? null;
}

export async function findNotification(db: Db, id: string) {
  return db.notification.findUnique({ where: { id } });
}

export async function notificationsForSource(db: Db, customerId: string, sourceEventId: string) {
  return db.notification.findMany({ where: { customerId, sourceEventId }, orderBy: { channel: 'asc' } });
}

export interface NotificationFilter {
  customerId?: string;
  orderId?: string;
  status?: string;
  channel?: string;
}

export async function listNotifications(
  db: Db,
  filter: NotificationFilter,
  page: { page: number; size: number },
) {
  const where = {
    ...(filter.customerId ? { customerId: filter.customerId } : {}),
    ...(filter.orderId ? { orderId: filter.orderId } : {}),
    ...(filter.status ? { status: filter.status } : {}),
    ...(filter.channel ? { channel: filter.channel } : {}),
  };
  const [rows, total] = await Promise.all([
    db.notification.findMany({
      where,
      orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
      skip: page.page * page.size,
      take: page.size,
    }),
    db.notification.count({ where }),
  ]);
  return { rows, total };
}
