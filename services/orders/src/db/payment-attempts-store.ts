import type { Prisma, PaymentAttempt } from '../generated/prisma/client.js';
import type { Db, PrismaClient } from './orders-store.js';

export type AttemptRow = PaymentAttempt;
export type AttemptOperation = 'AUTHORIZE' | 'CAPTURE' | 'VOID' | 'REFUND';

export interface NewAttempt {
  id: string;
  orderId: string;
  paymentId: string;
  operation: AttemptOperation;
  idempotencyKey: string;
  amount: string | null;
  currency: string;
  context: Record<string, unknown>;
  /** When the recovery sweeper may take the call over if nobody settles it first. */
  nextAttemptAt: Date;
}

/**
 * Records the intent to call the provider, committed on its own (outside any open transaction), or
 * returns the attempt already recorded under the same idempotency key.
 */
export async function recordIntent(prisma: PrismaClient, intent: NewAttempt): Promise<AttemptRow> {
  await prisma.paymentAttempt.createMany({
    data: [{ ...intent, status: 'PENDING', context: intent.context as Prisma.InputJsonValue }],
    skipDuplicates: true,
  });
  return prisma.paymentAttempt.findUniqueOrThrow({ where: { idempotencyKey: intent.idempotencyKey } });
}

/**
 * Records the intent in the caller's transaction (committed with it), or leaves the one already
 * recorded under the key, making it due for the recovery sweeper at `intent.nextAttemptAt` at the latest.
 */
export async function recordIntentIn(tx: Db, intent: NewAttempt): Promise<void> {
  await tx.paymentAttempt.createMany({
    data: [{ ...intent, status: 'PENDING', context: intent.context as Prisma.InputJsonValue }],
    skipDuplicates: true,
  });
  await tx.paymentAttempt.updateMany({
    where: {
      idempotencyKey: intent.idempotencyKey,
      appliedAt: null,
      nextAttemptAt: { gt: intent.nextAttemptAt },
    },
    data: { nextAttemptAt: intent.nextAttemptAt },
  });
}

export async function findAttemptByKey(db: Db, idempotencyKey: string): Promise<AttemptRow | null> {
  return db.paymentAttempt.findUnique({ where: { idempotencyKey } });
}

/** Records the provider's answer (committed on its own, before the answer is applied). */
export async function recordAnswer(
  prisma: PrismaClient,
  id: string,
  answer: {
    status: 'PENDING' | 'SUCCEEDED' | 'FAILED';
    calls: number;
    providerReference?: string | null;
    failureCode?: string | null;
    failureMessage?: string | null;
    failureRetriable?: boolean | null;
    providerReason?: string | null;
    /** When the sweeper may take the call up (a retry after a transient failure). */
    nextAttemptAt: Date;
    /** A retry was scheduled (a transient failure): counts for the backoff. */
    retried: boolean;
  },
): Promise<AttemptRow> {
  const { calls, retried, ...rest } = answer;
  return prisma.paymentAttempt.update({
    where: { id },
    data: { ...rest, calls: { increment: calls }, ...(retried ? { retries: { increment: 1 } } : {}) },
  });
}

/** The attempt's answer is reflected in the order; written in the transaction that reflects it. */
export async function markApplied(tx: Db, id: string): Promise<void> {
  await tx.paymentAttempt.update({ where: { id }, data: { appliedAt: new Date() } });
}

/** Saga payment calls (authorize, capture) not applied yet and due for the sweeper at `now`, most overdue first. */
export async function dueAttempts(prisma: PrismaClient, now: Date, limit: number): Promise<AttemptRow[]> {
  return prisma.paymentAttempt.findMany({
    where: { appliedAt: null, nextAttemptAt: { lte: now }, operation: { in: ['AUTHORIZE', 'CAPTURE'] } },
    orderBy: { nextAttemptAt: 'asc' },
    take: limit,
  });
}

/**
 * Takes a due attempt for one sweep: moves its `nextAttemptAt` to `until` if nobody (another instance)
 * took it since it was read. False when someone else has it.
 */
export async function claimAttempt(
  prisma: PrismaClient,
  attempt: Pick<AttemptRow, 'id' | 'nextAttemptAt'>,
  until: Date,
): Promise<boolean> {
  const { count } = await prisma.paymentAttempt.updateMany({
    where: { id: attempt.id, appliedAt: null, nextAttemptAt: attempt.nextAttemptAt },
    data: { nextAttemptAt: until },
  });
  return count === 1;
}

/** A sweep could not settle the attempt: it is due again at `at`. */
export async function postponeAttempt(prisma: PrismaClient, id: string, at: Date): Promise<void> {
  await prisma.paymentAttempt.update({ where: { id }, data: { nextAttemptAt: at } });
}

/** Captures still waiting for the provider (not settled) that were first asked for before `since`. */
export async function countCapturesWaiting(prisma: PrismaClient, since: Date): Promise<number> {
  return prisma.paymentAttempt.count({
    where: { operation: 'CAPTURE', appliedAt: null, status: 'PENDING', createdAt: { lt: since } },
  });
}
