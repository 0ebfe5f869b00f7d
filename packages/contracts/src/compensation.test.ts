import { describe, expect, it } from 'vitest';
import { compensationOutcomeOf, orderFailureReasonOf } from './compensation.js';
import type { CompensationRequested } from './generated/events.js';

const request = {
  eventId: 'e3b0c442-98fc-4c14-9afb-f4c8996fb924',
  occurredAt: 0,
  correlationId: 'order-1',
  causationId: null,
  producer: 'platform-coordination',
  sagaId: 'saga-1',
  workflowId: 'wf-1',
  orderId: 'ord-0b4f6a2e-1c7d-4a8e-9f3b-2d5c6e7f8a9b',
  action: 'RELEASE_INVENTORY',
  attempt: 2,
} as unknown as CompensationRequested;

describe('compensationOutcomeOf', () => {
  it("answers the request: its saga, workflow, order, action, attempt and event id, with the owner's answer", () => {
    expect(compensationOutcomeOf(request, { outcome: 'DONE', reasonCode: null, detail: null })).toEqual({
      sagaId: 'saga-1',
      workflowId: 'wf-1',
      orderId: 'ord-0b4f6a2e-1c7d-4a8e-9f3b-2d5c6e7f8a9b',
      action: 'RELEASE_INVENTORY',
      attempt: 2,
      requestEventId: 'e3b0c442-98fc-4c14-9afb-f4c8996fb924',
      outcome: 'DONE',
      reasonCode: null,
      detail: null,
    });
  });

  it('takes the order id as the owner normalised it', () => {
    const outcome = compensationOutcomeOf(
      request,
      { outcome: 'NOT_APPLICABLE', reasonCode: 'ORDER_NOT_FOUND', detail: 'no such order' },
      '0b4f6a2e-1c7d-4a8e-9f3b-2d5c6e7f8a9b',
    );
    expect(outcome).toMatchObject({
      orderId: '0b4f6a2e-1c7d-4a8e-9f3b-2d5c6e7f8a9b',
      reasonCode: 'ORDER_NOT_FOUND',
    });
  });
});

describe('orderFailureReasonOf', () => {
  it('names the failure of a saga compensated for a failed step or a timeout', () => {
    expect(orderFailureReasonOf('PAYMENT_FAILED')).toBe('PAYMENT_FAILED');
    expect(orderFailureReasonOf('INVENTORY_UNAVAILABLE')).toBe('INVENTORY_ERROR');
    expect(orderFailureReasonOf('DELIVERY_FAILED')).toBe('DELIVERY_FAILED');
    expect(orderFailureReasonOf('STEP_TIMEOUT')).toBe('TIMEOUT');
    expect(orderFailureReasonOf('COUPON_REJECTED')).toBe('COUPON_REJECTED');
    expect(orderFailureReasonOf('ORDER_CONFIRMATION_FAILED')).toBe('SAGA_FAILED');
  });

  it('leaves cancellations asked for by a customer or an operator to CANCELLED', () => {
    for (const reason of [
      'CUSTOMER_REQUESTED',
      'CUSTOMER_CANCELLED',
      'MANUAL_INTERVENTION',
      'ADMIN_REQUESTED',
    ])
      expect(orderFailureReasonOf(reason)).toBeNull();
  });
});
