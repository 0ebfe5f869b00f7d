import type { SqlClient } from '@fv/messaging';
import { dueTimeTask, type BackgroundTask, type DueTimeTask } from '@fv/service-runtime';
import type { Logger } from '@fv/service-kit';
import { nextAttemptDue } from '../db/notifications.js';
import type { NotificationsDeps } from './deps.js';
import { dispatchDue } from './dispatch-due.js';

/**
 * Sends due messages, up to `batchSize` per round and `perTransaction` per transaction (one commit, and
 * one relay round for their events, for several messages when many are due), then sleeps until the
 * next message is due (a retry's backoff), at most `maxIdleMs`. The event handlers and the retry route
 * store messages due at once: they `wake()` it once they have committed. The runtime starts it once the
 * database is migrated; `close` waits for the round in progress.
 */
export class NotificationDispatcher implements BackgroundTask {
  readonly name = 'notification dispatcher';
  private stopped = false;
  private readonly loop: DueTimeTask;

  constructor(
    private readonly options: {
      /** The database's pool, without a transaction: where the next due time is read. */
      db: SqlClient;
      transaction: <T>(fn: (tx: SqlClient) => Promise<T>) => Promise<T>;
      deps: NotificationsDeps;
      logger: Logger;
      maxIdleMs: number;
      batchSize: number;
      /** Messages claimed and sent in one transaction. */
      perTransaction: number;
    },
  ) {
    this.loop = dueTimeTask(this.name, {
      ready: Promise.resolve(),
      maxIdleMs: options.maxIdleMs,
      // A message another instance holds locked while it sends stays due: look again a little later.
      minDelayMs: 100,
      now: () => options.deps.now().getTime(),
      round: async () => {
        const sent = await this.runOnce();
        if (sent >= options.batchSize) return options.deps.now();
        return nextAttemptDue(options.db);
      },
      onError: (error) => options.logger.error({ err: error }, 'notification dispatch round failed'),
    });
  }

  start(): void {
    this.stopped = false;
    this.loop.start();
  }

  /** A message may be due now: send it without waiting for the next round. */
  wake(): void {
    this.loop.wake();
  }

  async close(): Promise<void> {
    this.stopped = true;
    await this.loop.close();
  }

  /** One round now (tests and operators); resolves when it is done. */
  async runOnce(): Promise<number> {
    let sent = 0;
    while (!this.stopped && sent < this.options.batchSize) {
      const limit = Math.min(this.options.perTransaction, this.options.batchSize - sent);
      const claimed = await this.options.transaction((tx) =>
        dispatchDue(tx, this.options.deps, this.options.logger, limit),
      );
      sent += claimed;
      if (claimed < limit) break;
    }
    return sent;
  }
}
