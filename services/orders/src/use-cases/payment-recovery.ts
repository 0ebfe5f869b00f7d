import type { BackgroundTask } from '@fv/service-runtime';
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
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const round = () => {
    if (stopped || running) return;
    running = recoverPayments(deps, log)
      .then((recovered) => {
        if (recovered > 0) log.info({ recovered }, 'unsettled payment calls recovered');
      })
      .catch((error) => log.warn({ err: error }, 'payment recovery round failed; trying again later'))
      .finally(() => {
        running = undefined;
      });
  };
  return {
    name: 'payment recovery',
    start() {
      stopped = false;
      void context.database.ready.then(() => {
        if (stopped) return;
        timer = setInterval(round, options.intervalMs);
        timer.unref();
      });
    },
    async close() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
