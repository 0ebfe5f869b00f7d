import { describe, expect, it } from 'vitest';
import { expiryOf, hasLapsed, holdsStock, RESERVATION_STATUSES } from './reservation.js';

const now = new Date('2026-04-01T10:00:00Z');
const at = (seconds: number) => new Date(now.getTime() + seconds * 1000);

describe('reservations', () => {
  it('hold stock while active or confirmed, and no longer once released or deducted', () => {
    expect(RESERVATION_STATUSES.filter(holdsStock)).toEqual(['ACTIVE', 'CONFIRMED']);
  });

  it('expire their time to live after they were made', () => {
    expect(expiryOf(now, 900)).toEqual(at(900));
    expect(expiryOf(now, 0)).toEqual(now);
  });

  it('lapse at their expiry, not a moment before', () => {
    const reservation = { status: 'ACTIVE' as const, expiresAt: at(60) };
    expect(hasLapsed(reservation, at(59))).toBe(false);
    expect(hasLapsed(reservation, at(60))).toBe(true);
    expect(hasLapsed(reservation, at(3600))).toBe(true);
  });

  it('never lapse once confirmed (paid), released or deducted', () => {
    for (const status of ['CONFIRMED', 'RELEASED', 'DEDUCTED'] as const)
      expect(hasLapsed({ status, expiresAt: at(-3600) }, now)).toBe(false);
  });
});
