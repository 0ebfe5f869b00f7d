import type { BackgroundTask } from '@fv/service-runtime';
import type { Logger } from '@fv/service-kit';
import type { SqlClient } from '@fv/messaging';
import type { NotificationsDeps } from './deps.js';
import { dispatchNext } from './dispatch-next.js';

/**
 * Sends due messages: every `intervalMs`, up to `batchSize` per round, each in its own transaction.
 * The runtime starts it once the database is migrated; `close` waits for the round in progress.
 */
export class NotificationDispatcher implements BackgroundTask {
  readonly name = 'notification dispatcher';
  private timer: NodeJS.Timeout | null = null;
  private round: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly options: {
      transaction: <T>(fn: (tx: SqlClient) => Promise<T>) => Promise<T>;
      deps: NotificationsDeps;
      logger: Logger;
      intervalMs: number;
      batchSize: number;
    },
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async close(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.round;
  }

  /** One round now (tests and operators); resolves when it is done. */
  async runOnce(): Promise<number> {
    let sent = 0;
    while (!this.stopped && sent < this.options.batchSize) {
      const handled = await this.options.transaction((tx) =>
        dispatchNext(tx, this.options.deps, this.options.logger),
      );
      if (!handled) break;
      sent += 1;
    }
    return sent;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.round = this.runOnce()
        .then(() => undefined)
        .catch((error: unknown) =>
          this.options.logger.error({ err: error }, 'notification dispatch round failed'),
        )
        .finally(() => this.schedule(this.options.intervalMs));
    }, delayMs);
  }
}
