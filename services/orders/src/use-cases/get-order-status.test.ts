import { describe, expect, it } from 'vitest';
import { toOrderStatusView } from './get-order-status.js';
import { created, later, orderRow, paymentRow } from './order-rows.fixture.js';

const change = (
  id: bigint,
  fromStatus: string | null,
  toStatus: string,
  reason: string | null,
  at: Date,
) => ({
  id,
  orderId: 'o-1',
  fromStatus,
  toStatus,
  reason,
  eventId: null,
  createdAt: at,
});

describe('the status of an order', () => {
  it('waits for the reservation, then the payment, of a pending order', () => {
    expect(toOrderStatusView(orderRow()).saga.waitingFor).toBe('INVENTORY_RESERVATION');
    expect(toOrderStatusView(orderRow({ reservationId: 'r-1' })).saga.waitingFor).toBe('PAYMENT_PROCESSING');
  });

  it('waits for the shipping label of a confirmed order, and for compensation after a failed step', () => {
    expect(toOrderStatusView(orderRow({ status: 'CONFIRMED' })).saga.waitingFor).toBe(
      'SHIPPING_LABEL_CREATION',
    );
    for (const status of ['INVENTORY_FAILED', 'PAYMENT_FAILED', 'DELIVERY_FAILED'])
      expect(toOrderStatusView(orderRow({ status })).saga.waitingFor).toBe('COMPENSATION');
  });

  it('waits for nothing once the order shipped or ended, and is final only once ended or refunded in full', () => {
    for (const [status, final] of [
      ['COMPLETED', false],
      ['PARTIALLY_REFUNDED', false],
      ['REFUNDED', true],
      ['CANCELLED', true],
      ['FAILED', true],
    ] as const) {
      const view = toOrderStatusView(orderRow({ status }));
      expect([view.saga.waitingFor, view.final], status).toEqual([null, final]);
    }
    expect(toOrderStatusView(orderRow({ status: 'SOMETHING_ELSE' })).final).toBe(false);
  });

  it('lists the saga steps its status changes record, and every change with its previous status', () => {
    const view = toOrderStatusView(
      orderRow({
        status: 'COMPLETED',
        reservationId: 'r-1',
        shipmentId: 's-1',
        trackingId: 'SIM1',
        carrier: 'SIMULATED',
        completedAt: later,
        payment: paymentRow(),
        history: [
          change(1n, null, 'PENDING', 'ORDER_PLACED', created),
          change(2n, 'PENDING', 'CONFIRMED', 'PAYMENT_AUTHORIZED', created),
          change(3n, 'CONFIRMED', 'COMPLETED', 'DELIVERY_SCHEDULED', later),
        ],
      }),
    );
    expect(view.saga.steps).toEqual([
      { step: 'INVENTORY_RESERVED', at: '2026-04-01T10:00:00.000Z' },
      { step: 'PAYMENT_AUTHORIZED', at: '2026-04-01T10:00:00.000Z' },
      { step: 'SHIPPING_LABEL_CREATED', at: '2026-04-01T10:05:00.000Z' },
      { step: 'PAYMENT_CAPTURED', at: '2026-04-01T10:05:00.000Z' },
    ]);
    expect(view.statusHistory).toEqual([
      { status: 'PENDING', previousStatus: null, reason: 'ORDER_PLACED', at: '2026-04-01T10:00:00.000Z' },
      {
        status: 'CONFIRMED',
        previousStatus: 'PENDING',
        reason: 'PAYMENT_AUTHORIZED',
        at: '2026-04-01T10:00:00.000Z',
      },
      {
        status: 'COMPLETED',
        previousStatus: 'CONFIRMED',
        reason: 'DELIVERY_SCHEDULED',
        at: '2026-04-01T10:05:00.000Z',
      },
    ]);
    expect(view).toMatchObject({
      orderId: 'o-1',
      status: 'COMPLETED',
      final: false,
      failure: null,
      cancellation: null,
      createdAt: '2026-04-01T10:00:00.000Z',
      updatedAt: '2026-04-01T10:05:00.000Z',
    });
  });

  it('says why a step failed and how the order was cancelled', () => {
    const view = toOrderStatusView(
      orderRow({
        status: 'CANCELLED',
        failureCode: 'PAYMENT_DECLINED',
        failureMessage: 'declined',
        cancellationReason: 'PAYMENT_FAILED',
        cancelledBy: 'system',
        cancelledAt: later,
      }),
    );
    expect(view.failure).toEqual({ reason: null, code: 'PAYMENT_DECLINED', message: 'declined' });
    expect(view.cancellation).toEqual({
      reason: 'PAYMENT_FAILED',
      initiatedBy: 'system',
      cancelledAt: '2026-04-01T10:05:00.000Z',
    });
  });
});
