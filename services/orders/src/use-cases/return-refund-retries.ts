import { intervalTask, type BackgroundTask } from '@fv/service-runtime';
import { dueReturnRefunds } from '../db/return-refunds-store.js';
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

/** The retries of failed return refunds as a background task, every `intervalMs`, one round at a time. */
export function returnRefundRetries(
  context: { database: { ready: Promise<unknown> } },
  deps: OrdersDeps,
  options: { intervalMs: number },
): BackgroundTask {
  return intervalTask('return refund retries', {
    ready: context.database.ready,
    intervalMs: options.intervalMs,
    round: () => retryDueReturnRefunds(deps),
    onError: (error) => deps.logger.warn({ err: error }, 'return refund retries failed; trying again later'),
  });
}
