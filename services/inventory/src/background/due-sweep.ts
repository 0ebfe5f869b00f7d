import type { Logger } from '@fv/service-kit';
import { dueTimeTask, type DueTimeTask } from '@fv/service-runtime';
import type { InventoryDeps } from '../use-cases/context.js';

/**
 * The loop of a background sweep: `round` once the database is ready, then again when the next piece of
 * work it returns is due, or when a writer says work is (`dueBy`); at least `intervalMs` apart. A failed
 * round is logged as `failure` and retried after `intervalMs`.
 */
export function dueSweep(
  name: string,
  options: { ready: Promise<unknown>; intervalMs: number; deps: InventoryDeps; logger: Logger },
  round: () => Promise<Date | null>,
  failure: string,
): DueTimeTask {
  return dueTimeTask(name, {
    ready: options.ready,
    minDelayMs: options.intervalMs,
    retryMs: options.intervalMs,
    now: () => options.deps.now().getTime(),
    round,
    onError: (error) => options.logger.warn({ err: error }, failure),
  });
}
