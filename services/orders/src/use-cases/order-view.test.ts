import { describe, expect, it } from 'vitest';
import { Prisma } from '../generated/prisma/client.js';
import { chargedAmountOf, eventItems, toOrderView } from './order-view.js';
import { created, later, orderRow, paymentRow } from './order-rows.fixture.js';

const order = (total: string, discount: string | null, currency = 'USD') => ({
  totalAmount: new Prisma.Decimal(total),
  discountAmount: discount === null ? null : new Prisma.Decimal(discount),
  currency,
});

describe('chargedAmountOf', () => {
  it('is the total without a discount', () => {
    expect(chargedAmountOf(order('100', null))).toBe('100.00');
  });

  it('takes the discount off in minor units', () => {
    expect(chargedAmountOf(order('1499.97', '224.99'))).toBe('1274.98');
    expect(chargedAmountOf(order('0.30', '0.10'))).toBe('0.20');
  });

  it('never goes below zero', () => {
    expect(chargedAmountOf(order('10.00', '10.00'))).toBe('0.00');
    expect(chargedAmountOf(order('10.00', '12.00'))).toBe('0.00');
  });
});

describe('the order as the API shows it', () => {
  it("writes every amount with the currency's decimal places", () => {
    const view = toOrderView(
      orderRow({ payment: paymentRow({ refundedAmount: new Prisma.Decimal('150') }) }),
    );
    expect(view.items.map((item) => [item.unitPrice, item.lineTotal])).toEqual([
      ['599.99', '1199.98'],
      ['149.99', '149.99'],
    ]);
    expect(view.totalAmount).toBe('1349.97');
    expect(view.chargedAmount).toBe('1349.97');
    expect(view.payment).toMatchObject({ amount: '1349.97', refundedAmount: '150.00' });

    const yen = toOrderView(
      orderRow({
        currency: 'JPY',
        totalAmount: new Prisma.Decimal('1500'),
        items: [
          {
            ...orderRow().items[0]!,
            unitPrice: new Prisma.Decimal('750'),
            lineTotal: new Prisma.Decimal('1500'),
          },
        ],
      }),
    );
    expect([yen.totalAmount, yen.items[0]!.unitPrice, yen.chargedAmount]).toEqual(['1500', '750', '1500']);
  });

  it('names the lines by product, never shows the payment token, and gives times in ISO 8601', () => {
    const view = toOrderView(orderRow());
    expect(view.items[0]).toEqual({
      lineNumber: 1,
      productId: 'lamp',
      sku: 'LAMP-1',
      name: 'Lamp',
      quantity: 2,
      unitPrice: '599.99',
      lineTotal: '1199.98',
      warehouseId: 'w-1',
    });
    expect(JSON.stringify(view)).not.toContain('tok_secret');
    expect(view.paymentMethod).toEqual({ type: 'CREDIT_CARD' });
    expect([view.createdAt, view.updatedAt, view.completedAt]).toEqual([
      '2026-04-01T10:00:00.000Z',
      '2026-04-01T10:05:00.000Z',
      null,
    ]);
  });

  it('shows an order before payment, shipment, failure or cancellation with none of them', () => {
    const view = toOrderView(orderRow());
    expect(view).toMatchObject({
      payment: null,
      paymentMethods: null,
      shipment: null,
      failure: null,
      cancellation: null,
      discountAmount: null,
      couponCode: null,
      options: null,
      refunds: [],
      history: [],
    });
  });

  it('shows a coupon by what it took off the total, and what the customer is charged', () => {
    const view = toOrderView(orderRow({ couponCode: 'SPRING10', discountAmount: new Prisma.Decimal('135') }));
    expect(view).toMatchObject({
      couponCode: 'SPRING10',
      discountAmount: '135.00',
      totalAmount: '1349.97',
      chargedAmount: '1214.97',
    });
  });

  it("lists a split payment's parts as requested, and as the payment authorized and refunded them", () => {
    const view = toOrderView(
      orderRow({
        paymentParts: [
          { type: 'CREDIT_CARD', token: 'tok_a', amount: '1000' },
          { type: 'GIFT_CARD', token: 'tok_b', amount: '349.97' },
        ],
        payment: paymentRow({
          parts: [
            {
              index: 0,
              type: 'CREDIT_CARD',
              amount: '1000.00',
              providerReference: 'auth_a',
              status: 'CAPTURED',
              refundedAmount: '0.00',
            },
            {
              index: 1,
              type: 'GIFT_CARD',
              amount: '349.97',
              providerReference: 'auth_b',
              status: 'CAPTURED',
              refundedAmount: '100.00',
            },
          ],
        }),
      }),
    );
    expect(view.paymentMethods).toEqual([
      { type: 'CREDIT_CARD', amount: '1000.00' },
      { type: 'GIFT_CARD', amount: '349.97' },
    ]);
    expect(JSON.stringify(view)).not.toContain('tok_a');
    expect(view.payment?.parts).toEqual([
      {
        index: 0,
        type: 'CREDIT_CARD',
        amount: '1000.00',
        status: 'CAPTURED',
        refundedAmount: '0.00',
        providerReference: 'auth_a',
      },
      {
        index: 1,
        type: 'GIFT_CARD',
        amount: '349.97',
        status: 'CAPTURED',
        refundedAmount: '100.00',
        providerReference: 'auth_b',
      },
    ]);
  });

  it('shows the payment with its provider, failure and the times it was authorized, captured and voided', () => {
    const voided = toOrderView(
      orderRow({
        payment: paymentRow({
          status: 'VOIDED',
          capturedAt: null,
          voidedAt: later,
          failureCode: 'PROVIDER_TIMEOUT',
          failureMessage: 'slow',
        }),
      }),
    ).payment;
    expect(voided).toEqual({
      paymentId: 'p-1',
      status: 'VOIDED',
      amount: '1349.97',
      refundedAmount: '0.00',
      currency: 'USD',
      provider: 'simulated',
      providerReference: 'auth_1',
      failureCode: 'PROVIDER_TIMEOUT',
      failureMessage: 'slow',
      authorizedAt: '2026-04-01T10:00:00.000Z',
      capturedAt: null,
      voidedAt: '2026-04-01T10:05:00.000Z',
      parts: null,
    });
  });

  it('lists refunds and the status history in the order they happened', () => {
    const view = toOrderView(
      orderRow({
        status: 'PARTIALLY_REFUNDED',
        completedAt: later,
        refunds: [
          {
            id: 'r-1',
            orderId: 'o-1',
            paymentId: 'p-1',
            amount: new Prisma.Decimal('100'),
            currency: 'USD',
            reason: 'RETURN',
            providerReference: 'ref_1',
            createdAt: later,
          },
        ],
        history: [
          {
            id: 1n,
            orderId: 'o-1',
            fromStatus: null,
            toStatus: 'PENDING',
            reason: null,
            eventId: null,
            createdAt: created,
          },
          {
            id: 2n,
            orderId: 'o-1',
            fromStatus: 'PENDING',
            toStatus: 'CONFIRMED',
            reason: 'payment authorized',
            eventId: 'e-2',
            createdAt: later,
          },
        ],
      }),
    );
    expect(view.refunds).toEqual([
      {
        refundId: 'r-1',
        amount: '100.00',
        currency: 'USD',
        reason: 'RETURN',
        createdAt: '2026-04-01T10:05:00.000Z',
      },
    ]);
    expect(view.history).toEqual([
      { from: null, to: 'PENDING', reason: null, at: '2026-04-01T10:00:00.000Z' },
      { from: 'PENDING', to: 'CONFIRMED', reason: 'payment authorized', at: '2026-04-01T10:05:00.000Z' },
    ]);
    expect(view.completedAt).toBe('2026-04-01T10:05:00.000Z');
  });

  it('shows the shipment once there is one', () => {
    const view = toOrderView(orderRow({ shipmentId: 's-1', trackingId: 'SIM1', carrier: 'SIMULATED' }));
    expect(view.shipment).toEqual({ shipmentId: 's-1', trackingId: 'SIM1', carrier: 'SIMULATED' });
  });

  it('explains a failed step by its code, or a failed order by its reason alone', () => {
    expect(
      toOrderView(
        orderRow({ status: 'PAYMENT_FAILED', failureCode: 'PAYMENT_DECLINED', failureMessage: 'declined' }),
      ).failure,
    ).toEqual({ reason: null, code: 'PAYMENT_DECLINED', message: 'declined' });
    expect(toOrderView(orderRow({ status: 'FAILED', failureReason: 'TIMEOUT' })).failure).toEqual({
      reason: 'TIMEOUT',
      code: null,
      message: null,
    });
  });

  it('shows a cancellation with who asked for it and when', () => {
    expect(
      toOrderView(
        orderRow({
          status: 'CANCELLED',
          cancellationReason: 'CUSTOMER_REQUESTED',
          cancelledBy: 'customer',
          cancelledAt: later,
        }),
      ).cancellation,
    ).toEqual({
      reason: 'CUSTOMER_REQUESTED',
      initiatedBy: 'customer',
      cancelledAt: '2026-04-01T10:05:00.000Z',
    });
    expect(
      toOrderView(orderRow({ status: 'CANCELLED', cancellationReason: 'ADMIN_REQUESTED' })).cancellation,
    ).toEqual({ reason: 'ADMIN_REQUESTED', initiatedBy: null, cancelledAt: null });
  });
});

describe('the lines events carry', () => {
  it('gives each line its product, quantity, warehouse and unit price in the currency', () => {
    expect(eventItems(orderRow())).toEqual([
      { productId: 'lamp', sku: 'LAMP-1', quantity: 2, unitPrice: '599.99', warehouseId: 'w-1' },
      { productId: 'shade', sku: null, quantity: 1, unitPrice: '149.99', warehouseId: null },
    ]);
  });
});
