import { describe, expect, it } from 'vitest';
import { presentDocument, presentErrorIds, withPrefix } from './presenter.js';

const uuid = '550e8400-e29b-41d4-a716-446655440000';

describe('the form of the workflow API answers (seed 001)', () => {
  it('prefixes the ids it knows, at any depth, and leaves other fields and values alone', () => {
    const document = {
      workflowId: uuid,
      saga: { sagaId: uuid, compensationSteps: [{ compensationId: uuid, step: 'RELEASE_INVENTORY' }] },
      metadata: { orderId: `ord-${uuid}`, customerId: uuid.toUpperCase(), paymentId: uuid },
      steps: [{ result: { reservationId: uuid, trackingId: 'TRK-1' } }],
      returnId: null,
      originalOrderId: uuid,
    };
    expect(presentDocument(document)).toEqual({
      workflowId: `wf-${uuid}`,
      saga: {
        sagaId: `saga-${uuid}`,
        compensationSteps: [{ compensationId: `comp-${uuid}`, step: 'RELEASE_INVENTORY' }],
      },
      // Already prefixed: unchanged; upper case: lower-cased; an id the seed writes plain: plain.
      metadata: { orderId: `ord-${uuid}`, customerId: `cust-${uuid}`, paymentId: uuid },
      steps: [{ result: { reservationId: `res-${uuid}`, trackingId: 'TRK-1' } }],
      returnId: null,
      originalOrderId: `ord-${uuid}`,
    });
    expect(document.workflowId).toBe(uuid);
  });

  it('writes decimal amounts as numbers and nothing else', () => {
    expect(
      presentDocument({
        amount: '20.00',
        totalAmount: '1499.97',
        refundAmount: '-5.5',
        currency: 'USD',
        quantity: '2',
        amountLabel: '20.00',
        refund: { amount: 'n/a' },
      }),
    ).toEqual({
      amount: 20,
      totalAmount: 1499.97,
      refundAmount: -5.5,
      currency: 'USD',
      quantity: '2',
      amountLabel: '20.00',
      refund: { amount: 'n/a' },
    });
  });

  it('turns dates into ISO strings and keeps arrays of plain values', () => {
    expect(presentDocument({ at: new Date(0), plan: ['RELEASE_INVENTORY', uuid] })).toEqual({
      at: '1970-01-01T00:00:00.000Z',
      plan: ['RELEASE_INVENTORY', uuid],
    });
  });

  it('prefixes only UUIDs', () => {
    expect(withPrefix('wf', uuid)).toBe(`wf-${uuid}`);
    expect(withPrefix('wf', 'wf-1')).toBe('wf-1');
    expect(withPrefix('wf', 42)).toBe(42);
  });

  it("gives the ids in an error's details the same form", async () => {
    const error = { details: { workflowId: uuid, failedStep: 'PAYMENT_PROCESSING' } };
    await presentErrorIds(null, null, error);
    expect(error.details).toEqual({ workflowId: `wf-${uuid}`, failedStep: 'PAYMENT_PROCESSING' });
  });
});
