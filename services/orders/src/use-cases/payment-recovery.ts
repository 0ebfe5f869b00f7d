import { intervalTask, type BackgroundTask } from '@fv/service-runtime';
import type { OrdersDeps } from './orders-deps.js';
import { recoverPayments } from './recover-payments.js';

/**
 * The recovery sweeper as a background task: every `intervalMs`, the saga payment calls that are due
 * (a retry after a provider outage, or a call its handler never settled) are finished (see
 * `recoverPayments`). One round at a time.
 */
export function paymentRecovery(
  context: { database: { ready: Promise<unknown> } },
  deps: OrdersDeps,
  options: { intervalMs: number },
): BackgroundTask {
  const log = deps.logger.child({ component: 'payment-recovery' });
  return intervalTask('payment recovery', {
    ready: context.database.ready,
    intervalMs: options.intervalMs,
    round: async () => {
      const recovered = await recoverPayments(deps, log);
      if (recovered > 0) log.info({ recovered }, 'unsettled payment calls recovered');
    },
    onError: (error) => log.warn({ err: error }, 'payment recovery round failed; trying again later'),
  });
}
