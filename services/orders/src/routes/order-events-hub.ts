import type { Logger } from '@fv/service-kit';
import { findOrder, type OrderRow, type PrismaClient } from '../db/orders-store.js';

/**
 * The order as one consistent snapshot: its row and its whole status history read in a single
 * repeatable-read transaction, so a status change never appears without the fields it wrote.
 */
export function loadOrderSnapshot(prisma: PrismaClient, orderId: string): Promise<OrderRow | null> {
  return prisma.$transaction((tx) => findOrder(tx, orderId), { isolationLevel: 'RepeatableRead' });
}

type Listener = (order: OrderRow) => void;

export interface OrderEventsHubOptions {
  /** How often the watched orders are looked at (milliseconds). */
  pollIntervalMs: number;
  logger: Logger;
}

/**
 * Watches the orders that have a live event stream open on this instance. Every `pollIntervalMs` one
 * indexed query reads the newest status change of all of them together; an order whose newest change
 * moved is loaded once and handed to each of its streams. Reading the database (rather than this
 * instance's own consumers) lets any instance serve any order's stream, whichever one applied the event.
 */
export class OrderEventsHub {
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly lastChange = new Map<string, bigint>();
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly options: OrderEventsHubOptions,
  ) {}

  /** Calls `listener` with the order whenever its status history grows; answers the function that stops it. */
  watch(orderId: string, listener: Listener): () => void {
    let set = this.listeners.get(orderId);
    if (!set) {
      set = new Set();
      this.listeners.set(orderId, set);
    }
    set.add(listener);
    // The new stream read its snapshot before it was added here: a change that another stream of the
    // same order was handed in between would never reach it. Forgetting the order's newest change
    // makes the next round hand the order to every stream again (each skips what it has sent).
    this.lastChange.delete(orderId);
    this.schedule();
    return () => {
      const current = this.listeners.get(orderId);
      current?.delete(listener);
      if (current?.size === 0) {
        this.listeners.delete(orderId);
        this.lastChange.delete(orderId);
      }
    };
  }

  /** Stops polling; streams are ended by their owners. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    if (this.timer || this.closed || this.listeners.size === 0) return;
    this.timer = setTimeout(() => {
      void this.poll().finally(() => {
        this.timer = null;
        this.schedule();
      });
    }, this.options.pollIntervalMs);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    const ids = [...this.listeners.keys()];
    if (ids.length === 0) return;
    try {
      const rows = await this.prisma.$queryRaw<{ orderId: string; lastChange: bigint }[]>`
        select order_id::text as "orderId", max(id) as "lastChange"
        from order_status_changes where order_id = any(${ids}::uuid[]) group by order_id`;
      for (const { orderId, lastChange } of rows) {
        if (this.lastChange.get(orderId) === lastChange) continue;
        const order = await loadOrderSnapshot(this.prisma, orderId);
        if (!order) continue;
        this.lastChange.set(orderId, lastChange);
        for (const listener of this.listeners.get(orderId) ?? []) listener(order);
      }
    } catch (error) {
      // The database is away: the streams stay open (with heartbeats) and catch up when it is back.
      this.options.logger.warn({ err: error }, 'order event streams could not read the orders');
    }
  }
}
