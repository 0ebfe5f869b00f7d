import type { BackgroundTask, DueTimeTask } from '@fv/service-runtime';
import type { Logger } from '@fv/service-kit';
import { claimDue, nextReplenishmentDue, type ReplenishmentRecord } from '../db/replenishment-store.js';
import type { Tx } from '../db/tx.js';
import type { Supplier } from '../supplier/supplier-client.js';
import type { InventoryDeps } from '../use-cases/context.js';
import { dueSweep } from './due-sweep.js';
import { applySupplierAnswer } from '../use-cases/replenish.js';

export interface ReplenishmentDriverOptions {
  deps: InventoryDeps;
  db: Tx;
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  supplier: Supplier;
  /** Resolves once the database is migrated; nothing is done before. */
  ready: Promise<unknown>;
  /** The least time between two rounds. */
  intervalMs: number;
  /** How long a claimed replenishment is left to this instance (longer than a supplier call). */
  leaseMs: number;
  logger: Logger;
  batchSize?: number;
}

/**
 * Moves open replenishments on, from the database alone (so a restart resumes them): a REQUESTED one
 * gets its purchase order placed with the supplier (keyed by the replenishment id, so a repeat after a
 * crash finds the same order); an ORDERED or CONFIRMED one is polled until the supplier reports the
 * goods delivered, which restocks the location. Each is claimed for a lease before the supplier is called
 * (outside any transaction), and its answer is applied in a transaction that re-locks it.
 */
export class ReplenishmentDriver implements BackgroundTask {
  readonly name = 'replenishment driver';
  private stopped = false;
  private readonly loop: DueTimeTask;

  constructor(private readonly options: ReplenishmentDriverOptions) {
    // Sleeps until the next open replenishment is due; new ones are announced through `InventoryDeps.dueBy`.
    this.loop = dueSweep(
      this.name,
      options,
      async () => {
        await this.sweep();
        return nextReplenishmentDue(options.db);
      },
      'replenishment sweep failed; trying again later',
    );
  }

  start(): void {
    this.stopped = false;
    this.loop.start();
  }

  /** A replenishment is due at `at`. */
  dueBy(at: Date): void {
    this.loop.dueBy(at);
  }

  /** Advances what is due now; returns how many replenishments it looked at. */
  async sweep(): Promise<number> {
    const { deps, transaction, leaseMs } = this.options;
    const due = await transaction((tx) => claimDue(tx, deps.now(), leaseMs, this.options.batchSize ?? 20));
    for (const replenishment of due) {
      if (this.stopped) break;
      await this.advance(replenishment);
    }
    return due.length;
  }

  private async advance(r: ReplenishmentRecord): Promise<void> {
    const { deps, transaction, supplier, logger } = this.options;
    try {
      const answer =
        r.status === 'REQUESTED' || !r.purchaseOrderId
          ? await supplier.placeOrder({
              replenishmentId: r.id,
              productId: r.productId,
              warehouseId: r.warehouseId,
              quantity: r.quantity,
            })
          : await supplier.getOrder(r.purchaseOrderId);
      const status = await transaction((tx) => applySupplierAnswer(tx, deps, r.id, answer));
      if (status !== r.status)
        logger.info({ replenishmentId: r.id, from: r.status, to: status }, 'replenishment moved on');
    } catch (error) {
      logger.warn(
        { err: error, replenishmentId: r.id },
        'replenishment step failed; trying again after its lease',
      );
    }
  }

  async close(): Promise<void> {
    this.stopped = true;
    await this.loop.close();
  }
}
