import type { BackgroundTask, DueTimeTask } from '@fv/service-runtime';
import type { Logger } from '@fv/service-kit';
import { lapsedReservationIds, nextReservationLapse } from '../db/reservation-store.js';
import type { Tx } from '../db/tx.js';
import type { InventoryDeps } from '../use-cases/context.js';
import { dueSweep } from './due-sweep.js';
import { expireReservation } from '../use-cases/release-reservation.js';

export interface ReservationExpiryOptions {
  deps: InventoryDeps;
  db: Tx;
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Resolves once the database is migrated; nothing is swept before. */
  ready: Promise<unknown>;
  /** The least time between two sweeps. */
  intervalMs: number;
  logger: Logger;
  /** Reservations released per sweep at most (the next sweep takes the rest). */
  batchSize?: number;
}

/**
 * Releases reservations that lapsed without their order being confirmed, each in its own transaction
 * with its InventoryReleased (reason EXPIRED), then sleeps until the next one lapses (new reservations
 * are announced through `InventoryDeps.dueBy`). Several instances may sweep at once: each reservation
 * row is locked and re-checked before it is released.
 */
export class ReservationExpiry implements BackgroundTask {
  readonly name = 'reservation expiry';
  private stopped = false;
  private readonly loop: DueTimeTask;

  constructor(private readonly options: ReservationExpiryOptions) {
    this.loop = dueSweep(
      this.name,
      options,
      async () => {
        await this.sweep();
        return nextReservationLapse(options.db);
      },
      'reservation expiry sweep failed; trying again later',
    );
  }

  start(): void {
    this.stopped = false;
    this.loop.start();
  }

  /** A reservation lapses at `at`. */
  dueBy(at: Date): void {
    this.loop.dueBy(at);
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
    await this.loop.close();
  }
}
