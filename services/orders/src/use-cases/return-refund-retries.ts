import { dueTimeTask, type DueTimeTask } from '@fv/service-runtime';
import { dueReturnRefunds, nextReturnRefundDue } from '../db/return-refunds-store.js';
import type { OrdersDeps } from './orders-deps.js';
import { attemptReturnRefund } from './refund-return.js';

const BATCH = 20;

/** One round: every return refund whose next attempt is due is attempted, each in its own transaction. */
export async function retryDueReturnRefunds(deps: OrdersDeps): Promise<number> {
  const log = deps.logger.child({ component: 'return-refund-retries' });
  const due = await dueReturnRefunds(deps.prisma, new Date(deps.now()), BATCH);
  for (const returnId of due) {
    // The row lock (taken in the attempt) keeps two replicas from refunding the same return at once.
    await deps.transaction((tx) => attemptReturnRefund(deps, tx, returnId, {}, log));
  }
  return due.length;
}

/**
 * The retries of failed return refunds as a background task: a round when the next retry is due (or a
 * writer says one is, `OrdersDeps.retryDueBy`), at least `minDelayMs` apart, one round at a time.
 */
export function returnRefundRetries(
  context: { database: { ready: Promise<unknown> } },
  deps: OrdersDeps,
  options: { minDelayMs: number },
): DueTimeTask {
  return dueTimeTask('return refund retries', {
    ready: context.database.ready,
    minDelayMs: options.minDelayMs,
    retryMs: options.minDelayMs,
    now: deps.now,
    round: async () => {
      await retryDueReturnRefunds(deps);
      return nextReturnRefundDue(deps.sql);
    },
    onError: (error) => deps.logger.warn({ err: error }, 'return refund retries failed; trying again later'),
  });
}
