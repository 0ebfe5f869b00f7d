/**
 * The judge: pure checks over what the platform shows after the run. Each invariant lists its violations,
 * each naming the order (or product, topic, fault) and why.
 */

import type { PlannedCoupon } from './load.js';

/** Order statuses after which the saga is done with the order (services/orders/src/domain/order-status.ts). */
export const FINAL_ORDER_STATUSES = [
  'COMPLETED',
  'CANCELLED',
  'FAILED',
  'PARTIALLY_REFUNDED',
  'REFUNDED',
] as const;
/** Shipped: COMPLETED, and where a COMPLETED order goes when (part of) it is returned and refunded. */
const SHIPPED_STATUSES = ['COMPLETED', 'PARTIALLY_REFUNDED', 'REFUNDED'];
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
  /** Amount captured and amount refunded, in minor units (cents), when known. */
  capturedMinor?: number | null;
  refundedMinor?: number | null;
  /** Refund operations on the payment, when the ledger was read. */
  refunds?: number | null;
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
  /** The failure's code (PAYMENT_DECLINED, COUPON_USAGE_LIMIT_REACHED, …); null when none. */
  failureCode?: string | null;
  /** The promotion code the storefront sent, and what its terms should give; null: none. */
  coupon?: PlannedCoupon | null;
  /** The code the order service holds for the order, and the discount it applied (minor units; null: none). */
  couponCode?: string | null;
  discountMinor?: number | null;
  /** The total less the discount: what the payment is for (minor units). */
  chargedMinor?: number;
  /** How many payment methods the storefront paid with (2 for a split payment); null when unknown. */
  parts?: number | null;
  /** Null: no workflow known to the coordination service. */
  workflow: WorkflowFacts | null;
  /** Null: nothing to read (no payment record). */
  payment: PaymentFacts | null;
  shipments: { shipmentId: string; status: string }[];
  /** Order-confirmation notifications (template `order-confirmed`). */
  confirmations: { channel: string; status: string }[];
  /** The storefront returned (and the warehouse received) every unit of the order, or some; null: not returned. */
  returned?: 'FULL' | 'PARTIAL' | null;
}

export interface WorkflowView {
  type: string;
  status: string;
}

/** One return the storefront made of a delivered order, and what the platform did with it. */
export interface ReturnFacts {
  orderId: string;
  /** Null: the return was never requested (the storefront gave up; see lastError). */
  returnId: string | null;
  /** Every unit of the order came back. */
  full: boolean;
  /** The units returned. */
  lines: { productId: string; quantity: number }[];
  /** What the returned lines cost on the order (unit price × quantity), in minor units. */
  expectedMinor: number;
  /** The warehouse received it (ReturnReceived was published). */
  received: boolean;
  lastError: string | null;
  orderStatus: string;
  /** The order's refunds for a received return (reason RETURN_RECEIVED), in minor units. */
  refundsMinor: number[];
  /** The order's payment: captured, refunded in all (minor units), refund operations in the provider's ledger. */
  payment: PaymentFacts | null;
  /** How many payment methods paid the order (each may take a share of the refund); null when unknown. */
  parts?: number | null;
  /** RETURN adjustments in the inventory's movements referencing the return. */
  restocks: { productId: string; quantity: number }[];
  workflow: WorkflowView | null;
  /** The customer's `return-refunded` notifications. */
  notices: { channel: string; status: string }[];
}

/** One replenishment inventory opened, and what the supplier and the coordination service show of it. */
export interface ReplenishmentFacts {
  replenishmentId: string;
  productId: string;
  warehouseId: string;
  /** REQUESTED, ORDERED, CONFIRMED, RECEIVED or FAILED. */
  status: string;
  quantity: number;
  purchaseOrderId: string | null;
  failureReason: string | null;
  /** Purchase orders the supplier holds with the replenishment as reference; null when it could not be read. */
  purchaseOrders: number | null;
  /** RESTOCK adjustments in the inventory's movements referencing its purchase order (units each). */
  restocks: number[];
  workflow: WorkflowView | null;
}

/** One of the run's promotion codes as the order service holds it. */
export interface CouponFacts {
  code: string;
  usageLimit: number | null;
  /** Uses held by orders now; null when the order service does not know the code. */
  uses: number | null;
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
  /** The returns the storefront made (none: the mix had no returns). */
  returns?: ReturnFacts[];
  /** Every replenishment of the run's products, and how many locations the run configured for replenishment. */
  replenishments?: ReplenishmentFacts[];
  replenishedLocations?: number;
  /** The run's promotion codes (none: the mix had no coupons). */
  coupons?: CouponFacts[];
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

/** Went through COMPLETED (shipped): returns and refunds may have moved it on since. */
export const wasShipped = (order: Pick<OrderFacts, 'status' | 'history'>) =>
  SHIPPED_STATUSES.includes(order.status) || order.history.includes('COMPLETED');

/** Where a shipped order rests: COMPLETED, or after a refunded return REFUNDED (all of it) or PARTIALLY_REFUNDED. */
function shippedStatus(order: Pick<OrderFacts, 'returned'>): string {
  if (order.returned === 'FULL') return 'REFUNDED';
  if (order.returned === 'PARTIAL') return 'PARTIALLY_REFUNDED';
  return 'COMPLETED';
}

/** An end an order may rightly reach: its status, and for a failure its reason and code. */
interface End {
  status: string;
  reason?: string;
  code?: string;
}

/** The ends the order's card and coupon allow it, stock being ample. */
export function expectedEnds(order: Pick<OrderFacts, 'card' | 'coupon' | 'returned'>): End[] {
  const coupon = order.coupon ?? null;
  if (coupon?.rejection) return [{ status: 'FAILED', reason: 'COUPON_REJECTED', code: coupon.rejection }];
  const ends: End[] = isDeclined(order.card)
    ? [{ status: 'FAILED', reason: 'PAYMENT_FAILED' }]
    : [{ status: shippedStatus(order) }];
  // Others may have taken the last uses of a limited code first (the coupon step comes before the payment).
  if (coupon?.limited)
    ends.push({ status: 'FAILED', reason: 'COUPON_REJECTED', code: 'COUPON_USAGE_LIMIT_REACHED' });
  return ends;
}

function endMatches(order: OrderFacts, end: End): boolean {
  return (
    order.status === end.status &&
    (end.reason === undefined || order.failureReason === end.reason) &&
    (end.code === undefined || order.failureCode === end.code)
  );
}

const describeEnd = (end: End) =>
  `${end.status}${end.reason ? ` with reason ${end.reason}` : ''}${end.code ? ` (${end.code})` : ''}`;

/** A decimal amount ("12.30") in minor units. */
export function toMinor(amount: string | number): number {
  return Math.round(Number(amount) * 100);
}
/** Minor units as a decimal amount ("12.30"). */
export const money = (minor: number) => (minor / 100).toFixed(2);

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
    'approved cards completed (refunded, in part or in full, when returned), declined cards failed with PAYMENT_FAILED, coupons refused by their terms (or at their limit) failed with COUPON_REJECTED (stock is ample)',
    orders.filter((order) => order.card !== null).length,
    orders.flatMap((order) => {
      if (order.card === null || !isFinalStatus(order.status)) return [];
      const ends = expectedEnds(order);
      if (ends.some((end) => endMatches(order, end))) return [];
      const detail =
        order.status === 'FAILED'
          ? ` with reason ${order.failureReason ?? 'none'}${order.failureCode ? ` (${order.failureCode})` : ''}`
          : order.reason
            ? ` (${order.reason})`
            : '';
      const paidWith = order.coupon ? `${order.card} with coupon ${order.coupon.code}` : order.card;
      return [
        {
          subject: order.orderId,
          reason: `${paidWith} ended ${order.status}${detail}, expected ${ends.map(describeEnd).join(' or ')}`,
        },
      ];
    }),
  );

  add(
    'saga-agrees',
    'the saga agrees with the order: COMPLETED (or refunded after a return) ↔ COMPLETED; CANCELLED ↔ COMPENSATED/CANCELLED; FAILED (with a reason) ↔ COMPENSATED/FAILED; none left open',
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
        if (order.status !== shippedStatus(order))
          reasons.push(
            `the order went on to ${order.status}${order.returned ? ` (returned ${order.returned === 'FULL' ? 'in full' : 'in part'}, expected ${shippedStatus(order)})` : ''}`,
          );
        return reasons.length ? [{ subject: order.orderId, reason: reasons.join('; ') }] : [];
      }),
  );

  const sold = new Map<string, number>();
  for (const order of orders) {
    if (!wasShipped(order)) continue;
    for (const line of order.lines) sold.set(line.productId, (sold.get(line.productId) ?? 0) + line.quantity);
  }
  // Units back in stock: a received return's units (once), a received replenishment's quantity (once).
  const returnedUnits = new Map<string, number>();
  for (const given of snapshot.returns ?? []) {
    if (!given.received) continue;
    for (const line of given.lines)
      returnedUnits.set(line.productId, (returnedUnits.get(line.productId) ?? 0) + line.quantity);
  }
  const restockedUnits = new Map<string, number>();
  for (const r of snapshot.replenishments ?? [])
    if (r.status === 'RECEIVED')
      restockedUnits.set(r.productId, (restockedUnits.get(r.productId) ?? 0) + r.quantity);
  add(
    'stock-conserved',
    'per product, on hand = initial − units of shipped orders + units of received returns + received replenishments; nothing left reserved',
    snapshot.stock.length,
    snapshot.stock.flatMap((product) => {
      const reasons: string[] = [];
      const out = sold.get(product.productId) ?? 0;
      const back = returnedUnits.get(product.productId) ?? 0;
      const restocked = restockedUnits.get(product.productId) ?? 0;
      const expected = product.initialOnHand - out + back + restocked;
      if (product.onHand !== expected)
        reasons.push(
          `on hand ${product.onHand}, expected ${expected} (${product.initialOnHand} − ${out} sold${back ? ` + ${back} returned` : ''}${restocked ? ` + ${restocked} replenished` : ''}): ` +
            (back || restocked
              ? product.onHand > expected
                ? 'more than accounted for (units not deducted, or a restock applied twice)'
                : 'less than accounted for (units deducted for orders that did not complete, or a restock missing)'
              : product.onHand > expected
                ? 'units not deducted'
                : 'units deducted for orders that did not complete'),
        );
      if (product.reserved !== 0) reasons.push(`${product.reserved} units still reserved`);
      return reasons.length ? [{ subject: product.sku, reason: reasons.join('; ') }] : [];
    }),
  );

  add(
    'one-capture',
    'one capture per payment method of a shipped order (two for a split payment), none kept for a CANCELLED or FAILED one, at most one authorization per payment method',
    orders.length,
    orders.flatMap((order) => {
      const payment = order.payment;
      const reasons: string[] = [];
      const captures = payment?.captures ?? 0;
      const parts = order.parts ?? 1;
      const paidWith = parts > 1 ? ` paid with ${parts} payment methods` : '';
      if (SHIPPED_STATUSES.includes(order.status) && captures !== parts)
        reasons.push(`${captures} captures for a ${order.status} order${paidWith}`);
      if (ENDED_STATUSES.includes(order.status) && captures > 0)
        reasons.push(
          `${captures} capture(s) for a ${order.status} order${payment?.returned ? ' (refunded since)' : ''}`,
        );
      if (payment && payment.authorizations > parts)
        reasons.push(`${payment.authorizations} authorizations${paidWith}`);
      return reasons.length ? [{ subject: order.orderId, reason: reasons.join('; ') }] : [];
    }),
  );

  const shipped = orders.filter((order) => SHIPPED_STATUSES.includes(order.status));
  add(
    'charged',
    "each shipped order captured for its total less its coupon's discount, the discount its coupon's terms give; no discount without a coupon",
    shipped.length,
    shipped.flatMap((order) => {
      const reasons: string[] = [];
      const captured = order.payment?.capturedMinor;
      const discount = order.discountMinor ?? 0;
      if (
        order.chargedMinor !== undefined &&
        captured !== null &&
        captured !== undefined &&
        captured !== order.chargedMinor
      )
        reasons.push(`captured ${money(captured)}, the order is charged ${money(order.chargedMinor)}`);
      const coupon = order.coupon ?? null;
      if (coupon && discount !== coupon.discountMinor)
        reasons.push(
          `discount ${money(discount)} with coupon ${coupon.code}, whose terms give ${money(coupon.discountMinor)}`,
        );
      if (!coupon && order.key !== null && discount !== 0)
        reasons.push(`discount ${money(discount)} without a coupon`);
      return reasons.length ? [{ subject: order.orderId, reason: reasons.join('; ') }] : [];
    }),
  );

  checkCoupons(snapshot.coupons ?? [], orders, add);

  add(
    'one-label',
    'at most one shipping label per order: one live for a shipped order, none live for a CANCELLED or FAILED one',
    orders.length,
    orders.flatMap((order) => {
      const live = order.shipments.filter((shipment) => shipment.status !== 'CANCELLED');
      const reasons: string[] = [];
      if (order.shipments.length > 1) reasons.push(`${order.shipments.length} labels`);
      if (SHIPPED_STATUSES.includes(order.status) && live.length !== 1)
        reasons.push(`${live.length} live labels`);
      if (ENDED_STATUSES.includes(order.status) && live.length > 0)
        reasons.push(`label not cancelled (${live.map((shipment) => shipment.status).join(', ')})`);
      return reasons.length ? [{ subject: order.orderId, reason: reasons.join('; ') }] : [];
    }),
  );

  add(
    'one-confirmation',
    'one order confirmation per channel for each shipped order, sent',
    orders.filter((order) => SHIPPED_STATUSES.includes(order.status)).length,
    orders
      .filter((order) => SHIPPED_STATUSES.includes(order.status))
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

  checkReturns(snapshot.returns ?? [], add);
  checkReplenishments(snapshot.replenishments ?? [], snapshot.replenishedLocations ?? 0, add);

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
  if (
    SHIPPED_STATUSES.includes(order.status) &&
    (workflow.status !== 'COMPLETED' || workflow.sagaState !== 'COMPLETED')
  )
    reasons.push(`order ${order.status} but workflow ${workflow.status} / saga ${workflow.sagaState}`);
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

type Add = (id: string, title: string, checked: number, violations: Violation[]) => void;

/** Each coupon: its uses held by exactly the shipped orders carrying it (failures gave theirs back), within its limit. */
function checkCoupons(coupons: CouponFacts[], orders: OrderFacts[], add: Add): void {
  add(
    'coupon-uses',
    'each coupon used once per shipped order carrying it (a failed order gave its use back), never beyond its usage limit',
    coupons.length,
    coupons.flatMap((coupon) => {
      if (coupon.uses === null)
        return [{ subject: coupon.code, reason: 'the order service does not know it' }];
      const carrying = orders.filter((order) => order.coupon?.code === coupon.code);
      const holders = carrying.filter((order) => wasShipped(order)).length;
      const reasons: string[] = [];
      if (coupon.uses !== holders)
        reasons.push(
          `${coupon.uses} uses held, ${holders} shipped orders carry it (${carrying.length} tried it)${coupon.uses > holders ? ': a failed order kept its use' : ': a shipped order holds none'}`,
        );
      if (coupon.usageLimit !== null && Math.max(coupon.uses, holders) > coupon.usageLimit)
        reasons.push(`used ${Math.max(coupon.uses, holders)} times, its limit is ${coupon.usageLimit}`);
      return reasons.length ? [{ subject: coupon.code, reason: reasons.join('; ') }] : [];
    }),
  );
}

/** Each return received by a warehouse: refunded once for its lines, restocked once, its workflow COMPLETED. */
function checkReturns(returns: ReturnFacts[], add: Add): void {
  const received = returns.filter((given) => given.received);
  add(
    'return-refunded',
    'each received return refunded exactly once, for the price of its returned lines, never more than was captured',
    received.length,
    received.flatMap((given) => {
      const reasons: string[] = [];
      const refunds = given.refundsMinor;
      if (refunds.length !== 1)
        reasons.push(
          `${refunds.length} refunds for the return${refunds.length ? ` (${refunds.map(money).join(', ')})` : ''}`,
        );
      else if (refunds[0] !== given.expectedMinor)
        reasons.push(`refunded ${money(refunds[0]!)}, the returned lines cost ${money(given.expectedMinor)}`);
      const payment = given.payment;
      // A split payment's refund may be shared by its payment methods: one operation each at the most.
      const parts = given.parts ?? 1;
      if (
        payment?.refunds !== null &&
        payment?.refunds !== undefined &&
        (payment.refunds < 1 || payment.refunds > parts)
      )
        reasons.push(
          `${payment.refunds} refund operations in the payment provider's ledger${parts > 1 ? ` for ${parts} payment methods` : ''}`,
        );
      if (
        payment?.capturedMinor !== null &&
        payment?.capturedMinor !== undefined &&
        payment.refundedMinor !== null &&
        payment.refundedMinor !== undefined &&
        payment.refundedMinor > payment.capturedMinor
      )
        reasons.push(`refunded ${money(payment.refundedMinor)} of ${money(payment.capturedMinor)} captured`);
      const status = given.full ? 'REFUNDED' : 'PARTIALLY_REFUNDED';
      if (given.orderStatus !== status)
        reasons.push(
          `order ${given.orderStatus} after a ${given.full ? 'full' : 'partial'} return, expected ${status}`,
        );
      return reasons.length
        ? [{ subject: `return ${given.returnId} of order ${given.orderId}`, reason: reasons.join('; ') }]
        : [];
    }),
  );

  add(
    'return-restocked',
    'the units of each received return put back in stock exactly once (RETURN adjustments)',
    received.length,
    received.flatMap((given) => {
      const reasons: string[] = [];
      const wanted = totals(given.lines);
      const adjustments = new Map<string, number[]>();
      for (const restock of given.restocks)
        adjustments.set(restock.productId, [...(adjustments.get(restock.productId) ?? []), restock.quantity]);
      for (const [productId, quantity] of wanted) {
        const found = adjustments.get(productId) ?? [];
        if (found.length !== 1) reasons.push(`${found.length} RETURN adjustments of product ${productId}`);
        else if (found[0] !== quantity)
          reasons.push(`product ${productId} restocked ${found[0]} units, ${quantity} returned`);
      }
      for (const productId of adjustments.keys())
        if (!wanted.has(productId)) reasons.push(`product ${productId} restocked but not returned`);
      return reasons.length ? [{ subject: `return ${given.returnId}`, reason: reasons.join('; ') }] : [];
    }),
  );

  add(
    'return-workflow',
    'every return requested and received; its RETURN_PROCESSING workflow COMPLETED; the customer told once per channel',
    returns.length,
    returns.flatMap((given) => {
      const subject = given.returnId ? `return ${given.returnId}` : `order ${given.orderId}`;
      if (!given.returnId || !given.received)
        return [
          {
            subject,
            reason: `the storefront could not ${given.returnId ? 'have it received' : 'request the return'} (${given.lastError ?? 'no answer'})`,
          },
        ];
      const reasons: string[] = [];
      const workflow = given.workflow;
      if (!workflow) reasons.push('no workflow for the return');
      else {
        if (workflow.type !== 'RETURN_PROCESSING') reasons.push(`workflow of type ${workflow.type}`);
        if (workflow.status !== 'COMPLETED') reasons.push(`workflow ${workflow.status}`);
      }
      const perChannel = new Map<string, number>();
      for (const notice of given.notices)
        perChannel.set(notice.channel, (perChannel.get(notice.channel) ?? 0) + 1);
      if (given.notices.length === 0) reasons.push('no return-refunded notification');
      for (const [channel, count] of perChannel)
        if (count > 1) reasons.push(`${count} return-refunded notifications by ${channel}`);
      if (given.notices.length > 0 && !given.notices.some((notice) => notice.status === 'SENT'))
        reasons.push(
          `return-refunded never sent (${given.notices.map((notice) => notice.status).join(', ')})`,
        );
      return reasons.length ? [{ subject, reason: reasons.join('; ') }] : [];
    }),
  );
}

const OPEN_REPLENISHMENT_STATUSES = ['REQUESTED', 'ORDERED', 'CONFIRMED'];

/** Each replenishment: one purchase order at most, received at most once; its workflow ended, agreeing. */
function checkReplenishments(replenishments: ReplenishmentFacts[], configured: number, add: Add): void {
  add(
    'replenishment-once',
    'each replenishment placed at most one purchase order and received it at most once (one RESTOCK of its quantity when RECEIVED, none otherwise)',
    replenishments.length,
    replenishments.flatMap((r) => {
      const reasons: string[] = [];
      if (r.purchaseOrders !== null && r.purchaseOrders > 1)
        reasons.push(`${r.purchaseOrders} purchase orders at the supplier`);
      if (r.status === 'RECEIVED') {
        if (r.restocks.length !== 1)
          reasons.push(`${r.restocks.length} RESTOCK adjustments for a RECEIVED replenishment`);
        else if (r.restocks[0] !== r.quantity)
          reasons.push(`restocked ${r.restocks[0]} units, ${r.quantity} ordered`);
        if (r.purchaseOrders === 0) reasons.push('received, but the supplier holds no purchase order for it');
      } else if (r.restocks.length > 0)
        reasons.push(`${r.restocks.length} RESTOCK adjustment(s) for a ${r.status} replenishment`);
      return reasons.length
        ? [
            {
              subject: `replenishment ${r.replenishmentId} (${r.productId}@${r.warehouseId})`,
              reason: reasons.join('; '),
            },
          ]
        : [];
    }),
  );

  const violations: Violation[] = [];
  if (configured > 0 && replenishments.length === 0)
    violations.push({
      subject: `${configured} replenished location(s)`,
      reason:
        'no replenishment was ever opened: the load did not drive a configured location under its threshold',
    });
  const openPerLocation = new Map<string, number>();
  for (const r of replenishments) {
    const subject = `replenishment ${r.replenishmentId} (${r.productId}@${r.warehouseId})`;
    const reasons: string[] = [];
    if (OPEN_REPLENISHMENT_STATUSES.includes(r.status)) {
      reasons.push(`left ${r.status}`);
      const location = `${r.productId}@${r.warehouseId}`;
      openPerLocation.set(location, (openPerLocation.get(location) ?? 0) + 1);
    }
    if (r.status === 'FAILED' && !r.failureReason) reasons.push('FAILED without a reason');
    const workflow = r.workflow;
    if (!workflow) reasons.push('no workflow');
    else {
      if (workflow.type !== 'INVENTORY_REPLENISHMENT') reasons.push(`workflow of type ${workflow.type}`);
      const expected = r.status === 'RECEIVED' ? ['COMPLETED'] : r.status === 'FAILED' ? ['FAILED'] : [];
      if (!expected.includes(workflow.status))
        reasons.push(
          `workflow ${workflow.status} for a ${r.status} replenishment${expected.length ? `, expected ${expected.join(' or ')}` : ''}`,
        );
    }
    if (reasons.length) violations.push({ subject, reason: reasons.join('; ') });
  }
  for (const [location, open] of openPerLocation)
    if (open > 1) violations.push({ subject: location, reason: `${open} replenishments open at once` });
  add(
    'replenishment-workflow',
    'every replenishment ended RECEIVED with its INVENTORY_REPLENISHMENT workflow COMPLETED, or FAILED with a reason and its workflow FAILED; none stuck',
    replenishments.length,
    violations,
  );
}

function totals(lines: { productId: string; quantity: number }[]): Map<string, number> {
  const sums = new Map<string, number>();
  for (const line of lines) sums.set(line.productId, (sums.get(line.productId) ?? 0) + line.quantity);
  return sums;
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
