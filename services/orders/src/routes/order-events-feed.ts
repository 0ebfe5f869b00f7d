import { badRequest } from '@fv/service-kit';
import type { OrderRow } from '../db/orders-store.js';
import { amountOf, chargedAmountOf } from '../use-cases/order-view.js';

/**
 * The order's live progress as server-sent events, derived from its status history: every row of
 * `order_status_changes` becomes the saga steps that moved the order (`event: step`) followed by the
 * status change itself (`event: status`). Steps and statuses are written in one transaction, so what the
 * history holds is exactly what happened, in order.
 *
 * Each event's id is `<history row id>.<n>` (n counts the events of that row from 1, the status last),
 * so a client that reconnects with `Last-Event-ID` gets precisely the events after it, from any instance.
 */

/** Where the saga stands for the customer: the stream ends (`event: end`) once the order reaches one. */
export const STREAM_FINAL_STATUSES: readonly string[] = [
  'COMPLETED',
  'PARTIALLY_REFUNDED',
  'REFUNDED',
  'CANCELLED',
  'FAILED',
];

export type OrderStep =
  | 'INVENTORY_RESERVED'
  | 'INVENTORY_RESERVATION_FAILED'
  | 'PAYMENT_AUTHORIZED'
  | 'PAYMENT_FAILED'
  | 'SHIPPING_LABEL_CREATED'
  | 'SHIPPING_LABEL_FAILED'
  | 'PAYMENT_CAPTURED'
  | 'PAYMENT_CAPTURE_FAILED';

/** A step and what it produced (the reservation, the amount, the label, or the failure's code and message). */
export interface StepDetails {
  step: OrderStep;
  [detail: string]: unknown;
}

export type StepData = StepDetails & { orderId: string; at: string };

export interface StatusData {
  orderId: string;
  status: string;
  previousStatus: string | null;
  /** What moved the order: ORDER_PLACED, PAYMENT_AUTHORIZED, a failure code, a cancellation reason, ... */
  reason: string | null;
  at: string;
  failure?: { code: string; message: string | null; reason?: string };
  cancellation?: { reason: string; initiatedBy: string | null };
}

export type OrderEvent =
  { id: string; event: 'step'; data: StepData } | { id: string; event: 'status'; data: StatusData };

/** A position in the stream: after event `index` of history row `change` (index 0: before the row). */
export interface Cursor {
  change: bigint;
  index: number;
}

export const START: Cursor = { change: 0n, index: 0 };

const EVENT_ID = /^(\d{1,19})\.(\d{1,2})$/;

/** The cursor a `Last-Event-ID` names; a value this stream never sent is refused (400). */
export function parseLastEventId(value: string | undefined): Cursor {
  if (value === undefined || value.trim() === '') return START;
  const match = EVENT_ID.exec(value.trim());
  if (!match) {
    throw badRequest('Last-Event-ID must be the id of an event of this stream, such as 12.3', {
      fields: [
        { field: 'headers.last-event-id', rule: 'pattern', message: 'must look like <number>.<number>' },
      ],
    });
  }
  return { change: BigInt(match[1]!), index: Number(match[2]) };
}

export function isAfter(id: string, cursor: Cursor): boolean {
  const [change, index] = id.split('.');
  const row = BigInt(change!);
  return row > cursor.change || (row === cursor.change && Number(index) > cursor.index);
}

type Change = OrderRow['history'][number];

/** The saga steps that a status change records, in the order they happened. */
function stepsOf(order: OrderRow, change: Change): StepDetails[] {
  const payment = order.payment;
  const money = payment
    ? { amount: amountOf(payment.amount, payment.currency), currency: payment.currency }
    : { amount: chargedAmountOf(order), currency: order.currency };
  const failure = { code: change.reason ?? order.failureCode, message: order.failureMessage };
  const label = { shipmentId: order.shipmentId, trackingId: order.trackingId, carrier: order.carrier };
  const reserved = { step: 'INVENTORY_RESERVED' as const, reservationId: order.reservationId };
  switch (change.toStatus) {
    case 'CONFIRMED':
      return [reserved, { step: 'PAYMENT_AUTHORIZED', ...money }];
    case 'COMPLETED':
      return [
        { step: 'SHIPPING_LABEL_CREATED', ...label },
        { step: 'PAYMENT_CAPTURED', ...money },
      ];
    case 'INVENTORY_FAILED':
      return [{ step: 'INVENTORY_RESERVATION_FAILED', ...failure }];
    case 'DELIVERY_FAILED':
      return [{ step: 'SHIPPING_LABEL_FAILED', ...failure }];
    case 'PAYMENT_FAILED':
      // Before the payment was authorized the reservation had succeeded; after it, the label had been
      // created and the capture was refused.
      return change.fromStatus === 'PENDING'
        ? [reserved, { step: 'PAYMENT_FAILED', ...failure }]
        : [
            { step: 'SHIPPING_LABEL_CREATED', ...label },
            { step: 'PAYMENT_CAPTURE_FAILED', ...failure },
          ];
    default:
      return [];
  }
}

const FAILURE_STATUSES = new Set(['INVENTORY_FAILED', 'PAYMENT_FAILED', 'DELIVERY_FAILED']);

function statusOf(order: OrderRow, change: Change): StatusData {
  const data: StatusData = {
    orderId: order.id,
    status: change.toStatus,
    previousStatus: change.fromStatus,
    reason: change.reason,
    at: change.createdAt.toISOString(),
  };
  if (FAILURE_STATUSES.has(change.toStatus)) {
    data.failure = { code: change.reason ?? order.failureCode ?? 'UNKNOWN', message: order.failureMessage };
  }
  if (change.toStatus === 'FAILED') {
    data.failure = {
      reason: order.failureReason ?? change.reason ?? 'UNKNOWN',
      code: order.failureCode ?? change.reason ?? 'UNKNOWN',
      message: order.failureMessage,
    };
  }
  if (change.toStatus === 'CANCELLED') {
    data.cancellation = {
      reason: order.cancellationReason ?? change.reason ?? 'UNKNOWN',
      initiatedBy: order.cancelledBy,
    };
  }
  return data;
}

/** Every event of the order's stream so far, oldest first (the order must include its whole history). */
export function orderEvents(order: OrderRow): OrderEvent[] {
  const events: OrderEvent[] = [];
  for (const change of order.history) {
    const at = change.createdAt.toISOString();
    let index = 0;
    for (const step of stepsOf(order, change)) {
      index += 1;
      events.push({ id: `${change.id}.${index}`, event: 'step', data: { ...step, orderId: order.id, at } });
    }
    events.push({ id: `${change.id}.${index + 1}`, event: 'status', data: statusOf(order, change) });
  }
  return events;
}

/** The cursor after an event. */
export function cursorOf(id: string): Cursor {
  const [change, index] = id.split('.');
  return { change: BigInt(change!), index: Number(index) };
}

/** One event in the text/event-stream format. */
export function formatEvent(event: OrderEvent): string {
  return `id: ${event.id}\nevent: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`;
}
