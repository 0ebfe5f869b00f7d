/**
 * The judge: pure checks over what the platform shows after the run. Each invariant lists its violations,
 * each naming the order (or product, topic, fault) and why.
 */

/** Order statuses after which the saga is done with the order (services/orders/src/domain/order-status.ts). */
export const FINAL_ORDER_STATUSES = ['COMPLETED', 'CANCELLED', 'FAILED', 'REFUNDED'] as const;
/** Ended without shipping: a failed saga (FAILED, with OrderFailed) or a cancellation (CANCELLED). */
const ENDED_STATUSES = ['CANCELLED', 'FAILED'];
const ACTIVE_WORKFLOW_STATUSES = ['STARTED', 'IN_PROGRESS', 'COMPENSATING', 'CANCELLING'];
const OPEN_SAGA_STATES = ['ACTIVE', 'COMPENSATING'];

export interface WorkflowFacts {
  status: string;
  sagaState: string;
  /** Compensation actions planned or run (CANCEL_ORDER, REFUND_PAYMENT, …). */
  compensations: string[];
  /** Why compensation started (`PAYMENT_FAILED`, `STEP_TIMEOUT`, …), when it did. */
  trigger: string | null;
}

export interface PaymentFacts {
  /** Authorizations the provider made for the order. */
  authorizations: number;
  /** Capture operations on them. */
  captures: number;
  /** Money returned in full (voided or refunded). */
  returned: boolean;
}

export interface OrderFacts {
  orderId: string;
  /** The storefront's idempotency key, from the order's metadata; null for an order the suite did not place. */
  key: string | null;
  /** The card the storefront used; null when unknown. */
  card: string | null;
  lines: { productId: string; quantity: number }[];
  status: string;
  /** Every status the order went through, in order. */
  history: string[];
  completedAt: number | null;
  /** The failure or cancellation reason the order service recorded. */
  reason: string | null;
  /** Why a FAILED order failed (OrderFailed's reason: PAYMENT_FAILED, INVENTORY_ERROR, …); null otherwise. */
  failureReason?: string | null;
  /** Null: no workflow known to the coordination service. */
  workflow: WorkflowFacts | null;
  /** Null: nothing to read (no payment record). */
  payment: PaymentFacts | null;
  shipments: { shipmentId: string; status: string }[];
  /** Order-confirmation notifications (template `order-confirmed`). */
  confirmations: { channel: string; status: string }[];
}

export interface StockFacts {
  productId: string;
  sku: string;
  initialOnHand: number;
  onHand: number;
  reserved: number;
}

export interface DeadLetter {
  topic: string;
  partition: number;
  offset: string;
  errorCode: string;
  eventName: string | null;
  orderId: string | null;
  message: string | null;
}

export interface FaultRecord {
  id: number;
  kind: string;
  target: string;
  startedAt: number;
  /** When the target was restored (a restart: when it answered again); null when restoring failed. */
  endedAt: number | null;
  detail?: string;
}

export interface Snapshot {
  /** Orders the storefront was answered for, plus any the order service holds that carry the run's keys. */
  orders: OrderFacts[];
  /** Orders the storefront placed and never got accepted (and the order service does not hold). */
  notAccepted: { key: string; lastError: string | null }[];
  stock: StockFacts[];
  deadLetters: DeadLetter[];
  /** Dead letters that the run expects (none, unless told): matched on topic and error code. */
  expectedDeadLetters?: { topic: string; errorCode: string }[];
  faults: FaultRecord[];
  /** Exits of a platform process that the suite did not cause, per process (restarted by the supervisor). */
  crashes?: Record<string, number>;
}

export interface Violation {
  subject: string;
  reason: string;
}

export interface InvariantResult {
  id: string;
  title: string;
  /** How many subjects were checked. */
  checked: number;
  violations: Violation[];
}

export function isFinalStatus(status: string): boolean {
  return (FINAL_ORDER_STATUSES as readonly string[]).includes(status);
}

const isDeclined = (card: string | null) =>
  card !== null && !['tok_visa_4242', 'tok_transient_once'].includes(card);

export function checkInvariants(snapshot: Snapshot): InvariantResult[] {
  const orders = snapshot.orders;
  const results: InvariantResult[] = [];
  const add = (id: string, title: string, checked: number, violations: Violation[]) =>
    results.push({ id, title, checked, violations });

  add(
    'accepted',
    'every order the storefront placed was accepted before its deadline',
    orders.filter((order) => order.key !== null).length + snapshot.notAccepted.length,
    snapshot.notAccepted.map((order) => ({
      subject: order.key,
      reason: `never accepted (last answer: ${order.lastError ?? 'none'})`,
    })),
  );

  const byKey = new Map<string, OrderFacts[]>();
  for (const order of orders) {
    if (order.key === null) continue;
    byKey.set(order.key, [...(byKey.get(order.key) ?? []), order]);
  }
  add(
    'one-order-per-key',
    'one order per idempotency key, and no order the storefront did not place',
    orders.length,
    [
      ...orders
        .filter((order) => order.key === null)
        .map((order) => ({ subject: order.orderId, reason: 'an order the storefront never placed' })),
      ...[...byKey.entries()]
        .filter(([, same]) => same.length > 1)
        .map(([key, same]) => ({
          subject: same.map((order) => order.orderId).join(', '),
          reason: `${same.length} orders for the one idempotency key ${key}`,
        })),
    ],
  );

  add(
    'final-state',
    `every accepted order reached a final state (${FINAL_ORDER_STATUSES.join(', ')})`,
    orders.length,
    orders
      .filter((order) => !isFinalStatus(order.status))
      .map((order) => ({
        subject: order.orderId,
        reason: `left ${order.status}${order.reason ? ` (${order.reason})` : ''}`,
      })),
  );

  add(
    'outcome',
    'approved cards completed, declined cards failed with PAYMENT_FAILED (stock is ample)',
    orders.filter((order) => order.card !== null).length,
    orders.flatMap((order) => {
      if (order.card === null || !isFinalStatus(order.status)) return [];
      const expected = isDeclined(order.card) ? 'FAILED' : 'COMPLETED';
      const reasonAgrees = expected !== 'FAILED' || order.failureReason === 'PAYMENT_FAILED';
      return order.status === expected && reasonAgrees
        ? []
        : [
            {
              subject: order.orderId,
              reason:
                order.status === expected
                  ? `${order.card} ended FAILED with reason ${order.failureReason ?? 'none'}, expected PAYMENT_FAILED`
                  : `${order.card} ended ${order.status}, expected ${expected}${order.reason ? ` (${order.reason})` : ''}`,
            },
          ];
    }),
  );

  add(
    'saga-agrees',
    'the saga agrees with the order: COMPLETED ↔ COMPLETED; CANCELLED ↔ COMPENSATED/CANCELLED; FAILED (with a reason) ↔ COMPENSATED/FAILED; none left open',
    orders.length,
    orders.flatMap((order) => sagaDisagreement(order)),
  );

  add(
    'no-compensation-after-completion',
    'never a compensation on an order that reached COMPLETED',
    orders.filter((order) => order.history.includes('COMPLETED')).length,
    orders
      .filter((order) => order.history.includes('COMPLETED'))
      .flatMap((order) => {
        const reasons: string[] = [];
        if (order.workflow && order.workflow.compensations.length > 0)
          reasons.push(
            `saga compensated it (${order.workflow.compensations.join(', ')}; trigger ${order.workflow.trigger ?? 'unknown'})`,
          );
        if (order.status !== 'COMPLETED') reasons.push(`the order went on to ${order.status}`);
        return reasons.length ? [{ subject: order.orderId, reason: reasons.join('; ') }] : [];
      }),
  );

  const sold = new Map<string, number>();
  for (const order of orders) {
    if (order.status !== 'COMPLETED') continue;
    for (const line of order.lines) sold.set(line.productId, (sold.get(line.productId) ?? 0) + line.quantity);
  }
  add(
    'stock-conserved',
    'per product, on hand fell by exactly the units of COMPLETED orders, and nothing is left reserved',
    snapshot.stock.length,
    snapshot.stock.flatMap((product) => {
      const reasons: string[] = [];
      const expected = product.initialOnHand - (sold.get(product.productId) ?? 0);
      if (product.onHand !== expected)
        reasons.push(
          `on hand ${product.onHand}, expected ${expected} (${product.initialOnHand} − ${sold.get(product.productId) ?? 0} sold): ${product.onHand > expected ? 'units not deducted' : 'units deducted for orders that did not complete'}`,
        );
      if (product.reserved !== 0) reasons.push(`${product.reserved} units still reserved`);
      return reasons.length ? [{ subject: product.sku, reason: reasons.join('; ') }] : [];
    }),
  );

  add(
    'one-capture',
    'exactly one capture per COMPLETED order, none kept for a CANCELLED or FAILED one, at most one authorization',
    orders.length,
    orders.flatMap((order) => {
      const payment = order.payment;
      const reasons: string[] = [];
      const captures = payment?.captures ?? 0;
      if (order.status === 'COMPLETED' && captures !== 1)
        reasons.push(`${captures} captures for a COMPLETED order`);
      if (ENDED_STATUSES.includes(order.status) && captures > 0)
        reasons.push(
          `${captures} capture(s) for a ${order.status} order${payment?.returned ? ' (refunded since)' : ''}`,
        );
      if (payment && payment.authorizations > 1) reasons.push(`${payment.authorizations} authorizations`);
      return reasons.length ? [{ subject: order.orderId, reason: reasons.join('; ') }] : [];
    }),
  );

  add(
    'one-label',
    'at most one shipping label per order: one live for a COMPLETED order, none live for a CANCELLED or FAILED one',
    orders.length,
    orders.flatMap((order) => {
      const live = order.shipments.filter((shipment) => shipment.status !== 'CANCELLED');
      const reasons: string[] = [];
      if (order.shipments.length > 1) reasons.push(`${order.shipments.length} labels`);
      if (order.status === 'COMPLETED' && live.length !== 1) reasons.push(`${live.length} live labels`);
      if (ENDED_STATUSES.includes(order.status) && live.length > 0)
        reasons.push(`label not cancelled (${live.map((shipment) => shipment.status).join(', ')})`);
      return reasons.length ? [{ subject: order.orderId, reason: reasons.join('; ') }] : [];
    }),
  );

  add(
    'one-confirmation',
    'one order confirmation per channel for each COMPLETED order, sent',
    orders.filter((order) => order.status === 'COMPLETED').length,
    orders
      .filter((order) => order.status === 'COMPLETED')
      .flatMap((order) => {
        const perChannel = new Map<string, number>();
        for (const note of order.confirmations)
          perChannel.set(note.channel, (perChannel.get(note.channel) ?? 0) + 1);
        const reasons: string[] = [];
        if (order.confirmations.length === 0) reasons.push('no confirmation');
        for (const [channel, count] of perChannel)
          if (count > 1) reasons.push(`${count} confirmations by ${channel}`);
        if (order.confirmations.length > 0 && !order.confirmations.some((note) => note.status === 'SENT'))
          reasons.push(
            `confirmation never sent (${order.confirmations.map((note) => note.status).join(', ')})`,
          );
        return reasons.length ? [{ subject: order.orderId, reason: reasons.join('; ') }] : [];
      }),
  );

  const expected = snapshot.expectedDeadLetters ?? [];
  const statusOf = new Map(orders.map((order) => [order.orderId, order.status]));
  add(
    'dead-letters',
    'no dead letter the run did not expect',
    snapshot.deadLetters.length,
    snapshot.deadLetters
      .filter((letter) => !expected.some((e) => e.topic === letter.topic && e.errorCode === letter.errorCode))
      .map((letter) => ({
        subject: `${letter.topic}@${letter.partition}:${letter.offset}`,
        reason:
          `${letter.errorCode}${letter.eventName ? ` ${letter.eventName}` : ''}` +
          (letter.orderId
            ? ` order ${letter.orderId} (now ${statusOf.get(letter.orderId) ?? 'unknown'})`
            : '') +
          (letter.message ? `: ${letter.message.slice(0, 160)}` : ''),
      })),
  );

  const crashes = Object.entries(snapshot.crashes ?? {});
  add(
    'no-crash',
    'no process exited on its own: a fault elsewhere is waited out, never a reason to die',
    crashes.length,
    crashes
      .filter(([, count]) => count > 0)
      .map(([name, count]) => ({ subject: name, reason: `exited on its own ${count} time(s)` })),
  );

  const recoveries = recoveryTimes(snapshot.faults, orders);
  add(
    'recovered',
    'after every fault the platform was restored and completed an order again',
    snapshot.faults.length,
    recoveries
      .filter((recovery) => recovery.recoveryMs === null)
      .map((recovery) => ({
        subject: `fault ${recovery.fault.id} ${recovery.fault.kind} ${recovery.fault.target}`,
        reason:
          recovery.fault.endedAt === null
            ? `the suite could not restore it${recovery.fault.detail ? `: ${recovery.fault.detail}` : ''}`
            : 'no order completed after it ended',
      })),
  );
  return results;
}

function sagaDisagreement(order: OrderFacts): Violation[] {
  const workflow = order.workflow;
  const subject = order.orderId;
  if (!workflow) return [{ subject, reason: `no workflow for this ${order.status} order` }];
  const reasons: string[] = [];
  if (ACTIVE_WORKFLOW_STATUSES.includes(workflow.status)) reasons.push(`workflow left ${workflow.status}`);
  if (OPEN_SAGA_STATES.includes(workflow.sagaState)) reasons.push(`saga left ${workflow.sagaState}`);
  if (workflow.sagaState === 'COMPENSATION_FAILED') reasons.push('saga COMPENSATION_FAILED');
  if (order.status === 'COMPLETED' && (workflow.status !== 'COMPLETED' || workflow.sagaState !== 'COMPLETED'))
    reasons.push(`order COMPLETED but workflow ${workflow.status} / saga ${workflow.sagaState}`);
  if (
    order.status === 'CANCELLED' &&
    !(['COMPENSATED', 'CANCELLED'].includes(workflow.status) && workflow.sagaState === 'COMPENSATED')
  )
    reasons.push(`order CANCELLED but workflow ${workflow.status} / saga ${workflow.sagaState}`);
  if (
    order.status === 'FAILED' &&
    !(['COMPENSATED', 'FAILED'].includes(workflow.status) && workflow.sagaState === 'COMPENSATED')
  )
    reasons.push(`order FAILED but workflow ${workflow.status} / saga ${workflow.sagaState}`);
  if (order.status === 'FAILED' && !order.failureReason)
    reasons.push('order FAILED without a failure reason');
  return reasons.length ? [{ subject, reason: [...new Set(reasons)].join('; ') }] : [];
}

export interface Recovery {
  fault: FaultRecord;
  /** From the fault's end to the first order COMPLETED after it; null when none did (or it never ended). */
  recoveryMs: number | null;
}

export function recoveryTimes(faults: FaultRecord[], orders: Pick<OrderFacts, 'completedAt'>[]): Recovery[] {
  const completions = orders
    .map((order) => order.completedAt)
    .filter((at): at is number => at !== null)
    .sort((a, b) => a - b);
  return faults.map((fault) => {
    if (fault.endedAt === null) return { fault, recoveryMs: null };
    const first = completions.find((at) => at >= fault.endedAt!);
    return { fault, recoveryMs: first === undefined ? null : first - fault.endedAt };
  });
}
