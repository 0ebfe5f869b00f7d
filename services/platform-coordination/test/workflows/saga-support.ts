import { randomUUID } from 'node:crypto';
import { topicOf, type EventMap, type EventName, type EventPayload } from '@fv/contracts';
import { EventCodec, createKafka } from '@fv/messaging';
import { createLogger } from '@fv/service-kit';
import { startGroupAtEnd, uniqueName, waitFor, type TestDatabase } from '@fv/testing';
import type { Kafka, Producer } from 'kafkajs';
import { observedEvents } from '../../src/workflows/on-platform-event.js';
import type { CoordinationRuntime } from '../../src/runtime.js';
import type { CoordinationOptions } from '../../src/service.js';
import type { WorkflowService } from '../../src/workflows/workflow-service.js';

/** GET /workflows/{id}/status, as the service builds it. */
export type StatusBody = Awaited<ReturnType<WorkflowService['status']>>;
import { admin, startCoordination, type DecodedEvents } from '../support.js';

export const kafka: Kafka = createKafka({
  clientId: uniqueName('saga-test'),
  brokers: process.env.KAFKA_BROKERS!,
  logger: createLogger({ service: 'test', version: '0', level: 'fatal' }),
});
const codec = new EventCodec(process.env.SCHEMA_REGISTRY_URL!);
let producer: Producer | null = null;

/** Publishes an event as its owner would (Avro, keyed by the order id). */
export async function publish<N extends EventName>(name: N, event: EventMap[N]): Promise<void> {
  if (!producer) {
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
  }
  await producer.send({
    topic: topicOf(name),
    acks: -1,
    messages: [{ key: event.correlationId, value: await codec.encode(name, event) }],
  });
}

/** Sends raw bytes to an event topic (for messages that cannot be decoded). */
export async function publishRaw(topic: string, key: string, value: Buffer): Promise<void> {
  if (!producer) {
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
  }
  await producer.send({ topic, acks: -1, messages: [{ key, value }] });
}

export async function closeProducer(): Promise<void> {
  await producer?.disconnect();
  producer = null;
}

/** The saga observer on its own database, its consumer group starting at the end of the topics. */
export async function startObserver(
  database: TestDatabase,
  overrides: Record<string, string> = {},
  options: CoordinationOptions & { resume?: boolean } = {},
): Promise<CoordinationRuntime> {
  const serviceName = overrides.SERVICE_NAME ?? uniqueName('coordination');
  // A new consumer group reads only what is published from now on; a resumed one goes on from its offsets.
  if (!options.resume)
    await startGroupAtEnd(
      kafka,
      serviceName,
      observedEvents().map((name) => topicOf(name)),
    );
  const runtime = await startCoordination(
    database,
    {
      SERVICE_NAME: serviceName,
      SAGA_OBSERVER_ENABLED: 'true',
      LIVE_CONFIG: 'false',
      // Other suites publish order events on the same broker: only this suite's events open workflows.
      WORKFLOW_OPENING_PRODUCERS: 'test',
      WORKFLOW_SWEEP_INTERVAL_MS: '200',
      WEBHOOK_DISPATCH_INTERVAL_MS: '200',
      ...overrides,
    },
    options,
  );
  await waitFor(() => runtime.consumers.every((consumer) => consumer.joined), {
    timeoutMs: 60_000,
    description: 'the observer joining its group',
  });
  return runtime;
}

/** Builders of the events the saga's participants publish, for one order. */
export class OrderStory {
  readonly orderId = randomUUID();
  readonly customerId = randomUUID();
  readonly reservationId = randomUUID();
  readonly paymentId = randomUUID();
  readonly shipmentId = randomUUID();
  private clock = Date.now();

  private at(): number {
    this.clock += 1000;
    return this.clock;
  }

  event<N extends EventName>(
    name: N,
    payload: Omit<EventPayload<N>, 'orderId'>,
    causationId: string | null = null,
    producer = 'test',
  ): EventMap[N] {
    return {
      eventId: randomUUID(),
      occurredAt: this.at(),
      correlationId: this.orderId,
      causationId,
      producer,
      orderId: this.orderId,
      ...payload,
    } as unknown as EventMap[N];
  }

  private address = {
    name: 'Ada Lovelace',
    street: '1 Main St',
    city: 'New York',
    state: 'NY',
    zipCode: '10001',
    country: 'US',
    phone: null,
  };

  created() {
    return this.event('OrderCreated', {
      customerId: this.customerId,
      customerEmail: 'ada@example.com',
      items: [{ productId: randomUUID(), sku: null, quantity: 2, unitPrice: '10.00', warehouseId: 'wh-001' }],
      totalAmount: '20.00',
      currency: 'USD',
      paymentMethod: 'CREDIT_CARD',
      shippingAddress: this.address,
      shippingMethod: 'STANDARD',
      options: { priority: 'HIGH', requireSignature: false, giftWrap: false, expressProcessing: false },
      metadata: { source: 'test' },
    });
  }
  reserved() {
    return this.event('InventoryReserved', {
      reservationId: this.reservationId,
      items: [{ productId: randomUUID(), quantity: 2, warehouseId: 'wh-001' }],
      expiresAt: null,
    });
  }
  reservationFailed() {
    return this.event('InventoryReservationFailed', {
      reason: 'INSUFFICIENT_STOCK',
      message: 'not enough stock',
      unavailableItems: [{ productId: randomUUID(), requestedQuantity: 2, availableQuantity: 1 }],
    });
  }
  paid() {
    return this.event('PaymentProcessed', {
      customerId: this.customerId,
      paymentId: this.paymentId,
      amount: '20.00',
      currency: 'USD',
      paymentMethod: 'CREDIT_CARD',
      status: 'AUTHORIZED',
      provider: 'simulator',
      providerReference: null,
    });
  }
  paymentFailed() {
    return this.event('PaymentFailed', {
      customerId: this.customerId,
      paymentId: null,
      amount: '20.00',
      currency: 'USD',
      paymentMethod: 'CREDIT_CARD',
      errorCode: 'PAYMENT_DECLINED',
      errorMessage: 'Declined by the issuer',
      retriable: false,
      attempt: 1,
    });
  }
  confirmed() {
    return this.event('OrderConfirmed', {
      customerId: this.customerId,
      customerEmail: 'ada@example.com',
      items: [],
      totalAmount: '20.00',
      currency: 'USD',
      reservationId: this.reservationId,
      paymentId: this.paymentId,
      shippingAddress: this.address,
      shippingMethod: 'STANDARD',
    });
  }
  scheduled() {
    return this.event('DeliveryScheduled', {
      customerId: this.customerId,
      shipmentId: this.shipmentId,
      labelNumber: 'FV000000000001',
      trackingId: 'SIM0000000000000001',
      carrier: 'SIMULATED',
      serviceLevel: 'STANDARD',
      shippingAddress: this.address,
      estimatedDeliveryAt: null,
      labelUrl: null,
    });
  }
  deliveryFailed() {
    return this.event('DeliverySchedulingFailed', {
      shipmentId: null,
      carrier: null,
      errorCode: 'ADDRESS_INVALID',
      errorMessage: 'postal code malformed',
      retriable: false,
    });
  }
  /** Every event of an order that completes, in the order its participants publish them. */
  happyPath(): [EventName, EventMap[EventName]][] {
    return [
      ['OrderCreated', this.created()],
      ['InventoryReserved', this.reserved()],
      ['PaymentProcessed', this.paid()],
      ['OrderConfirmed', this.confirmed()],
      ['NotificationSent', this.notified()],
      ['DeliveryScheduled', this.scheduled()],
      ['OrderCompleted', this.completed()],
    ];
  }

  completed() {
    return this.event('OrderCompleted', {
      customerId: this.customerId,
      customerEmail: 'ada@example.com',
      reservationId: this.reservationId,
      paymentId: this.paymentId,
      shipmentId: this.shipmentId,
      trackingId: 'SIM0000000000000001',
      totalAmount: '20.00',
      currency: 'USD',
    });
  }
  notified(templateId = 'order-confirmed', causationId: string | null = null) {
    return this.event(
      'NotificationSent',
      {
        notificationId: randomUUID(),
        customerId: this.customerId,
        channel: 'EMAIL',
        templateId,
        recipient: 'ada@example.com',
        provider: 'local',
        attempt: 1,
        reference: null,
      },
      causationId,
    );
  }
  /** The order service ended the failed saga (its compensations done). */
  orderFailed(reason = 'PAYMENT_FAILED', causationId: string | null = null) {
    return this.event(
      'OrderFailed',
      {
        customerId: this.customerId,
        customerEmail: 'ada@example.com',
        reason,
        reasonDetails: 'Declined by the issuer',
        previousStatus: 'PAYMENT_PENDING',
      },
      causationId,
    );
  }
  /** The answer a participant gives to one CompensationRequested. */
  answer(request: EventMap['CompensationRequested']): { name: EventName; event: EventMap[EventName] } {
    const cause = request.eventId;
    switch (request.action) {
      case 'RELEASE_INVENTORY':
        return {
          name: 'InventoryReleased',
          event: this.event(
            'InventoryReleased',
            { reservationId: this.reservationId, items: [], reason: 'COMPENSATION' },
            cause,
          ),
        };
      case 'VOID_PAYMENT':
        return {
          name: 'PaymentVoided',
          event: this.event(
            'PaymentVoided',
            {
              paymentId: this.paymentId,
              amount: '20.00',
              currency: 'USD',
              reason: 'COMPENSATION',
              provider: 'simulator',
              providerReference: null,
            },
            cause,
          ),
        };
      case 'REFUND_PAYMENT':
        return {
          name: 'PaymentRefunded',
          event: this.event(
            'PaymentRefunded',
            {
              paymentId: this.paymentId,
              refundId: randomUUID(),
              amount: '20.00',
              currency: 'USD',
              reason: 'COMPENSATION',
              provider: 'simulator',
              providerReference: null,
              returnId: null,
            },
            cause,
          ),
        };
      case 'CANCEL_SHIPMENT':
        return {
          name: 'ShipmentCancelled',
          event: this.event(
            'ShipmentCancelled',
            {
              shipmentId: this.shipmentId,
              trackingId: null,
              carrier: null,
              reason: 'COMPENSATION',
              outcome: 'CANCELLED',
            },
            cause,
          ),
        };
      case 'CANCEL_ORDER':
        return {
          name: 'OrderCancelled',
          event: this.event(
            'OrderCancelled',
            {
              customerId: this.customerId,
              customerEmail: null,
              reason: 'CUSTOMER_REQUESTED',
              reasonDetails: null,
              initiatedBy: 'SYSTEM',
              previousStatus: 'PENDING',
            },
            cause,
          ),
        };
      case 'NOTIFY_CUSTOMER':
        return { name: 'NotificationSent', event: this.notified('order-cancellation-notice', cause) };
    }
  }

  /** A participant's CompensationOutcome for `request`: `value` (DONE, REJECTED…), with its reason. */
  outcome(
    request: EventMap['CompensationRequested'],
    value: string,
    reasonCode: string | null = null,
    detail: string | null = reasonCode,
  ): EventMap['CompensationOutcome'] {
    return this.event(
      'CompensationOutcome',
      {
        sagaId: request.sagaId,
        workflowId: request.workflowId,
        action: request.action,
        attempt: request.attempt,
        requestEventId: request.eventId,
        outcome: value,
        reasonCode,
        detail,
      },
      request.eventId,
    );
  }
}

/** The compensation requests the observer published about an order, as `ACTION#attempt`, in order. */
export async function compensationRequestsOf(events: DecodedEvents, orderId: string): Promise<string[]> {
  return (await events.all('CompensationRequested', (event) => event.orderId === orderId)).map(
    (event) => `${event.action}#${event.attempt}`,
  );
}

/** Waits for the observer's request of `action` about the story's order. */
export function nextCompensationRequest(events: DecodedEvents, story: OrderStory, action: string) {
  return events.waitFor(
    'CompensationRequested',
    (event) => event.orderId === story.orderId && event.action === action,
    `${action} of ${story.orderId}`,
  );
}

export async function status(runtime: CoordinationRuntime, id: string) {
  const response = await runtime.app.inject({
    method: 'GET',
    url: `/api/v1/workflows/${id}/status`,
    headers: { authorization: admin },
  });
  return { code: response.statusCode, body: response.json() as StatusBody };
}

/** Waits until the workflow of `orderId` satisfies `check`, and returns its status document. */
export async function waitForWorkflow(
  runtime: CoordinationRuntime,
  orderId: string,
  check: (body: StatusBody) => boolean,
  description: string,
  timeoutMs = 30_000,
) {
  return waitFor(
    async () => {
      const { code, body } = await status(runtime, orderId);
      return code === 200 && check(body) ? body : undefined;
    },
    { timeoutMs, description, intervalMs: 100 },
  );
}

/** Builders of the events of one return of a delivered order (delivery, orders, inventory, notifications). */
export class ReturnStory {
  readonly returnId = randomUUID();
  readonly orderId = randomUUID();
  readonly customerId = randomUUID();
  readonly paymentId = randomUUID();
  readonly productId = randomUUID();
  private clock = Date.now();

  private event<N extends EventName>(name: N, payload: EventPayload<N>): EventMap[N] {
    this.clock += 1000;
    return {
      eventId: randomUUID(),
      occurredAt: this.clock,
      correlationId: this.returnId,
      causationId: null,
      producer: 'test',
      ...payload,
    } as unknown as EventMap[N];
  }

  private items = () => [{ productId: this.productId, quantity: 1, reason: 'DAMAGED', condition: 'DAMAGED' }];

  requested() {
    const { returnId, orderId, customerId } = this;
    return this.event('ReturnRequested', {
      returnId,
      orderId,
      customerId,
      items: this.items(),
      reason: 'DAMAGED',
    });
  }
  received() {
    const { returnId, orderId, customerId } = this;
    return this.event('ReturnReceived', {
      returnId,
      orderId,
      customerId,
      items: this.items(),
      warehouseId: 'wh-001',
    });
  }
  refunded() {
    return this.event('PaymentRefunded', {
      orderId: this.orderId,
      paymentId: this.paymentId,
      refundId: randomUUID(),
      amount: '10.00',
      currency: 'USD',
      reason: 'RETURN_RECEIVED',
      provider: 'simulator',
      providerReference: null,
      returnId: this.returnId,
    });
  }
  orderRefunded() {
    return this.event('OrderRefunded', {
      orderId: this.orderId,
      customerId: this.customerId,
      customerEmail: null,
      paymentId: this.paymentId,
      refundId: randomUUID(),
      amount: '10.00',
      currency: 'USD',
      fullRefund: false,
      reason: 'RETURN_RECEIVED',
      returnId: this.returnId,
    });
  }
  refundFailed(attempt: number, retriable: boolean) {
    return this.event('PaymentRefundFailed', {
      orderId: this.orderId,
      returnId: this.returnId,
      paymentId: this.paymentId,
      amount: '10.00',
      currency: 'USD',
      errorCode: 'PROVIDER_UNAVAILABLE',
      errorMessage: 'the payment provider did not answer',
      attempt,
      retriable,
    });
  }
  restocked() {
    return this.event('InventoryAdjusted', {
      productId: this.productId,
      warehouseId: 'wh-001',
      quantityChange: 1,
      previousQuantity: 4,
      newQuantity: 5,
      reason: 'RETURN',
      reference: this.returnId,
      adjustedBy: null,
    });
  }
  notified() {
    return this.event('NotificationSent', {
      notificationId: randomUUID(),
      customerId: this.customerId,
      orderId: this.orderId,
      channel: 'EMAIL',
      templateId: 'return-refunded',
      recipient: 'ada@example.com',
      provider: 'local',
      attempt: 1,
      reference: this.returnId,
    });
  }
}

/** Builders of the events inventory publishes for one replenishment. */
export class ReplenishmentStory {
  readonly replenishmentId = randomUUID();
  readonly purchaseOrderId = randomUUID();
  readonly productId = randomUUID();
  private clock = Date.now();

  private event<N extends EventName>(name: N, payload: EventPayload<N>): EventMap[N] {
    this.clock += 1000;
    return {
      eventId: randomUUID(),
      occurredAt: this.clock,
      correlationId: this.replenishmentId,
      causationId: null,
      producer: 'test',
      ...payload,
    } as unknown as EventMap[N];
  }

  requested() {
    return this.event('ReplenishmentRequested', {
      replenishmentId: this.replenishmentId,
      productId: this.productId,
      warehouseId: 'wh-001',
      quantity: 50,
      availableQuantity: 3,
      threshold: 5,
      supplierId: 'sup-001',
    });
  }
  placed() {
    return this.event('PurchaseOrderPlaced', {
      replenishmentId: this.replenishmentId,
      purchaseOrderId: this.purchaseOrderId,
      supplierId: 'sup-001',
      productId: this.productId,
      warehouseId: 'wh-001',
      quantity: 50,
    });
  }
  confirmed() {
    return this.event('PurchaseOrderConfirmed', {
      replenishmentId: this.replenishmentId,
      purchaseOrderId: this.purchaseOrderId,
      supplierId: 'sup-001',
      expectedAt: this.clock + 86_400_000,
    });
  }
  completed() {
    return this.event('ReplenishmentCompleted', {
      replenishmentId: this.replenishmentId,
      purchaseOrderId: this.purchaseOrderId,
      productId: this.productId,
      warehouseId: 'wh-001',
      receivedQuantity: 50,
      newQuantity: 53,
    });
  }
  failed(reason = 'SUPPLIER_REJECTED') {
    return this.event('ReplenishmentFailed', {
      replenishmentId: this.replenishmentId,
      purchaseOrderId: this.purchaseOrderId,
      reason,
      reasonDetails: 'the supplier cannot deliver',
    });
  }
}
