import type { ReservationRecord } from '../db/reservation-store.js';
import type { StockLevelRecord } from '../db/stock-store.js';
import { availableOf, isLowStock } from '../domain/stock.js';

export function locationView(level: StockLevelRecord) {
  return {
    productId: level.productId,
    warehouseId: level.warehouseId,
    onHand: level.onHand,
    reserved: level.reserved,
    available: availableOf(level),
    lowStockThreshold: level.lowStockThreshold,
    lowStock: isLowStock(level),
    updatedAt: level.updatedAt.toISOString(),
  };
}

export function productStockView(productId: string, levels: readonly StockLevelRecord[]) {
  const locations = levels.map(locationView);
  const onHand = locations.reduce((sum, l) => sum + l.onHand, 0);
  const reserved = locations.reduce((sum, l) => sum + l.reserved, 0);
  return {
    productId,
    onHand,
    reserved,
    available: onHand - reserved,
    lowStock: locations.some((l) => l.lowStock),
    locations,
  };
}

const iso = (value: Date | null) => (value === null ? null : value.toISOString());

export function reservationView(reservation: ReservationRecord) {
  return {
    reservationId: reservation.id,
    orderId: reservation.orderId,
    status: reservation.status,
    items: reservation.items.map((item) => ({
      productId: item.productId,
      warehouseId: item.warehouseId,
      quantity: item.quantity,
    })),
    expiresAt: reservation.expiresAt.toISOString(),
    createdAt: reservation.createdAt.toISOString(),
    confirmedAt: iso(reservation.confirmedAt),
    releasedAt: iso(reservation.releasedAt),
    releaseReason: reservation.releaseReason,
    deductedAt: iso(reservation.deductedAt),
  };
}
