import { describe, expect, it } from 'vitest';
import {
  catalogEntryOf,
  compensationActionValues,
  dlqTopicOf,
  envelopeFieldNames,
  eventCatalog,
  eventNameOfTopic,
  eventNames,
  eventNamesOfDomain,
  isEventName,
  subjectOf,
  topicOf,
  type EventName,
} from './index.js';

// The events the order saga and the coordination service rely on.
const expectedEvents = {
  order: [
    'OrderCreated',
    'OrderConfirmed',
    'OrderCompleted',
    'OrderCancelled',
    'OrderRefunded',
    'OrderFailed',
  ],
  payment: [
    'PaymentProcessed',
    'PaymentFailed',
    'PaymentRefunded',
    'PaymentVoided',
    'PaymentRefundFailed',
    'SplitPaymentProcessed',
  ],
  promotion: ['CouponApplied', 'CouponRejected', 'CouponReleased'],
  inventory: [
    'InventoryReserved',
    'InventoryReservationFailed',
    'InventoryReleased',
    'InventoryAdjusted',
    'InventoryUpdated',
    'LowStockAlert',
    'ReplenishmentRequested',
    'PurchaseOrderPlaced',
    'PurchaseOrderConfirmed',
    'ReplenishmentCompleted',
    'ReplenishmentFailed',
  ],
  catalog: ['ProductCreated', 'ProductUpdated', 'ProductDeleted', 'PriceChanged', 'ProductOutOfStock'],
  delivery: [
    'DeliveryScheduled',
    'DeliverySchedulingFailed',
    'ShipmentCancelled',
    'ShipmentDispatched',
    'ShipmentDelivered',
    'ReturnRequested',
    'ReturnReceived',
  ],
  notification: ['NotificationSent', 'NotificationFailed'],
  compensation: ['CompensationOutcome', 'CompensationRequested', 'StepRetryRequested'],
  registry: ['ServiceRegistered', 'ServiceDeregistered', 'ServiceHealthChanged'],
  configuration: ['ConfigurationUpdated'],
  workflow: ['WorkflowStarted', 'SagaStepCompleted', 'WorkflowCompleted', 'WorkflowFailed'],
};

describe('event catalog', () => {
  it('lists the events of each domain', () => {
    for (const [domain, names] of Object.entries(expectedEvents)) {
      expect(eventNamesOfDomain(domain), domain).toEqual([...names].sort());
    }
    expect(eventNamesOfDomain('no-such-domain')).toEqual([]);
  });

  it('has exactly the expected events, each in its domain, sorted by name', () => {
    const expected = Object.values(expectedEvents).flat().sort();
    expect(eventNames).toEqual(expected);
    expect(Object.keys(eventCatalog).sort()).toEqual(expected);
    for (const [domain, names] of Object.entries(expectedEvents)) {
      for (const name of names) expect(catalogEntryOf(name as EventName).domain, name).toBe(domain);
    }
  });

  it('names topics as kebab-case of the event plus -events', () => {
    expect(topicOf('OrderCreated')).toBe('order-created-events');
    expect(topicOf('InventoryReservationFailed')).toBe('inventory-reservation-failed-events');
    expect(topicOf('SagaStepCompleted')).toBe('saga-step-completed-events');
    expect(topicOf('LowStockAlert')).toBe('low-stock-alert-events');
    expect(subjectOf('PaymentFailed')).toBe('payment-failed-events-value');
  });

  it('maps every topic back to its event, and every subject to <topic>-value', () => {
    const topics = new Set<string>();
    for (const name of eventNames) {
      const topic = topicOf(name);
      expect(topics.has(topic), topic).toBe(false);
      topics.add(topic);
      expect(eventNameOfTopic(topic)).toBe(name);
      expect(subjectOf(name)).toBe(`${topic}-value`);
      expect(eventCatalog[name].file).toBe(
        `schemas/${eventCatalog[name].domain}/${topic.replace(/-events$/, '')}.avsc`,
      );
    }
  });

  it('does not take other topics for event topics', () => {
    expect(eventNameOfTopic('order-created-events.DLQ')).toBeUndefined();
    expect(eventNameOfTopic('orders')).toBeUndefined();
    expect(isEventName('OrderCreated')).toBe(true);
    expect(isEventName('toString')).toBe(false);
  });

  it('names dead-letter topics <topic>.DLQ', () => {
    expect(dlqTopicOf(topicOf('PaymentFailed'))).toBe('payment-failed-events.DLQ');
  });

  it('refuses an unknown event name', () => {
    expect(() => topicOf('OrderShipped' as EventName)).toThrow(/Unknown event "OrderShipped"/);
  });

  it('starts every schema with the envelope and uses the domain namespace', () => {
    expect(envelopeFieldNames).toEqual(['eventId', 'occurredAt', 'correlationId', 'causationId', 'producer']);
    for (const name of eventNames) {
      const { schema, domain } = eventCatalog[name];
      expect(schema.namespace).toBe(`com.firstviscount.events.${domain}`);
      const fields = schema.fields as readonly { name: string }[];
      expect(fields.slice(0, 5).map((f) => f.name)).toEqual([...envelopeFieldNames]);
    }
  });

  it('defines the compensation actions as a closed set', () => {
    expect(compensationActionValues).toEqual([
      'RELEASE_INVENTORY',
      'VOID_PAYMENT',
      'REFUND_PAYMENT',
      'CANCEL_SHIPMENT',
      'CANCEL_ORDER',
      'NOTIFY_CUSTOMER',
    ]);
  });
});
