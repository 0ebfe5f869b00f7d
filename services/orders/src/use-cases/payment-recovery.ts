import { dueTimeTask, type DueTimeTask } from '@fv/service-runtime';
import { nextAttemptDue } from '../db/payment-attempts-store.js';
import type { OrdersDeps } from './orders-deps.js';
import { recoverPayments } from './recover-payments.js';

/**
 * The recovery sweeper as a background task: the saga payment calls that are due (a retry after a
 * provider outage, or a call its handler never settled) are finished (see `recoverPayments`), then it
 * sleeps until the next call is due, or until a writer says one is (`OrdersDeps.retryDueBy`); at least
 * `minDelayMs` between rounds. One round at a time.
 */
export function paymentRecovery(
  context: { database: { ready: Promise<unknown> } },
  deps: OrdersDeps,
  options: { minDelayMs: number },
): DueTimeTask {
  const log = deps.logger.child({ component: 'payment-recovery' });
  return dueTimeTask('payment recovery', {
    ready: context.database.ready,
    minDelayMs: options.minDelayMs,
    retryMs: options.minDelayMs,
    now: deps.now,
    round: async () => {
      const recovered = await recoverPayments(deps, log);
      if (recovered > 0) log.info({ recovered }, 'unsettled payment calls recovered');
      return nextAttemptDue(deps.sql);
    },
    onError: (error) => log.warn({ err: error }, 'payment recovery round failed; trying again later'),
  });
}
