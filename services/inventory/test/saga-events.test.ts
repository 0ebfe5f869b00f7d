import { randomUUID } from 'node:crypto';
import type { EventPayload } from '@fv/contracts';
import { waitFor } from '@fv/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InventoryHarness, newProduct, orderCreated, SERVICE, stock, stockOf } from './harness.js';

let h: InventoryHarness;

beforeAll(async () => {
  h = await InventoryHarness.start('saga', {
    MAX_QUANTITY_PER_ORDER: '50',
    RESERVATION_SWEEP_INTERVAL_MS: '200',
  });
});
afterAll(async () => {
  await h?.stop();
});

function compensation(
  orderId: string,
  parameters: Record<string, string> = {},
  attempt = 1,
): EventPayload<'CompensationRequested'> {
  return {
    sagaId: randomUUID(),
    workflowId: randomUUID(),
    orderId,
    action: 'RELEASE_INVENTORY',
    attempt,
    reason: 'PAYMENT_FAILED',
    parameters,
  };
}

function completed(orderId: string, reservationId: string): EventPayload<'OrderCompleted'> {
  return {
    orderId,
    customerId: randomUUID(),
    customerEmail: null,
    reservationId,
    paymentId: randomUUID(),
    shipmentId: randomUUID(),
    trackingId: 'TRK-1',
    totalAmount: '10.00',
    currency: 'USD',
  };
}

function confirmed(
  orderId: string,
  reservationId: string,
  items: EventPayload<'OrderCreated'>['items'],
): EventPayload<'OrderConfirmed'> {
  const created = orderCreated(orderId, []);
  return {
    orderId,
    customerId: created.customerId,
    customerEmail: null,
    items,
    totalAmount: '10.00',
    currency: 'USD',
    reservationId,
    paymentId: randomUUID(),
    shippingAddress: created.shippingAddress,
    shippingMethod: 'STANDARD',
  };
}

describe('the order saga', () => {
  it('reserves an order, confirms it, and deducts it when the order completes', async () => {
    const [a, b] = [newProduct(), newProduct()];
    await stock(h, a, 'wh-1', 4);
    await stock(h, a, 'wh-2', 6);
    await stock(h, b, 'wh-1', 3);
    const orderId = randomUUID();
    const created = await h.publish(
      'OrderCreated',
      orderCreated(orderId, [
        { productId: a, quantity: 5 },
        { productId: b, quantity: 3, warehouseId: 'wh-1' },
      ]),
      {
        correlationId: orderId,
      },
    );

    const [reserved] = await h.waitForPublished('InventoryReserved', (e) => e.orderId === orderId);
    // Keyed by the order.
    expect(await h.published('InventoryReserved', orderId)).toEqual([reserved]);
    expect(reserved!).toMatchObject({
      correlationId: orderId,
      causationId: created.eventId,
      producer: 'inventory',
    });
    expect(reserved!.items).toEqual(
      [
        { productId: a, warehouseId: 'wh-2', quantity: 5 },
        { productId: b, warehouseId: 'wh-1', quantity: 3 },
      ].sort((x, y) => x.productId.localeCompare(y.productId)),
    );
    expect(await stockOf(h, a)).toMatchObject({ onHand: 10, reserved: 5, available: 5 });
    const { reservationId } = reserved!;

    await h.publish('OrderConfirmed', confirmed(orderId, reservationId, created.items), {
      correlationId: orderId,
    });
    await waitFor(
      async () =>
        (await h.prisma.reservation.findUnique({ where: { id: reservationId } }))?.status === 'CONFIRMED',
      {
        description: 'the reservation to be confirmed',
      },
    );

    await h.publish('OrderCompleted', completed(orderId, reservationId), { correlationId: orderId });
    await waitFor(
      async () =>
        (await h.prisma.reservation.findUnique({ where: { id: reservationId } }))?.status === 'DEDUCTED',
      {
        description: 'the reservation to be deducted',
      },
    );
    expect(await stockOf(h, a)).toMatchObject({ onHand: 5, reserved: 0, available: 5 });
    expect(await stockOf(h, b)).toMatchObject({ onHand: 0, reserved: 0, available: 0 });
    const deducted = await h.waitForPublished(
      'InventoryUpdated',
      (e) => e.productId === b && e.changeReason === 'DEDUCTED',
    );
    expect(deducted[0]!).toMatchObject({
      onHand: 0,
      reserved: 0,
      available: 0,
      totalAvailable: 0,
      correlationId: orderId,
    });

    // A compensation after completion cannot give shipped goods back: REJECTED, nothing changes.
    const late = await h.publish('CompensationRequested', compensation(orderId), { correlationId: orderId });
    const [rejected] = await h.waitForPublished(
      'CompensationOutcome',
      (e) => e.requestEventId === late.eventId,
    );
    expect(rejected!).toMatchObject({
      orderId,
      action: 'RELEASE_INVENTORY',
      outcome: 'REJECTED',
      reasonCode: 'RESERVATION_DEDUCTED',
      causationId: late.eventId,
    });
    expect(h.deadLettered(orderId)).toEqual([]);
    expect(await stockOf(h, b)).toMatchObject({ onHand: 0, reserved: 0 });
  });

  it('fails a reservation naming the short lines and unknown products, and holds nothing', async () => {
    const [a, b] = [newProduct(), newProduct()];
    const unknown = newProduct();
    await stock(h, a, 'wh-1', 10);
    await stock(h, b, 'wh-1', 1);
    const shortOrder = randomUUID();
    await h.publish(
      'OrderCreated',
      orderCreated(shortOrder, [
        { productId: a, quantity: 2 },
        { productId: b, quantity: 2 },
      ]),
      { correlationId: shortOrder },
    );
    const unknownOrder = randomUUID();
    await h.publish(
      'OrderCreated',
      orderCreated(unknownOrder, [
        { productId: a, quantity: 1 },
        { productId: unknown, quantity: 1 },
      ]),
      { correlationId: unknownOrder },
    );
    const zeroOrder = randomUUID();
    await h.publish('OrderCreated', orderCreated(zeroOrder, [{ productId: a, quantity: 0 }]), {
      correlationId: zeroOrder,
    });
    const hugeOrder = randomUUID();
    await h.publish('OrderCreated', orderCreated(hugeOrder, [{ productId: a, quantity: 51 }]), {
      correlationId: hugeOrder,
    });

    const [short] = await h.waitForPublished('InventoryReservationFailed', (e) => e.orderId === shortOrder);
    expect(short!).toMatchObject({
      reason: 'INSUFFICIENT_STOCK',
      unavailableItems: [{ productId: b, requestedQuantity: 2, availableQuantity: 1 }],
    });
    expect(short!.message).toContain(b);
    const [missing] = await h.waitForPublished(
      'InventoryReservationFailed',
      (e) => e.orderId === unknownOrder,
    );
    expect(missing!).toMatchObject({
      reason: 'PRODUCT_NOT_FOUND',
      unavailableItems: [{ productId: unknown, requestedQuantity: 1, availableQuantity: 0 }],
    });
    const [zero] = await h.waitForPublished('InventoryReservationFailed', (e) => e.orderId === zeroOrder);
    expect(zero!.reason).toBe('INVALID_QUANTITY');
    const [huge] = await h.waitForPublished('InventoryReservationFailed', (e) => e.orderId === hugeOrder);
    expect(huge!).toMatchObject({
      reason: 'INVALID_QUANTITY',
      unavailableItems: [{ productId: a, requestedQuantity: 51 }],
    });

    expect(await stockOf(h, a)).toMatchObject({ onHand: 10, reserved: 0 });
    expect(await stockOf(h, b)).toMatchObject({ onHand: 1, reserved: 0 });
    const orders: string[] = [shortOrder, unknownOrder, zeroOrder, hugeOrder];
    expect(await h.published('InventoryReserved', (e) => orders.includes(e.orderId))).toEqual([]);
  });

  it('reserves once when the same OrderCreated arrives twice', async () => {
    const productId = newProduct();
    await stock(h, productId, 'wh-1', 10);
    const orderId = randomUUID();
    const payload = orderCreated(orderId, [{ productId, quantity: 4 }]);
    const eventId = randomUUID();
    await h.publish('OrderCreated', payload, { correlationId: orderId, eventId });
    await h.publish('OrderCreated', payload, { correlationId: orderId, eventId });
    // The same order under a new event id (an upstream retry) does not reserve again either.
    await h.publish('OrderCreated', payload, { correlationId: orderId });
    const marker = randomUUID();
    await h.publish(
      'OrderCreated',
      orderCreated(marker, [{ productId, quantity: 1 }]),
      { correlationId: marker },
      { key: orderId },
    );

    // The marker shares the key, so its partition: once it is answered, the three before it were handled.
    await h.waitForPublished('InventoryReserved', (e) => e.orderId === marker);
    expect(await h.published('InventoryReserved', (e) => e.orderId === orderId)).toHaveLength(1);
    expect(await stockOf(h, productId)).toMatchObject({ onHand: 10, reserved: 5 });
    expect(await h.prisma.reservation.count({ where: { orderId } })).toBe(1);
  });

  it('releases on RELEASE_INVENTORY once, answering every request, and ignores other actions', async () => {
    const productId = newProduct();
    await stock(h, productId, 'wh-1', 5);
    const orderId = randomUUID();
    await h.publish('OrderCreated', orderCreated(orderId, [{ productId, quantity: 5 }]), {
      correlationId: orderId,
    });
    const [reserved] = await h.waitForPublished('InventoryReserved', (e) => e.orderId === orderId);
    const { reservationId } = reserved!;

    await h.publish(
      'CompensationRequested',
      { ...compensation(orderId), action: 'REFUND_PAYMENT' },
      { correlationId: orderId },
    );
    const first = await h.publish('CompensationRequested', compensation(orderId, { reservationId }), {
      correlationId: orderId,
    });
    const [released] = await h.waitForPublished('InventoryReleased', (e) => e.orderId === orderId);
    expect(released!).toMatchObject({
      reservationId,
      reason: 'COMPENSATION',
      causationId: first.eventId,
      items: [{ productId, warehouseId: 'wh-1', quantity: 5 }],
    });
    expect(await stockOf(h, productId)).toMatchObject({ onHand: 5, reserved: 0, available: 5 });

    const second = await h.publish('CompensationRequested', compensation(orderId, {}, 2), {
      correlationId: orderId,
    });
    const answers = await h.waitForPublished('InventoryReleased', (e) => e.orderId === orderId, 2);
    expect(answers[1]!).toMatchObject({
      reservationId,
      reason: 'COMPENSATION',
      causationId: second.eventId,
    });
    expect(await stockOf(h, productId)).toMatchObject({ onHand: 5, reserved: 0, available: 5 });
    expect(await h.prisma.stockMovement.count({ where: { productId, kind: 'RELEASED' } })).toBe(1);
    const outcomes = await h.waitForPublished('CompensationOutcome', (e) => e.orderId === orderId, 2);
    expect(outcomes.map((event) => [event.requestEventId, event.outcome, event.attempt])).toEqual([
      [first.eventId, 'DONE', 1],
      [second.eventId, 'ALREADY_DONE', 2],
    ]);
  });

  it('answers a release for an order it holds nothing for with NOT_APPLICABLE, never a dead letter', async () => {
    const unknownOrder = randomUUID();
    const unknownReservation = randomUUID();
    const byOrder = await h.publish('CompensationRequested', compensation(unknownOrder), {
      correlationId: unknownOrder,
    });
    const byReservation = await h.publish(
      'CompensationRequested',
      compensation(unknownOrder, { reservationId: unknownReservation }, 2),
      { correlationId: unknownOrder },
    );
    const answers = await h.waitForPublished('CompensationOutcome', (e) => e.orderId === unknownOrder, 2);
    expect(answers.map((event) => [event.requestEventId, event.outcome, event.reasonCode])).toEqual([
      [byOrder.eventId, 'NOT_APPLICABLE', 'RESERVATION_NOT_FOUND'],
      [byReservation.eventId, 'NOT_APPLICABLE', 'RESERVATION_NOT_FOUND'],
    ]);
    expect(answers[0]!).toMatchObject({
      sagaId: byOrder.sagaId,
      workflowId: byOrder.workflowId,
      correlationId: unknownOrder,
      causationId: byOrder.eventId,
    });
    expect(h.deadLettered(unknownOrder)).toEqual([]);
    expect(await h.published('InventoryReleased', (e) => e.orderId === unknownOrder)).toEqual([]);
  });

  it('dead-letters events that can never be applied, changing nothing', async () => {
    const productId = newProduct();
    await stock(h, productId, 'wh-1', 5);
    const noLines = randomUUID();
    await h.publish('OrderCreated', orderCreated(noLines, []), { correlationId: noLines });
    const badId = `bad-${randomUUID()}`;
    await h.publish('OrderCreated', orderCreated('not-an-order', [{ productId, quantity: 1 }]), {
      correlationId: badId,
    });
    const unknownReservation = randomUUID();
    await h.publish('OrderCompleted', completed(unknownReservation, randomUUID()), {
      correlationId: unknownReservation,
    });
    const garbage = randomUUID();
    await h.publishRaw('OrderCreated', garbage, Buffer.from('not avro at all'));
    const owner = randomUUID();
    const { reservationId } = await reserveFor(owner, productId, 1, 600);
    const intruder = randomUUID();
    await h.publish('OrderCompleted', completed(intruder, reservationId), { correlationId: intruder });

    for (const key of [noLines, badId, unknownReservation, garbage, intruder]) {
      await waitFor(() => h.deadLettered(key).length === 1, {
        description: `the message keyed ${key} to be dead-lettered`,
      });
    }
    expect(h.deadLettered(noLines)[0]!.headers['dlq-attempts']).toBe('1');
    expect(h.deadLettered(unknownReservation)[0]!.headers['dlq-error-code']).toBe('UNPROCESSABLE_ENTITY');
    expect(h.deadLettered(intruder)[0]!.headers['dlq-error-code']).toBe('CONFLICT');
    expect(await statusOf(reservationId)).toBe('ACTIVE');
    expect(await stockOf(h, productId)).toMatchObject({ onHand: 5, reserved: 1 });
    expect(
      await h.prisma.reservation.count({ where: { orderId: { in: [noLines, unknownReservation] } } }),
    ).toBe(0);
    // The dead-lettered OrderCreated still answers the saga: its reservation step failed.
    const failed = await waitFor(
      async () => {
        const found = await h.published('InventoryReservationFailed', (e) => e.orderId === noLines);
        return found.length > 0 && found;
      },
      { description: 'the reservation failure of the dead-lettered order' },
    );
    expect(failed).toHaveLength(1);
    expect(failed[0]!).toMatchObject({ reason: 'PROCESSING_FAILED', unavailableItems: [] });
    expect(await h.published('InventoryReservationFailed', (e) => e.orderId === 'not-an-order')).toEqual([]);
  });
});

async function reserveFor(orderId: string, productId: string, quantity: number, ttlSeconds: number) {
  const response = await h.app.inject({
    method: 'POST',
    url: '/api/v1/inventory/reserve',
    headers: { authorization: SERVICE },
    payload: { orderId, items: [{ productId, quantity }], ttlSeconds },
  });
  expect(response.statusCode).toBe(201);
  return response.json() as { reservationId: string; items: EventPayload<'OrderCreated'>['items'] };
}

const statusOf = async (reservationId: string) =>
  (await h.prisma.reservation.findUnique({ where: { id: reservationId } }))?.status;

describe('reservation expiry', () => {
  it('releases a reservation that is never confirmed, and leaves a confirmed one alone', async () => {
    const productId = newProduct();
    await stock(h, productId, 'wh-1', 10);
    const [lapsing, confirmedOrder, marker] = [randomUUID(), randomUUID(), randomUUID()];
    const kept = await reserveFor(confirmedOrder, productId, 2, 600);
    await h.publish('OrderConfirmed', confirmed(confirmedOrder, kept.reservationId, []), {
      correlationId: confirmedOrder,
    });
    await waitFor(async () => (await statusOf(kept.reservationId)) === 'CONFIRMED', {
      description: 'the confirmation',
    });
    // Its time is up too, but it is confirmed.
    await h.prisma.reservation.update({
      where: { id: kept.reservationId },
      data: { expiresAt: new Date(Date.now() - 60_000) },
    });
    const dropped = await reserveFor(lapsing, productId, 3, 1);
    // Created last, so once it has been released a sweep has seen every other reservation due.
    const later = await reserveFor(marker, productId, 1, 1);

    const [expired] = await h.waitForPublished('InventoryReleased', (e) => e.orderId === lapsing);
    expect(expired!).toMatchObject({
      reservationId: dropped.reservationId,
      reason: 'EXPIRED',
      correlationId: lapsing,
      causationId: null,
    });
    await h.waitForPublished('InventoryReleased', (e) => e.orderId === marker);
    expect(await statusOf(later.reservationId)).toBe('RELEASED');
    expect(await statusOf(kept.reservationId)).toBe('CONFIRMED');
    expect(await stockOf(h, productId)).toMatchObject({ onHand: 10, reserved: 2, available: 8 });
    expect(await h.published('InventoryReleased', (e) => e.orderId === confirmedOrder)).toEqual([]);
  });

  it('never holds a released reservation again on a late OrderConfirmed: compensated or lapsed', async () => {
    const productId = newProduct();
    await stock(h, productId, 'wh-1', 10);
    const [compensated, lapsed] = [randomUUID(), randomUUID()];
    const kept = await reserveFor(compensated, productId, 2, 600);
    const lapsing = await reserveFor(lapsed, productId, 3, 1);
    // The first confirmation holds the reservation; the compensation releases it on purpose.
    const confirmation = confirmed(compensated, kept.reservationId, []);
    const confirmationId = randomUUID();
    await h.publish('OrderConfirmed', confirmation, { correlationId: compensated, eventId: confirmationId });
    await waitFor(async () => (await statusOf(kept.reservationId)) === 'CONFIRMED', {
      description: 'the confirmation',
    });
    await h.publish(
      'CompensationRequested',
      compensation(compensated, { reservationId: kept.reservationId }),
      {
        correlationId: compensated,
      },
    );
    await h.waitForPublished('InventoryReleased', (e) => e.orderId === compensated);
    await h.waitForPublished('InventoryReleased', (e) => e.orderId === lapsed && e.reason === 'EXPIRED');
    expect(await stockOf(h, productId)).toMatchObject({ onHand: 10, reserved: 0, available: 10 });

    // Late confirmations: the order service published it again, and one came after the expiry.
    const again = await h.publish('OrderConfirmed', confirmation, { correlationId: compensated });
    await h.publish('OrderConfirmed', confirmed(lapsed, lapsing.reservationId, []), {
      correlationId: lapsed,
    });
    const [failed] = await h.waitForPublished('InventoryReservationFailed', (e) => e.orderId === lapsed);
    expect(failed!).toMatchObject({
      reason: 'RESERVATION_EXPIRED',
      unavailableItems: [{ productId, requestedQuantity: 3, availableQuantity: 0 }],
    });
    await waitFor(
      async () => (await h.prisma.processedEvent.count({ where: { eventId: again.eventId } })) === 1,
      {
        description: 'the repeated confirmation to be applied',
      },
    );
    expect(await statusOf(kept.reservationId)).toBe('RELEASED');
    expect(await statusOf(lapsing.reservationId)).toBe('RELEASED');
    expect(await stockOf(h, productId)).toMatchObject({ onHand: 10, reserved: 0, available: 10 });
    expect(await h.prisma.stockMovement.count({ where: { productId, kind: 'RESERVED' } })).toBe(2);
    expect(await h.published('InventoryReservationFailed', (e) => e.orderId === compensated)).toEqual([]);
  });
});
