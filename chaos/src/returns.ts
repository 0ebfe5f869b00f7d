import { callSteadily } from './http.js';
import type { OrderLine, PlacedOrder } from './load.js';
import { surelyShips } from './load.js';
import type { Prng } from '@fv/testing';
import { sleep } from './supervisor.js';

/** The warehouse the load's stock is in, and where returned goods are received. */
export const RETURN_WAREHOUSE = 'wh-001';

/** One return the storefront makes of a delivered order: every unit, or some. */
export interface PlannedReturn {
  /** The order's position in the load (PlacedOrder.index). */
  orderIndex: number;
  full: boolean;
  lines: OrderLine[];
  orderId: string | null;
  returnId: string | null;
  /** The warehouse received it (POST /returns/{id}/receive answered, now or before). */
  received: boolean;
  lastError: string | null;
}

/**
 * Which orders are returned, and what of them. Pure, from the seed: a `share` of the orders sure to ship
 * (`surelyShips`); about half of them partly (one of two lines, or all but one unit of a single line).
 */
export function planReturns(orders: PlacedOrder[], share: number, random: Prng): PlannedReturn[] {
  const planned: PlannedReturn[] = [];
  for (const order of orders) {
    // Drawn for every order, so the same seed picks the same orders whatever the share.
    const draw = random.next();
    const partly = random.next() < 0.5;
    if (!surelyShips(order) || draw >= share) continue;
    let lines = order.lines.map((line) => ({ ...line }));
    let full = true;
    if (partly && lines.length > 1) {
      lines = lines.slice(0, 1);
      full = false;
    } else if (partly && lines[0]!.quantity > 1) {
      lines = [{ productId: lines[0]!.productId, quantity: lines[0]!.quantity - 1 }];
      full = false;
    }
    planned.push({
      orderIndex: order.index,
      full,
      lines,
      orderId: null,
      returnId: null,
      received: false,
      lastError: null,
    });
  }
  return planned;
}

export interface ReturnDriverOptions {
  ordersUrl: string;
  deliveryUrl: string;
  /**
   * The carrier's and the warehouse's token (an admin of its own: the services limit requests per token
   * subject, and the suite's observer must keep its allowance for the checks).
   */
  carrier: string;
  customerToken: (customerId: string) => string;
  /** How long one return may take from its order's acceptance (completion, delivery, request, receipt). */
  deadlineMs: number;
}

interface ShipmentView {
  shipmentId: string;
  status: string;
}

/**
 * Takes one accepted order through its return as a storefront and a warehouse would: waits for the order
 * to complete, carries its parcel to the customer (DISPATCHED, IN_TRANSIT, DELIVERED), requests the
 * return as the customer (with an idempotency key) and records its receipt at the warehouse, every
 * returned item RESELLABLE. Faults are waited out: each call is repeated until it is answered for good.
 */
export async function driveReturn(
  options: ReturnDriverOptions,
  order: PlacedOrder,
  planned: PlannedReturn,
): Promise<void> {
  const deadline = Date.now() + options.deadlineMs;
  // Each call is repeated through outages until the return's deadline.
  const steady = {
    get timeoutMs() {
      return Math.max(1, deadline - Date.now());
    },
  };
  planned.orderId = order.orderId;
  try {
    // 1. The order completes (a label exists once it has), as the customer sees it: polled as the
    //    customer, every 2 s (each caller has an hourly allowance of requests).
    const customer = options.customerToken(order.customerId);
    for (;;) {
      const found = await callSteadily<{ status: string }>(
        'GET',
        `${options.ordersUrl}/api/v1/orders/${order.orderId}/status`,
        customer,
        { timeoutMs: steady.timeoutMs },
      );
      if (found.status === 200 && found.body.status === 'COMPLETED') break;
      if (found.status === 200 && ['CANCELLED', 'FAILED'].includes(found.body.status))
        throw new Error(`the order ended ${found.body.status}: nothing to return`);
      if (Date.now() > deadline)
        throw new Error(`the order was still ${found.body.status} at the deadline (answer ${found.status})`);
      await sleep(2000);
    }
    // 2. Its parcel is carried to the customer.
    let shipment: ShipmentView | undefined;
    while (!shipment) {
      const listed = await callSteadily<{ content: ShipmentView[] }>(
        'GET',
        `${options.deliveryUrl}/api/v1/shipments?orderId=${order.orderId}&size=10`,
        options.carrier,
        { timeoutMs: steady.timeoutMs },
      );
      shipment = listed.body.content?.find((found) => found.status !== 'CANCELLED');
      if (!shipment) {
        if (Date.now() > deadline) throw new Error('no live shipment for the completed order');
        await sleep(2000);
      }
    }
    const shipmentUrl = `${options.deliveryUrl}/api/v1/shipments/${shipment.shipmentId}`;
    for (let status = shipment.status; status !== 'DELIVERED';) {
      if (Date.now() > deadline) throw new Error(`the shipment was still ${status} at the deadline`);
      const moved =
        status === 'IN_TRANSIT'
          ? await callSteadily('POST', `${shipmentUrl}/delivery-confirmation`, options.carrier, {
              timeoutMs: steady.timeoutMs,
              body: { signedBy: 'Ada Lovelace' },
            })
          : await callSteadily('POST', `${shipmentUrl}/tracking-events`, options.carrier, {
              timeoutMs: steady.timeoutMs,
              body: {
                status: status === 'LABEL_CREATED' ? 'DISPATCHED' : 'IN_TRANSIT',
                occurredAt: new Date().toISOString(),
              },
            });
      // A refusal (422) means an earlier attempt went through: the shipment is read again either way.
      if (moved.status >= 400 && moved.status !== 422)
        throw new Error(`moving the shipment from ${status} answered ${moved.status}`);
      const read = await callSteadily<ShipmentView>('GET', shipmentUrl, options.carrier, {
        timeoutMs: steady.timeoutMs,
      });
      status = read.body.status;
      if (status === 'CANCELLED') throw new Error('the shipment was cancelled');
    }
    // 3. The customer asks for the return (one return per key, however often the request is sent).
    type Answer = { returnId?: string; error?: { code?: string; details?: { reason?: string } } };
    let requested: { status: number; body: Answer };
    for (;;) {
      requested = await callSteadily<Answer>('POST', `${options.deliveryUrl}/api/v1/returns`, customer, {
        timeoutMs: steady.timeoutMs,
        body: { shipmentId: shipment.shipmentId, reason: 'NO_LONGER_NEEDED', items: planned.lines },
        headers: { 'x-idempotency-key': `${order.key}-return` },
      });
      // 409: the same key is still being answered (an earlier attempt in flight); asked again shortly.
      if (requested.status !== 409 || Date.now() > deadline) break;
      await sleep(1000);
    }
    if (![200, 201].includes(requested.status) || !requested.body.returnId)
      throw new Error(
        `POST /returns answered ${requested.status} ${requested.body.error?.details?.reason ?? JSON.stringify(requested.body).slice(0, 200)}`,
      );
    planned.returnId = requested.body.returnId;
    // 4. The warehouse receives it; a receipt recorded by an earlier attempt is 422 RETURN_ALREADY_RECEIVED.
    const productIds = [...new Set(planned.lines.map((line) => line.productId))];
    const received = await callSteadily<Answer>(
      'POST',
      `${options.deliveryUrl}/api/v1/returns/${planned.returnId}/receive`,
      options.carrier,
      {
        timeoutMs: steady.timeoutMs,
        body: {
          warehouseId: RETURN_WAREHOUSE,
          items: productIds.map((productId) => ({ productId, condition: 'RESELLABLE' })),
        },
      },
    );
    const reason = received.body?.error?.details?.reason;
    if (received.status !== 200 && reason !== 'RETURN_ALREADY_RECEIVED')
      throw new Error(`receiving the return answered ${received.status} ${reason ?? ''}`.trim());
    planned.received = true;
    planned.lastError = null;
  } catch (error) {
    planned.lastError = (error as Error).message;
  }
}
