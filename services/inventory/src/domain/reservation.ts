export const RESERVATION_STATUSES = ['ACTIVE', 'CONFIRMED', 'RELEASED', 'DEDUCTED'] as const;
export type ReservationStatus = (typeof RESERVATION_STATUSES)[number];

/** Why a reservation's stock went back (the InventoryReleased `reason`). */
export const RELEASE_REASONS = ['ORDER_CANCELLED', 'COMPENSATION', 'EXPIRED', 'MANUAL'] as const;
export type ReleaseReason = (typeof RELEASE_REASONS)[number];

/** A reservation still holds its stock while ACTIVE (lapses at its expiry) or CONFIRMED (paid; no expiry). */
export function holdsStock(status: ReservationStatus): boolean {
  return status === 'ACTIVE' || status === 'CONFIRMED';
}

/** Whether an ACTIVE reservation has lapsed at `now`. */
export function hasLapsed(reservation: { status: ReservationStatus; expiresAt: Date }, now: Date): boolean {
  return reservation.status === 'ACTIVE' && reservation.expiresAt.getTime() <= now.getTime();
}

export function expiryOf(createdAt: Date, ttlSeconds: number): Date {
  return new Date(createdAt.getTime() + ttlSeconds * 1000);
}
