import type { Db } from '../catalog-context.js';
import type { PriceChangePlan } from '../domain/price-change.js';

export interface PriceHistoryEntry {
  price: string;
  currency: string;
  previousPrice: string | null;
  previousCurrency: string | null;
  changedBy: string;
  changedAt: string;
}

/** Records the price a product starts with (no previous price). */
export async function recordInitialPrice(
  db: Db,
  entry: { id: string; productId: string; price: string; currency: string; changedBy: string; at: Date },
): Promise<void> {
  await db.priceChange.create({
    data: {
      id: entry.id,
      productId: entry.productId,
      price: entry.price,
      currency: entry.currency,
      changedBy: entry.changedBy,
      changedAt: entry.at,
    },
  });
}

export async function recordPriceChange(
  db: Db,
  entry: { id: string; productId: string; change: PriceChangePlan; changedBy: string; at: Date },
): Promise<void> {
  await db.priceChange.create({
    data: {
      id: entry.id,
      productId: entry.productId,
      price: entry.change.next.amount,
      currency: entry.change.next.currency,
      previousPrice: entry.change.previous.amount,
      previousCurrency: entry.change.previous.currency,
      changedBy: entry.changedBy,
      changedAt: entry.at,
    },
  });
}

/** A product's prices, newest first. */
export async function listPriceHistory(
  db: Db,
  productId: string,
  page: { skip: number; take: number },
): Promise<{ entries: PriceHistoryEntry[]; total: number }> {
  const [rows, total] = await Promise.all([
    db.priceChange.findMany({
      where: { productId },
      orderBy: { position: 'desc' },
      skip: page.skip,
      take: page.take,
    }),
    db.priceChange.count({ where: { productId } }),
  ]);
  return {
    total,
    entries: rows.map((row) => ({
      price: row.price.toFixed(2),
      currency: row.currency,
      previousPrice: row.previousPrice?.toFixed(2) ?? null,
      previousCurrency: row.previousCurrency,
      changedBy: row.changedBy,
      changedAt: row.changedAt.toISOString(),
    })),
  };
}
