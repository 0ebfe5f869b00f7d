import type { Notification } from '../generated/prisma/client.js';
import { dateOf, dateOrNull, text, type Db, type PrismaDb, type Row } from './client.js';

export type { Notification };

/** The columns of a notification as `toNotification` reads them. */
export const NOTIFICATION_COLUMNS = `id::text as id, customer_id, order_id, source_event_id::text as source_event_id,
  source_event, template_key, channel, recipient, subject, body, status, reason, last_error, attempts, next_attempt_at,
  provider, provider_message_id, correlation_id, causation_id::text as causation_id, traceparent, reference, created_at,
  sent_at, updated_at`;

/** A notification from a row of NOTIFICATION_COLUMNS, or from `row_to_json` of the table. */
export function toNotification(row: Row): Notification {
  return {
    id: String(row.id),
    customerId: String(row.customer_id),
    orderId: text(row.order_id),
    sourceEventId: String(row.source_event_id),
    sourceEvent: String(row.source_event),
    templateKey: String(row.template_key),
    channel: String(row.channel),
    recipient: text(row.recipient),
    subject: text(row.subject),
    body: text(row.body),
    status: String(row.status),
    reason: text(row.reason),
    lastError: text(row.last_error),
    attempts: Number(row.attempts),
    nextAttemptAt: dateOrNull(row.next_attempt_at),
    provider: text(row.provider),
    providerMessageId: text(row.provider_message_id),
    correlationId: String(row.correlation_id),
    causationId: String(row.causation_id),
    traceparent: text(row.traceparent),
    reference: text(row.reference),
    createdAt: dateOf(row.created_at),
    sentAt: dateOrNull(row.sent_at),
    updatedAt: dateOf(row.updated_at),
  };
}

/** Locks the next message due for an attempt and reads it; other dispatchers skip it. */
export async function claimDue(db: Db, now: Date, limit: number): Promise<Notification[]> {
  const rows = await db.$queryRawUnsafe<Row[]>(
    `select ${NOTIFICATION_COLUMNS} from notifications
      where status = 'PENDING' and next_attempt_at <= $1::timestamptz
      order by next_attempt_at, created_at
      limit $2 for update skip locked`,
    now.toISOString(),
    limit,
  );
  return rows.map(toNotification);
}

/** When the next pending message is due (its first attempt or a retry), if any is pending. */
export async function nextAttemptDue(db: Db): Promise<Date | null> {
  const rows = await db.$queryRawUnsafe<Row[]>(
    `select min(next_attempt_at) as due from notifications where status = 'PENDING'`,
  );
  return dateOrNull(rows[0]?.due);
}

export async function findNotification(db: Db, id: string): Promise<Notification | null> {
  const rows = await db.$queryRawUnsafe<Row[]>(
    `select ${NOTIFICATION_COLUMNS} from notifications where id = $1::uuid`,
    id,
  );
  return rows[0] ? toNotification(rows[0]) : null;
}

/** A message to store: rendered (PENDING, with its first attempt due) or not sent (SKIPPED, FAILED). */
export interface NewNotification {
  id: string;
  customerId: string;
  orderId: string;
  sourceEventId: string;
  sourceEvent: string;
  templateKey: string;
  channel: string;
  recipient: string | null;
  status: string;
  reason?: string;
  lastError?: string;
  subject?: string | null;
  body?: string;
  nextAttemptAt?: Date;
  correlationId: string;
  causationId: string;
  traceparent: string | null;
  reference?: string | null;
}

/**
 * Stores the messages in one statement and returns those stored, in the order given. The unique
 * (customer, event, channel) key makes a message that exists already (a concurrent duplicate) a no-op.
 */
export async function insertNotifications(db: Db, messages: NewNotification[]): Promise<Notification[]> {
  if (messages.length === 0) return [];
  const rows = await db.$queryRawUnsafe<Row[]>(
    `insert into notifications (id, customer_id, order_id, source_event_id, source_event, template_key, channel,
       recipient, subject, body, status, reason, last_error, next_attempt_at, correlation_id, causation_id,
       traceparent, reference, created_at, updated_at)
     select v.id, v.customer_id, v.order_id, v.source_event_id, v.source_event, v.template_key, v.channel, v.recipient,
            v.subject, v.body, v.status, v.reason, v.last_error, v.next_attempt_at, v.correlation_id, v.causation_id,
            v.traceparent, v.reference, clock_timestamp(), clock_timestamp()
       from jsonb_to_recordset($1::jsonb) as v(id uuid, customer_id varchar, order_id varchar, source_event_id uuid,
            source_event varchar, template_key varchar, channel varchar, recipient varchar, subject varchar, body text,
            status varchar, reason varchar, last_error text, next_attempt_at timestamptz, correlation_id varchar,
            causation_id uuid, traceparent varchar, reference varchar)
     on conflict do nothing
     returning ${NOTIFICATION_COLUMNS}`,
    JSON.stringify(
      messages.map((message) => ({
        id: message.id,
        customer_id: message.customerId,
        order_id: message.orderId,
        source_event_id: message.sourceEventId,
        source_event: message.sourceEvent,
        template_key: message.templateKey,
        channel: message.channel,
        recipient: message.recipient,
        subject: message.subject ?? null,
        body: message.body ?? null,
        status: message.status,
        reason: message.reason ?? null,
        last_error: message.lastError ?? null,
        next_attempt_at: message.nextAttemptAt?.toISOString() ?? null,
        correlation_id: message.correlationId,
        causation_id: message.causationId,
        traceparent: message.traceparent,
        reference: message.reference ?? null,
      })),
    ),
  );
  const stored = new Map(rows.map((row) => [String(row.id), toNotification(row)]));
  return messages.flatMap((message) => stored.get(message.id) ?? []);
}

/** The message was delivered on attempt `attempts`. */
export async function markSent(
  db: Db,
  id: string,
  sent: { attempts: number; sentAt: Date; provider: string; providerMessageId: string },
): Promise<Notification> {
  const rows = await db.$queryRawUnsafe<Row[]>(
    `update notifications set status = 'SENT', attempts = $2::int, sent_at = $3::timestamptz, provider = $4,
       provider_message_id = $5, next_attempt_at = null, reason = null, updated_at = clock_timestamp()
      where id = $1::uuid returning ${NOTIFICATION_COLUMNS}`,
    id,
    sent.attempts,
    sent.sentAt.toISOString(),
    sent.provider,
    sent.providerMessageId,
  );
  return toNotification(rows[0]!);
}

/** Attempt `attempts` failed: another one is due at `nextAttemptAt`, or (null) the message FAILED for good. */
export async function markAttemptFailed(
  db: Db,
  id: string,
  failed: {
    attempts: number;
    provider: string;
    reason: string;
    lastError: string;
    nextAttemptAt: Date | null;
  },
): Promise<Notification> {
  const rows = await db.$queryRawUnsafe<Row[]>(
    `update notifications set attempts = $2::int, provider = $3, reason = $4, last_error = $5,
       status = case when $6::timestamptz is null then 'FAILED' else status end, next_attempt_at = $6::timestamptz,
       updated_at = clock_timestamp()
      where id = $1::uuid returning ${NOTIFICATION_COLUMNS}`,
    id,
    failed.attempts,
    failed.provider,
    failed.reason,
    failed.lastError,
    failed.nextAttemptAt?.toISOString() ?? null,
  );
  return toNotification(rows[0]!);
}

/** A message that cannot be sent as stored (no recipient, body or known channel) fails for good. */
export async function markIncomplete(db: Db, id: string): Promise<void> {
  await db.$executeRawUnsafe(
    `update notifications set status = 'FAILED', reason = 'PROVIDER_ERROR', last_error = 'incomplete message',
       next_attempt_at = null, updated_at = clock_timestamp()
      where id = $1::uuid`,
    id,
  );
}

export interface NotificationFilter {
  customerId?: string;
  orderId?: string;
  status?: string;
  channel?: string;
}

export async function listNotifications(
  db: PrismaDb,
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
