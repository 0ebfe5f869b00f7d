import { AppError } from '@fv/service-kit';
import { describe, expect, it } from 'vitest';
import type { ReservationRecord } from '../db/reservation-store.js';
import { assertBelongsTo, reservationNotFound } from './release-reservation.js';

const reservation: ReservationRecord = {
  id: 'r-1',
  orderId: 'o-1',
  status: 'ACTIVE',
  expiresAt: new Date('2026-04-01T10:15:00Z'),
  releaseReason: null,
  createdAt: new Date('2026-04-01T10:00:00Z'),
  confirmedAt: null,
  releasedAt: null,
  deductedAt: null,
  items: [],
};

describe('finding a reservation', () => {
  it('answers 404 RESERVATION_NOT_FOUND naming the reservation or the order it was looked up by', () => {
    expect(reservationNotFound({ reservationId: 'r-9' })).toMatchObject({
      code: 'NOT_FOUND',
      message: 'Reservation r-9 does not exist',
      details: { reason: 'RESERVATION_NOT_FOUND', reservationId: 'r-9' },
    });
    expect(reservationNotFound({ orderId: 'o-9' })).toMatchObject({
      code: 'NOT_FOUND',
      message: 'No reservation exists for order o-9',
      details: { reason: 'RESERVATION_NOT_FOUND', orderId: 'o-9' },
    });
  });

  it('accepts a reservation for its own order, or when no order is named', () => {
    expect(() => assertBelongsTo(reservation, 'o-1')).not.toThrow();
    expect(() => assertBelongsTo(reservation, undefined)).not.toThrow();
  });

  it('refuses with 409 a reservation paired with another order', () => {
    try {
      assertBelongsTo(reservation, 'o-2');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({
        code: 'CONFLICT',
        status: 409,
        message: 'Reservation r-1 belongs to order o-1, not to order o-2',
        details: { reason: 'RESERVATION_ORDER_MISMATCH', reservationId: 'r-1', orderId: 'o-2' },
      });
    }
  });
});
