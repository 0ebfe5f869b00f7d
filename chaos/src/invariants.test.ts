import { describe, expect, it } from 'vitest';
import {
  checkInvariants,
  recoveryTimes,
  type OrderFacts,
  type ReplenishmentFacts,
  type ReturnFacts,
  type Snapshot,
} from './invariants.js';

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
      'charged',
      'coupon-uses',
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
      'o3: tok_decline ended CANCELLED (PAYMENT_FAILED), expected FAILED with reason PAYMENT_FAILED',
      'o4: tok_decline ended FAILED with reason INVENTORY_ERROR, expected FAILED with reason PAYMENT_FAILED',
      'o5: tok_decline ended FAILED with reason none, expected FAILED with reason PAYMENT_FAILED',
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
      outcome: ['o3: tok_visa_4242 ended CANCELLED (STEP_TIMEOUT), expected COMPLETED'],
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

const R1 = 'ret_0000000000000000000000000001';

/**
 * A healthy run with the new workflows: order o1 (2 × P1 at 12.50) returned partly (1 unit) and
 * refunded 12.50, its unit back in stock; one replenishment of P1 received (30 units), one of P2 failed.
 */
function withWorkflows(): Snapshot {
  const snapshot = healthy();
  snapshot.orders[0] = completed('o1', {
    status: 'PARTIALLY_REFUNDED',
    history: ['PENDING', 'CONFIRMED', 'COMPLETED', 'PARTIALLY_REFUNDED'],
    returned: 'PARTIAL',
  });
  snapshot.returns = [returned()];
  snapshot.replenishments = [
    replenishment('r1'),
    replenishment('r2', {
      productId: P2,
      status: 'FAILED',
      failureReason: 'SUPPLIER_REJECTED',
      purchaseOrderId: null,
      purchaseOrders: 0,
      restocks: [],
      workflow: { type: 'INVENTORY_REPLENISHMENT', status: 'FAILED' },
    }),
  ];
  snapshot.replenishedLocations = 2;
  // P1: 100 − 4 sold + 1 returned + 30 replenished.
  snapshot.stock[0] = { productId: P1, sku: 'SKU-1', initialOnHand: 100, onHand: 127, reserved: 0 };
  return snapshot;
}

function returned(overrides: Partial<ReturnFacts> = {}): ReturnFacts {
  return {
    orderId: 'o1',
    returnId: R1,
    full: false,
    lines: [{ productId: P1, quantity: 1 }],
    expectedMinor: 1250,
    received: true,
    lastError: null,
    orderStatus: 'PARTIALLY_REFUNDED',
    refundsMinor: [1250],
    payment: {
      authorizations: 1,
      captures: 1,
      returned: false,
      capturedMinor: 2500,
      refundedMinor: 1250,
      refunds: 1,
    },
    restocks: [{ productId: P1, quantity: 1 }],
    workflow: { type: 'RETURN_PROCESSING', status: 'COMPLETED' },
    notices: [{ channel: 'EMAIL', status: 'SENT' }],
    ...overrides,
  };
}

function replenishment(id: string, overrides: Partial<ReplenishmentFacts> = {}): ReplenishmentFacts {
  return {
    replenishmentId: id,
    productId: P1,
    warehouseId: 'wh-001',
    status: 'RECEIVED',
    quantity: 30,
    purchaseOrderId: `po_${id}`,
    failureReason: null,
    purchaseOrders: 1,
    restocks: [30],
    workflow: { type: 'INVENTORY_REPLENISHMENT', status: 'COMPLETED' },
    ...overrides,
  };
}

describe('returns and replenishments', () => {
  it('find nothing wrong with a consistent run', () => {
    expect(violationsOf(withWorkflows())).toEqual({});
  });

  it('a fully returned order ends REFUNDED; one left COMPLETED or PARTIALLY_REFUNDED is a wrong outcome', () => {
    const snapshot = withWorkflows();
    snapshot.orders[0] = { ...snapshot.orders[0]!, returned: 'FULL' };
    snapshot.returns = [returned({ full: true })];
    const violations = violationsOf(snapshot);
    expect(violations.outcome).toEqual(['o1: tok_visa_4242 ended PARTIALLY_REFUNDED, expected REFUNDED']);
    expect(violations['return-refunded']).toEqual([
      `return ${R1} of order o1: order PARTIALLY_REFUNDED after a full return, expected REFUNDED`,
    ]);
    expect(violations['no-compensation-after-completion']).toEqual([
      'o1: the order went on to PARTIALLY_REFUNDED (returned in full, expected REFUNDED)',
    ]);
  });

  it('an order refunded without a return is not a completed order', () => {
    const snapshot = healthy();
    snapshot.orders[0] = completed('o1', {
      status: 'REFUNDED',
      history: ['PENDING', 'CONFIRMED', 'COMPLETED', 'REFUNDED'],
    });
    expect(violationsOf(snapshot)).toMatchObject({
      outcome: ['o1: tok_visa_4242 ended REFUNDED, expected COMPLETED'],
      'no-compensation-after-completion': ['o1: the order went on to REFUNDED'],
    });
  });

  it('a return refunded twice, or for the wrong amount, or beyond the capture', () => {
    const twice = withWorkflows();
    twice.returns = [
      returned({
        refundsMinor: [1250, 1250],
        payment: { ...returned().payment!, refunds: 2, refundedMinor: 2500 },
      }),
    ];
    expect(violationsOf(twice)).toEqual({
      'return-refunded': [
        `return ${R1} of order o1: 2 refunds for the return (12.50, 12.50); 2 refund operations in the payment provider's ledger`,
      ],
    });

    const wrong = withWorkflows();
    wrong.returns = [returned({ refundsMinor: [2500] })];
    expect(violationsOf(wrong)['return-refunded']).toEqual([
      `return ${R1} of order o1: refunded 25.00, the returned lines cost 12.50`,
    ]);

    const beyond = withWorkflows();
    beyond.returns = [returned({ payment: { ...returned().payment!, refundedMinor: 2600 } })];
    expect(violationsOf(beyond)['return-refunded']).toEqual([
      `return ${R1} of order o1: refunded 26.00 of 25.00 captured`,
    ]);

    const never = withWorkflows();
    never.returns = [returned({ refundsMinor: [] })];
    expect(violationsOf(never)['return-refunded']).toEqual([
      `return ${R1} of order o1: 0 refunds for the return`,
    ]);
  });

  it('returned units restocked twice, or not at all, show in the return and in the stock', () => {
    const twice = withWorkflows();
    twice.returns = [
      returned({
        restocks: [
          { productId: P1, quantity: 1 },
          { productId: P1, quantity: 1 },
        ],
      }),
    ];
    twice.stock[0] = { ...twice.stock[0]!, onHand: 128 };
    expect(violationsOf(twice)).toEqual({
      'return-restocked': [`return ${R1}: 2 RETURN adjustments of product ${P1}`],
      'stock-conserved': [
        'SKU-1: on hand 128, expected 127 (100 − 4 sold + 1 returned + 30 replenished): more than accounted for (units not deducted, or a restock applied twice)',
      ],
    });

    const missing = withWorkflows();
    missing.returns = [returned({ restocks: [{ productId: P2, quantity: 1 }] })];
    expect(violationsOf(missing)['return-restocked']).toEqual([
      `return ${R1}: 0 RETURN adjustments of product ${P1}; product ${P2} restocked but not returned`,
    ]);
  });

  it("a return's workflow not COMPLETED, its notice missing or sent twice, a return never made", () => {
    const stuck = withWorkflows();
    stuck.returns = [
      returned({ workflow: { type: 'RETURN_PROCESSING', status: 'IN_PROGRESS' }, notices: [] }),
    ];
    expect(violationsOf(stuck)['return-workflow']).toEqual([
      `return ${R1}: workflow IN_PROGRESS; no return-refunded notification`,
    ]);

    const twice = withWorkflows();
    twice.returns = [
      returned({
        workflow: null,
        notices: [
          { channel: 'EMAIL', status: 'SENT' },
          { channel: 'EMAIL', status: 'SENT' },
        ],
      }),
    ];
    expect(violationsOf(twice)['return-workflow']).toEqual([
      `return ${R1}: no workflow for the return; 2 return-refunded notifications by EMAIL`,
    ]);

    const never = withWorkflows();
    never.orders[0] = completed('o1');
    never.stock[0] = { ...never.stock[0]!, onHand: 126 };
    never.returns = [returned({ returnId: null, received: false, lastError: 'POST /returns answered 422' })];
    expect(violationsOf(never)).toEqual({
      'return-workflow': [
        'order o1: the storefront could not request the return (POST /returns answered 422)',
      ],
    });
  });

  it('a replenishment with two purchase orders, or received twice, or restocked without being received', () => {
    const snapshot = withWorkflows();
    snapshot.replenishments = [
      replenishment('r1', { purchaseOrders: 2 }),
      replenishment('r3', { restocks: [30, 30] }),
      replenishment('r4', {
        status: 'FAILED',
        failureReason: 'TIMEOUT',
        workflow: { type: 'INVENTORY_REPLENISHMENT', status: 'FAILED' },
      }),
    ];
    snapshot.stock[0] = { ...snapshot.stock[0]!, onHand: 157 };
    expect(violationsOf(snapshot)['replenishment-once']).toEqual([
      `replenishment r1 (${P1}@wh-001): 2 purchase orders at the supplier`,
      `replenishment r3 (${P1}@wh-001): 2 RESTOCK adjustments for a RECEIVED replenishment`,
      `replenishment r4 (${P1}@wh-001): 1 RESTOCK adjustment(s) for a FAILED replenishment`,
    ]);
  });

  it('a replenishment stuck, failed without a reason, or with a workflow that disagrees; none opened at all', () => {
    const snapshot = withWorkflows();
    snapshot.replenishments = [
      replenishment('r1', { workflow: { type: 'INVENTORY_REPLENISHMENT', status: 'IN_PROGRESS' } }),
      replenishment('r2', {
        status: 'ORDERED',
        restocks: [],
        workflow: { type: 'INVENTORY_REPLENISHMENT', status: 'IN_PROGRESS' },
      }),
      replenishment('r3', {
        status: 'ORDERED',
        restocks: [],
        workflow: { type: 'INVENTORY_REPLENISHMENT', status: 'IN_PROGRESS' },
      }),
      replenishment('r4', { productId: P2, status: 'FAILED', restocks: [], workflow: null }),
    ];
    snapshot.stock[0] = { ...snapshot.stock[0]!, onHand: 127 };
    expect(violationsOf(snapshot)['replenishment-workflow']).toEqual([
      `replenishment r1 (${P1}@wh-001): workflow IN_PROGRESS for a RECEIVED replenishment, expected COMPLETED`,
      `replenishment r2 (${P1}@wh-001): left ORDERED; workflow IN_PROGRESS for a ORDERED replenishment`,
      `replenishment r3 (${P1}@wh-001): left ORDERED; workflow IN_PROGRESS for a ORDERED replenishment`,
      `replenishment r4 (${P2}@wh-001): FAILED without a reason; no workflow`,
      `${P1}@wh-001: 2 replenishments open at once`,
    ]);

    const none = withWorkflows();
    none.replenishments = [];
    none.stock[0] = { ...none.stock[0]!, onHand: 97 };
    expect(violationsOf(none)).toEqual({
      'replenishment-workflow': [
        '2 replenished location(s): no replenishment was ever opened: the load did not drive a configured location under its threshold',
      ],
    });
  });

  it('stock conservation counts what replenishments brought', () => {
    const snapshot = withWorkflows();
    snapshot.stock[0] = { ...snapshot.stock[0]!, onHand: 97 };
    expect(violationsOf(snapshot)['stock-conserved']).toEqual([
      'SKU-1: on hand 97, expected 127 (100 − 4 sold + 1 returned + 30 replenished): less than accounted for (units deducted for orders that did not complete, or a restock missing)',
    ]);
  });
});

const LIMITED = 'CHAOS-R-LIMITED';
const OPEN = 'CHAOS-R-OPEN';

/** Coupons and a split payment: o1 discounted by the limited code, o2 by the open one, o4 paid with two cards. */
function withCoupons(): Snapshot {
  const snapshot = healthy();
  const limited = { code: LIMITED, limited: true, discountMinor: 250, rejection: null };
  snapshot.orders[0] = completed('o1', {
    coupon: limited,
    couponCode: LIMITED,
    discountMinor: 250,
    chargedMinor: 2250,
    payment: { authorizations: 1, captures: 1, returned: false, capturedMinor: 2250 },
  });
  snapshot.orders[1] = completed('o2', {
    completedAt: 20_000,
    coupon: { code: OPEN, limited: false, discountMinor: 200, rejection: null },
    couponCode: OPEN,
    discountMinor: 200,
    chargedMinor: 2300,
    payment: { authorizations: 1, captures: 1, returned: false, capturedMinor: 2300 },
  });
  // The limited code refused at its limit, and one tried with a declined card (its use given back).
  snapshot.orders.push(
    failed('o5', {
      card: 'tok_visa_4242',
      coupon: limited,
      couponCode: LIMITED,
      failureReason: 'COUPON_REJECTED',
      failureCode: 'COUPON_USAGE_LIMIT_REACHED',
    }),
    failed('o6', { coupon: limited, couponCode: LIMITED, discountMinor: 250, chargedMinor: 2250 }),
    completed('o4', {
      lines: [{ productId: P2, quantity: 0 }],
      parts: 2,
      chargedMinor: 2500,
      payment: { authorizations: 2, captures: 2, returned: false, capturedMinor: 2500 },
    }),
  );
  snapshot.coupons = [
    { code: LIMITED, usageLimit: 1, uses: 1 },
    { code: OPEN, usageLimit: null, uses: 1 },
  ];
  return snapshot;
}

describe('coupons and split payments', () => {
  it('find nothing wrong with a consistent run', () => {
    expect(violationsOf(withCoupons())).toEqual({});
  });

  it('an open coupon refused by its minimum, or refused at no limit; an approved card refused a limited coupon is right', () => {
    const snapshot = withCoupons();
    const below = { code: OPEN, limited: false, discountMinor: 0, rejection: 'COUPON_MINIMUM_NOT_MET' };
    snapshot.orders.push(
      failed('o7', {
        card: 'tok_visa_4242',
        coupon: below,
        failureReason: 'COUPON_REJECTED',
        failureCode: 'COUPON_MINIMUM_NOT_MET',
      }),
      completed('o8', { coupon: below, discountMinor: 0 }),
      failed('o9', {
        card: 'tok_visa_4242',
        coupon: { code: OPEN, limited: false, discountMinor: 200, rejection: null },
        failureReason: 'COUPON_REJECTED',
        failureCode: 'COUPON_USAGE_LIMIT_REACHED',
      }),
    );
    expect(violationsOf(snapshot).outcome).toEqual([
      `o8: tok_visa_4242 with coupon ${OPEN} ended COMPLETED, expected FAILED with reason COUPON_REJECTED (COUPON_MINIMUM_NOT_MET)`,
      `o9: tok_visa_4242 with coupon ${OPEN} ended FAILED with reason COUPON_REJECTED (COUPON_USAGE_LIMIT_REACHED), expected COMPLETED`,
    ]);
  });

  it('a failed order that kept its use, a use beyond the limit, a code the order service lost', () => {
    const kept = withCoupons();
    kept.coupons![0] = { code: LIMITED, usageLimit: 1, uses: 2 };
    expect(violationsOf(kept)['coupon-uses']).toEqual([
      `${LIMITED}: 2 uses held, 1 shipped orders carry it (3 tried it): a failed order kept its use; used 2 times, its limit is 1`,
    ]);

    const beyond = withCoupons();
    beyond.orders[3] = completed('o5', { coupon: beyond.orders[3]!.coupon });
    beyond.coupons![0] = { code: LIMITED, usageLimit: 1, uses: 2 };
    expect(violationsOf(beyond)['coupon-uses']).toEqual([`${LIMITED}: used 2 times, its limit is 1`]);

    const lost = withCoupons();
    lost.coupons![1] = { code: OPEN, usageLimit: null, uses: null };
    expect(violationsOf(lost)['coupon-uses']).toEqual([`${OPEN}: the order service does not know it`]);
  });

  it('a capture of the whole total despite the discount, a wrong discount, a discount without a coupon', () => {
    const snapshot = withCoupons();
    snapshot.orders[0] = {
      ...snapshot.orders[0]!,
      payment: { ...snapshot.orders[0]!.payment!, capturedMinor: 2500 },
    };
    snapshot.orders[1] = {
      ...snapshot.orders[1]!,
      discountMinor: 250,
      chargedMinor: 2250,
      payment: { ...snapshot.orders[1]!.payment!, capturedMinor: 2250 },
    };
    snapshot.orders.push(completed('o7', { discountMinor: 100, chargedMinor: 2400 }));
    expect(violationsOf(snapshot).charged).toEqual([
      'o1: captured 25.00, the order is charged 22.50',
      `o2: discount 2.50 with coupon ${OPEN}, whose terms give 2.00`,
      'o7: discount 1.00 without a coupon',
    ]);
  });

  it('a split payment with one part left uncaptured, or authorized three times', () => {
    const snapshot = withCoupons();
    snapshot.orders[5] = completed('o4', {
      parts: 2,
      payment: { authorizations: 3, captures: 1, returned: false },
    });
    expect(violationsOf(snapshot)['one-capture']).toEqual([
      'o4: 1 captures for a COMPLETED order paid with 2 payment methods; 3 authorizations paid with 2 payment methods',
    ]);
  });

  it("a split payment's refund shared by its two methods is one refund", () => {
    const snapshot = withWorkflows();
    snapshot.returns = [returned({ parts: 2, payment: { ...returned().payment!, refunds: 2 } })];
    expect(violationsOf(snapshot)).toEqual({});
    snapshot.returns = [returned({ parts: 2, payment: { ...returned().payment!, refunds: 3 } })];
    expect(violationsOf(snapshot)['return-refunded']).toEqual([
      `return ${R1} of order o1: 3 refund operations in the payment provider's ledger for 2 payment methods`,
    ]);
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
