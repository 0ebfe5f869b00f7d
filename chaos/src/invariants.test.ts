import { describe, expect, it } from 'vitest';
import { checkInvariants, recoveryTimes, type OrderFacts, type Snapshot } from './invariants.js';

const P1 = '11111111-1111-4111-8111-111111111111';
const P2 = '22222222-2222-4222-8222-222222222222';

function completed(id: string, overrides: Partial<OrderFacts> = {}): OrderFacts {
  return {
    orderId: id,
    key: `key-${id}`,
    card: 'tok_visa_4242',
    lines: [{ productId: P1, quantity: 2 }],
    status: 'COMPLETED',
    history: ['PENDING', 'CONFIRMED', 'COMPLETED'],
    completedAt: 10_000,
    reason: null,
    workflow: { status: 'COMPLETED', sagaState: 'COMPLETED', compensations: [], trigger: null },
    payment: { authorizations: 1, captures: 1, returned: false },
    shipments: [{ shipmentId: `s-${id}`, status: 'LABEL_CREATED' }],
    confirmations: [{ channel: 'EMAIL', status: 'SENT' }],
    ...overrides,
  };
}

function cancelled(id: string, overrides: Partial<OrderFacts> = {}): OrderFacts {
  return {
    orderId: id,
    key: `key-${id}`,
    card: 'tok_decline',
    lines: [{ productId: P2, quantity: 1 }],
    status: 'CANCELLED',
    history: ['PENDING', 'PAYMENT_FAILED', 'CANCELLED'],
    completedAt: null,
    reason: 'PAYMENT_FAILED',
    workflow: {
      status: 'COMPENSATED',
      sagaState: 'COMPENSATED',
      compensations: ['CANCEL_ORDER', 'RELEASE_INVENTORY'],
      trigger: 'PAYMENT_FAILED',
    },
    payment: { authorizations: 0, captures: 0, returned: false },
    shipments: [],
    confirmations: [],
    ...overrides,
  };
}

/** A declined card: the saga failed and was compensated, the order ended FAILED (OrderFailed). */
function failed(id: string, overrides: Partial<OrderFacts> = {}): OrderFacts {
  return cancelled(id, {
    status: 'FAILED',
    history: ['PENDING', 'PAYMENT_FAILED', 'FAILED'],
    reason: 'PAYMENT_FAILED, PAYMENT_DECLINED',
    failureReason: 'PAYMENT_FAILED',
    ...overrides,
  });
}

/** Two completed orders of P1 (2 units each), one of P2 failed on a declined card: everything consistent. */
function healthy(): Snapshot {
  return {
    orders: [completed('o1'), completed('o2', { completedAt: 20_000 }), failed('o3')],
    notAccepted: [],
    stock: [
      { productId: P1, sku: 'SKU-1', initialOnHand: 100, onHand: 96, reserved: 0 },
      { productId: P2, sku: 'SKU-2', initialOnHand: 50, onHand: 50, reserved: 0 },
    ],
    deadLetters: [],
    faults: [{ id: 1, kind: 'service-kill', target: 'orders', startedAt: 1_000, endedAt: 5_000 }],
  };
}

function violationsOf(snapshot: Snapshot): Record<string, string[]> {
  return Object.fromEntries(
    checkInvariants(snapshot)
      .filter((result) => result.violations.length > 0)
      .map((result) => [result.id, result.violations.map((v) => `${v.subject}: ${v.reason}`)]),
  );
}

describe('the invariant checker', () => {
  it('finds nothing wrong with a consistent run', () => {
    const results = checkInvariants(healthy());
    expect(results.every((result) => result.violations.length === 0)).toBe(true);
    expect(results.map((result) => result.id)).toEqual([
      'accepted',
      'one-order-per-key',
      'final-state',
      'outcome',
      'saga-agrees',
      'no-compensation-after-completion',
      'stock-conserved',
      'one-capture',
      'one-label',
      'one-confirmation',
      'return-refunded',
      'return-restocked',
      'return-workflow',
      'replenishment-once',
      'replenishment-workflow',
      'dead-letters',
      'no-crash',
      'recovered',
    ]);
  });

  it('a process that exited on its own', () => {
    const snapshot = healthy();
    snapshot.crashes = { orders: 1, inventory: 0 };
    expect(violationsOf(snapshot)).toEqual({ 'no-crash': ['orders: exited on its own 1 time(s)'] });
  });

  it('an order the storefront could not place', () => {
    const snapshot = healthy();
    snapshot.notAccepted = [{ key: 'key-o4', lastError: '503 SERVICE_UNAVAILABLE' }];
    expect(violationsOf(snapshot)).toEqual({
      accepted: ['key-o4: never accepted (last answer: 503 SERVICE_UNAVAILABLE)'],
    });
  });

  it('two orders for one idempotency key, and an order nobody placed', () => {
    const snapshot = healthy();
    snapshot.orders.push(cancelled('o4', { key: 'key-o3' }), cancelled('o5', { key: null, card: null }));
    expect(violationsOf(snapshot)['one-order-per-key']).toEqual([
      'o5: an order the storefront never placed',
      'o3, o4: 2 orders for the one idempotency key key-o3',
    ]);
  });

  it('an order left in a non-final state', () => {
    const snapshot = healthy();
    snapshot.orders[2] = cancelled('o3', {
      status: 'PAYMENT_FAILED',
      workflow: {
        status: 'COMPENSATED',
        sagaState: 'COMPENSATED',
        compensations: ['CANCEL_ORDER'],
        trigger: 'PAYMENT_FAILED',
      },
    });
    const found = violationsOf(snapshot);
    expect(found['final-state']).toEqual(['o3: left PAYMENT_FAILED (PAYMENT_FAILED)']);
  });

  it('a declined card that ended cancelled, or failed for another reason; a failed order the saga disagrees with', () => {
    const snapshot = healthy();
    snapshot.orders[2] = cancelled('o3');
    snapshot.orders.push(
      failed('o4', { failureReason: 'INVENTORY_ERROR' }),
      failed('o5', {
        failureReason: null,
        workflow: {
          status: 'IN_PROGRESS',
          sagaState: 'COMPENSATING',
          compensations: [],
          trigger: 'PAYMENT_FAILED',
        },
      }),
      failed('o6', { shipments: [{ shipmentId: 's6', status: 'LABEL_CREATED' }] }),
    );
    const found = violationsOf(snapshot);
    expect(found.outcome).toEqual([
      'o3: tok_decline ended CANCELLED, expected FAILED (PAYMENT_FAILED)',
      'o4: tok_decline ended FAILED with reason INVENTORY_ERROR, expected PAYMENT_FAILED',
      'o5: tok_decline ended FAILED with reason none, expected PAYMENT_FAILED',
    ]);
    expect(found['saga-agrees']).toEqual([
      'o5: workflow left IN_PROGRESS; saga left COMPENSATING; order FAILED but workflow IN_PROGRESS / saga COMPENSATING; order FAILED without a failure reason',
    ]);
    expect(found['one-label']).toEqual(['o6: label not cancelled (LABEL_CREATED)']);
  });

  it('an approved card that ended cancelled', () => {
    const snapshot = healthy();
    snapshot.orders[2] = cancelled('o3', { card: 'tok_visa_4242', reason: 'STEP_TIMEOUT' });
    expect(violationsOf(snapshot)).toEqual({
      outcome: ['o3: tok_visa_4242 ended CANCELLED, expected COMPLETED (STEP_TIMEOUT)'],
    });
  });

  it('a saga that disagrees with its order, is missing, or is left open', () => {
    const snapshot = healthy();
    snapshot.orders[0] = completed('o1', {
      workflow: { status: 'IN_PROGRESS', sagaState: 'ACTIVE', compensations: [], trigger: null },
    });
    snapshot.orders[1] = completed('o2', { workflow: null });
    snapshot.orders[2] = cancelled('o3', {
      workflow: {
        status: 'FAILED',
        sagaState: 'COMPENSATION_FAILED',
        compensations: ['CANCEL_ORDER'],
        trigger: 'PAYMENT_FAILED',
      },
    });
    const found = violationsOf(snapshot)['saga-agrees']!;
    expect(found).toHaveLength(3);
    expect(found[0]).toMatch(
      /^o1: workflow left IN_PROGRESS; saga left ACTIVE; order COMPLETED but workflow IN_PROGRESS/,
    );
    expect(found[1]).toBe('o2: no workflow for this COMPLETED order');
    expect(found[2]).toMatch(/^o3: saga COMPENSATION_FAILED; order CANCELLED but workflow FAILED/);
  });

  it('a compensation on a completed order', () => {
    const snapshot = healthy();
    snapshot.orders[0] = completed('o1', {
      workflow: {
        status: 'COMPLETED',
        sagaState: 'COMPLETED',
        compensations: ['REFUND_PAYMENT'],
        trigger: 'STEP_TIMEOUT',
      },
    });
    expect(violationsOf(snapshot)['no-compensation-after-completion']).toEqual([
      'o1: saga compensated it (REFUND_PAYMENT; trigger STEP_TIMEOUT)',
    ]);
  });

  it('stock deducted for an order that did not complete, and stock left reserved', () => {
    const snapshot = healthy();
    snapshot.stock[1] = { productId: P2, sku: 'SKU-2', initialOnHand: 50, onHand: 49, reserved: 0 };
    snapshot.stock[0] = { productId: P1, sku: 'SKU-1', initialOnHand: 100, onHand: 96, reserved: 3 };
    expect(violationsOf(snapshot)['stock-conserved']).toEqual([
      'SKU-1: 3 units still reserved',
      'SKU-2: on hand 49, expected 50 (50 − 0 sold): units deducted for orders that did not complete',
    ]);
  });

  it('stock not deducted for a completed order', () => {
    const snapshot = healthy();
    snapshot.stock[0] = { productId: P1, sku: 'SKU-1', initialOnHand: 100, onHand: 98, reserved: 0 };
    expect(violationsOf(snapshot)['stock-conserved']).toEqual([
      'SKU-1: on hand 98, expected 96 (100 − 4 sold): units not deducted',
    ]);
  });

  it('a double capture, a missing capture, a capture on a cancelled order, two authorizations', () => {
    const snapshot = healthy();
    snapshot.orders[0] = completed('o1', { payment: { authorizations: 2, captures: 2, returned: false } });
    snapshot.orders[1] = completed('o2', { payment: { authorizations: 1, captures: 0, returned: false } });
    snapshot.orders[2] = cancelled('o3', { payment: { authorizations: 1, captures: 1, returned: true } });
    expect(violationsOf(snapshot)['one-capture']).toEqual([
      'o1: 2 captures for a COMPLETED order; 2 authorizations',
      'o2: 0 captures for a COMPLETED order',
      'o3: 1 capture(s) for a CANCELLED order (refunded since)',
    ]);
  });

  it('two labels, a completed order without one, a cancelled order whose label lives on', () => {
    const snapshot = healthy();
    snapshot.orders[0] = completed('o1', {
      shipments: [
        { shipmentId: 'a', status: 'LABEL_CREATED' },
        { shipmentId: 'b', status: 'LABEL_CREATED' },
      ],
    });
    snapshot.orders[1] = completed('o2', { shipments: [] });
    snapshot.orders[2] = cancelled('o3', { shipments: [{ shipmentId: 'c', status: 'LABEL_CREATED' }] });
    expect(violationsOf(snapshot)['one-label']).toEqual([
      'o1: 2 labels; 2 live labels',
      'o2: 0 live labels',
      'o3: label not cancelled (LABEL_CREATED)',
    ]);
  });

  it('a missing, a doubled and an unsent confirmation', () => {
    const snapshot = healthy();
    snapshot.orders[0] = completed('o1', { confirmations: [] });
    snapshot.orders[1] = completed('o2', {
      confirmations: [
        { channel: 'EMAIL', status: 'SENT' },
        { channel: 'EMAIL', status: 'SENT' },
      ],
    });
    snapshot.orders.push(
      completed('o4', { lines: [], confirmations: [{ channel: 'EMAIL', status: 'FAILED' }] }),
    );
    expect(violationsOf(snapshot)['one-confirmation']).toEqual([
      'o1: no confirmation',
      'o2: 2 confirmations by EMAIL',
      'o4: confirmation never sent (FAILED)',
    ]);
  });

  it('dead letters, unless expected', () => {
    const snapshot = healthy();
    snapshot.deadLetters = [
      {
        topic: 'delivery-scheduled-events.DLQ',
        partition: 0,
        offset: '3',
        errorCode: 'INVALID_ORDER_STATE',
        eventName: 'DeliveryScheduled',
        orderId: 'o1',
        message: 'never confirmed',
      },
      {
        topic: 'order-created-events.DLQ',
        partition: 1,
        offset: '0',
        errorCode: 'UNDECODABLE_MESSAGE',
        eventName: null,
        orderId: null,
        message: null,
      },
    ];
    snapshot.expectedDeadLetters = [{ topic: 'order-created-events.DLQ', errorCode: 'UNDECODABLE_MESSAGE' }];
    expect(violationsOf(snapshot)).toEqual({
      'dead-letters': [
        'delivery-scheduled-events.DLQ@0:3: INVALID_ORDER_STATE DeliveryScheduled order o1 (now COMPLETED): never confirmed',
      ],
    });
  });

  it('a fault the platform never recovered from, and one the suite could not restore', () => {
    const snapshot = healthy();
    snapshot.faults.push(
      { id: 2, kind: 'pg-outage', target: 'postgresql', startedAt: 21_000, endedAt: 30_000 },
      {
        id: 3,
        kind: 'broker-kill',
        target: 'kafka',
        startedAt: 31_000,
        endedAt: null,
        detail: 'did not start',
      },
    );
    expect(violationsOf(snapshot)).toEqual({
      recovered: [
        'fault 2 pg-outage postgresql: no order completed after it ended',
        'fault 3 broker-kill kafka: the suite could not restore it: did not start',
      ],
    });
  });
});

describe('recovery times', () => {
  it('measure from the end of each fault to the first completion after it', () => {
    const faults = [
      { id: 1, kind: 'service-kill', target: 'orders', startedAt: 0, endedAt: 5_000 },
      { id: 2, kind: 'pg-outage', target: 'postgresql', startedAt: 12_000, endedAt: 15_000 },
    ];
    const orders = [
      { completedAt: 4_000 },
      { completedAt: 9_000 },
      { completedAt: null },
      { completedAt: 16_500 },
    ];
    expect(recoveryTimes(faults, orders).map((recovery) => recovery.recoveryMs)).toEqual([4_000, 1_500]);
  });
});
