import type { BackgroundTask } from '@fv/service-runtime';
import type { Logger } from '@fv/service-kit';
import { lapsedReservationIds } from '../db/reservation-store.js';
import type { Tx } from '../db/tx.js';
import type { InventoryDeps } from '../use-cases/context.js';
import { expireReservation } from '../use-cases/release-reservation.js';

export interface ReservationExpiryOptions {
  deps: InventoryDeps;
  db: Tx;
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Resolves once the database is migrated; nothing is swept before. */
  ready: Promise<unknown>;
  intervalMs: number;
  logger: Logger;
  /** Reservations released per sweep at most (the next sweep takes the rest). */
  batchSize?: number;
}

/**
 * Releases reservations that lapsed without their order being confirmed, each in its own transaction
 * with its InventoryReleased (reason EXPIRED). Several instances may sweep at once: each reservation
 * row is locked and re-checked before it is released.
 */
export class ReservationExpiry implements BackgroundTask {
  readonly name = 'reservation expiry';
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly options: ReservationExpiryOptions) {}

  start(): void {
    this.stopped = false;
    void this.options.ready.then(() => this.schedule(0));
  }

  /** Releases what is due now; returns how many reservations it released. */
  async sweep(): Promise<number> {
    const { deps, db, transaction } = this.options;
    const ids = await lapsedReservationIds(db, deps.now(), this.options.batchSize ?? 100);
    let released = 0;
    for (const id of ids) {
      if (this.stopped) break;
      if (
        await transaction((tx) => expireReservation(tx, deps, id, { correlationId: id, causationId: null }))
      )
        released += 1;
    }
    if (released > 0) this.options.logger.info({ released }, 'released lapsed reservations');
    return released;
  }

  async close(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.sweep()
        .then(() => undefined)
        .catch((error: unknown) =>
          this.options.logger.warn({ err: error }, 'reservation expiry sweep failed; trying again later'),
        )
        .finally(() => {
          this.running = null;
          this.schedule(this.options.intervalMs);
        });
    }, delayMs);
    this.timer.unref();
  }
}
