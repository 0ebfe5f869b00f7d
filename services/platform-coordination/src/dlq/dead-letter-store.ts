import type { DeadLetter, Prisma } from '../generated/prisma/client.js';
import type { Db } from '../shared/db.js';
import type { DeadLetterInput, DeadLetterStatus } from './domain/dead-letter-message.js';
import type { OriginalPosition } from './domain/replay-order.js';

/** Filters of the list, the summary and bulk replays; every given field must match. */
export interface DeadLetterFilter {
  /** The original topic, or the dead-letter topic (`….DLQ`). */
  topic?: string;
  /** The order id of the event (or, for a value that could not be decoded, its correlation id). */
  orderId?: string;
  errorCode?: string;
  consumerGroup?: string;
  status?: DeadLetterStatus;
  eventId?: string;
}

function whereOf(filter: DeadLetterFilter): Prisma.DeadLetterWhereInput {
  const and: Prisma.DeadLetterWhereInput[] = [];
  if (filter.topic) and.push({ OR: [{ originalTopic: filter.topic }, { dlqTopic: filter.topic }] });
  if (filter.orderId)
    and.push({ OR: [{ orderId: filter.orderId }, { orderId: null, correlationId: filter.orderId }] });
  if (filter.errorCode) and.push({ errorCode: filter.errorCode });
  if (filter.consumerGroup) and.push({ consumerGroup: filter.consumerGroup });
  if (filter.status) and.push({ status: filter.status });
  if (filter.eventId) and.push({ eventId: filter.eventId });
  return and.length ? { AND: and } : {};
}

/** Records dead letters; one already recorded (same DLQ topic, partition and offset) is left as it is. */
export async function recordDeadLetters(db: Db, rows: readonly DeadLetterInput[]): Promise<number> {
  if (rows.length === 0) return 0;
  const result = await db.deadLetter.createMany({
    data: rows.map((row) => ({
      ...row,
      messageKey: row.messageKey as Prisma.DeadLetterCreateManyInput['messageKey'],
      value: row.value as Prisma.DeadLetterCreateManyInput['value'],
      headers: row.headers as Prisma.InputJsonValue,
    })),
    skipDuplicates: true,
  });
  return result.count;
}

/** A page of dead letters, the most recent failure first. */
export async function findDeadLetters(
  db: Db,
  filter: DeadLetterFilter,
  page: number,
  size: number,
): Promise<{ rows: DeadLetter[]; total: number }> {
  const where = whereOf(filter);
  const [rows, total] = await Promise.all([
    db.deadLetter.findMany({
      where,
      orderBy: [{ failedAt: 'desc' }, { dlqOffset: 'desc' }, { id: 'asc' }],
      skip: page * size,
      take: size,
    }),
    db.deadLetter.count({ where }),
  ]);
  return { rows, total };
}

export async function findDeadLetter(db: Db, id: string): Promise<DeadLetter | null> {
  return db.deadLetter.findUnique({ where: { id } });
}

export interface DeadLetterCounts {
  byStatus: { status: string; count: number }[];
  byTopic: { topic: string; status: string; count: number }[];
  byError: { errorCode: string; status: string; count: number }[];
  byConsumerGroup: { consumerGroup: string | null; status: string; count: number }[];
}

export async function countDeadLetters(db: Db, filter: DeadLetterFilter): Promise<DeadLetterCounts> {
  const where = whereOf(filter);
  const [byStatus, byTopic, byError, byGroup] = await Promise.all([
    db.deadLetter.groupBy({ by: ['status'], where, _count: { _all: true }, orderBy: { status: 'asc' } }),
    db.deadLetter.groupBy({
      by: ['originalTopic', 'status'],
      where,
      _count: { _all: true },
      orderBy: [{ originalTopic: 'asc' }, { status: 'asc' }],
    }),
    db.deadLetter.groupBy({
      by: ['errorCode', 'status'],
      where,
      _count: { _all: true },
      orderBy: [{ errorCode: 'asc' }, { status: 'asc' }],
    }),
    db.deadLetter.groupBy({
      by: ['consumerGroup', 'status'],
      where,
      _count: { _all: true },
      orderBy: [{ consumerGroup: 'asc' }, { status: 'asc' }],
    }),
  ]);
  return {
    byStatus: byStatus.map((row) => ({ status: row.status, count: row._count._all })),
    byTopic: byTopic.map((row) => ({ topic: row.originalTopic, status: row.status, count: row._count._all })),
    byError: byError.map((row) => ({ errorCode: row.errorCode, status: row.status, count: row._count._all })),
    byConsumerGroup: byGroup.map((row) => ({
      consumerGroup: row.consumerGroup,
      status: row.status,
      count: row._count._all,
    })),
  };
}

/** PENDING dead letters per original topic (the gauge). */
export async function pendingByTopic(db: Db): Promise<{ topic: string; count: number }[]> {
  const rows = await db.deadLetter.groupBy({
    by: ['originalTopic'],
    where: { status: 'PENDING' },
    _count: { _all: true },
  });
  return rows.map((row) => ({ topic: row.originalTopic, count: row._count._all }));
}

/** The positions of up to `limit` PENDING dead letters matching the filter (no bytes), and how many match. */
export async function pendingPositions(
  db: Db,
  filter: DeadLetterFilter,
  limit: number,
): Promise<{ positions: OriginalPosition[]; total: number }> {
  const where: Prisma.DeadLetterWhereInput = { AND: [whereOf({ ...filter, status: 'PENDING' })] };
  const [positions, total] = await Promise.all([
    db.deadLetter.findMany({
      where,
      select: {
        id: true,
        originalTopic: true,
        originalPartition: true,
        originalOffset: true,
        originalTimestamp: true,
        failedAt: true,
      },
      orderBy: [{ originalTimestamp: 'asc' }, { originalOffset: 'asc' }, { id: 'asc' }],
      take: limit,
    }),
    db.deadLetter.count({ where }),
  ]);
  return { positions, total };
}

/**
 * Locks the given dead letters for the rest of the transaction and returns those still PENDING. A
 * concurrent replay or discard of the same rows waits here, and then finds them no longer PENDING.
 */
export async function lockPending(db: Db, ids: readonly string[]): Promise<DeadLetter[]> {
  if (ids.length === 0) return [];
  const locked = await db.$queryRawUnsafe<{ id: string }[]>(
    `select id from dead_letters where id = any($1::uuid[]) and status = 'PENDING' order by id for update`,
    ids,
  );
  if (locked.length === 0) return [];
  return db.deadLetter.findMany({ where: { id: { in: locked.map((row) => row.id) } } });
}

/** Locks one dead letter (whatever its status) for the rest of the transaction. */
export async function lockOne(db: Db, id: string): Promise<DeadLetter | null> {
  const locked = await db.$queryRawUnsafe<{ id: string }[]>(
    `select id from dead_letters where id = $1::uuid for update`,
    id,
  );
  if (locked.length === 0) return null;
  return db.deadLetter.findUnique({ where: { id } });
}

export async function markReplayed(db: Db, ids: readonly string[], at: Date, by: string): Promise<void> {
  await db.deadLetter.updateMany({
    where: { id: { in: [...ids] }, status: 'PENDING' },
    data: { status: 'REPLAYED', replayedAt: at, resolvedBy: by },
  });
}

export async function markDiscarded(
  db: Db,
  id: string,
  reason: string,
  at: Date,
  by: string,
): Promise<DeadLetter> {
  return db.deadLetter.update({
    where: { id },
    data: { status: 'DISCARDED', discardedAt: at, discardReason: reason, resolvedBy: by },
  });
}
