import { AppError } from '@fv/service-kit';
import { findReservation, type ReservationRecord } from '../db/reservation-store.js';
import { levelsOfProduct, lowStockLevels, type StockLevelRecord } from '../db/stock-store.js';
import type { Tx } from '../db/tx.js';

/** Every location of a product; NOT_FOUND when inventory has no stock record for it. */
export async function getProductStock(db: Tx, productId: string): Promise<StockLevelRecord[]> {
  const levels = await levelsOfProduct(db, productId);
  if (levels.length === 0) {
    throw new AppError('NOT_FOUND', `Product ${productId} has no stock record in inventory`, {
      details: { reason: 'PRODUCT_NOT_FOUND', productId },
    });
  }
  return levels;
}

export async function listLowStock(
  db: Tx,
  filter: { warehouseId: string | null; limit: number; offset: number },
): Promise<{ total: number; levels: StockLevelRecord[] }> {
  return lowStockLevels(db, filter);
}

export async function getReservation(db: Tx, reservationId: string): Promise<ReservationRecord> {
  const reservation = await findReservation(db, { reservationId });
  if (!reservation) {
    throw new AppError('NOT_FOUND', `Reservation ${reservationId} does not exist`, {
      details: { reason: 'RESERVATION_NOT_FOUND', reservationId },
    });
  }
  return reservation;
}
