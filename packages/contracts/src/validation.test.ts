import { randomUUID } from 'node:crypto';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { parseAvroSchema, type AvroNode } from './avro-schema.js';
import { exampleOrderCreated } from './fixtures.js';
import {
  assertValidEvent,
  avroTypeOf,
  avroTypeOptions,
  eventCatalog,
  eventNames,
  EventValidationError,
  validateEvent,
  type EventName,
  type OrderCreated,
} from './index.js';

/** A valid value for any type of our schemas, with every optional field filled in. */
function example(node: AvroNode, name: string): unknown {
  switch (node.kind) {
    case 'primitive':
      if (node.logicalType === 'uuid') return randomUUID();
      if (node.logicalType === 'timestamp-millis') return 1_736_935_200_000;
      if (node.props['x-format'] === 'decimal') return '1499.97';
      return {
        null: null,
        boolean: true,
        int: 2,
        long: 3,
        float: 1.5,
        double: 2.5,
        bytes: Buffer.from('x'),
        string: `${name}-1`,
      }[node.type];
    case 'record':
      return Object.fromEntries(node.fields.map((f) => [f.name, example(f.type, f.name)]));
    case 'enum':
      return node.symbols[0];
    case 'fixed':
      return Buffer.alloc(node.size);
    case 'array':
      return [example(node.items, name)];
    case 'map':
      return { key: example(node.values, name) };
    case 'union':
      return example(node.branches[1] ?? node.branches[0]!, name);
  }
}

function exampleOf(name: EventName): Record<string, unknown> {
  return example(parseAvroSchema(eventCatalog[name].schema), name) as Record<string, unknown>;
}

const order: OrderCreated = {
  eventId: '7b0e8400-e29b-41d4-a716-446655440000',
  occurredAt: 1_736_935_200_000,
  correlationId: 'ord-550e8400-e29b-41d4-a716-446655440000',
  causationId: null,
  producer: 'orders',
  ...exampleOrderCreated({ metadata: { source: 'web_checkout' } }),
};

describe('validateEvent', () => {
  it.each(eventNames)('accepts a complete %s and round-trips it through Avro', (name) => {
    const value = exampleOf(name);
    expect(validateEvent(name, value)).toEqual([]);
    const type = avroTypeOf(name);
    expect({ ...type.fromBuffer(type.toBuffer(value)) }).toEqual(value);
  });

  it('accepts a realistic OrderCreated and keeps occurredAt a number', () => {
    expect(validateEvent('OrderCreated', order)).toEqual([]);
    const decoded = avroTypeOf('OrderCreated').fromBuffer(
      avroTypeOf('OrderCreated').toBuffer(order),
    ) as OrderCreated;
    expect(decoded.occurredAt).toBe(order.occurredAt);
    expect(typeof decoded.occurredAt).toBe('number');
  });

  it('names every offending field with a readable path', () => {
    const invalid: Record<string, unknown> = {
      ...order,
      eventId: 'not-a-uuid',
      occurredAt: '2024-01-15T10:00:00Z',
      items: [{ ...order.items[0], quantity: '2', unitPrice: '$5' }],
      totalAmount: 1199.98,
      shippingAddress: { ...order.shippingAddress, city: undefined },
      metadata: { source: 7 },
    };
    delete invalid['currency'];
    expect(validateEvent('OrderCreated', invalid)).toEqual([
      { path: 'eventId', message: 'must be a UUID, got "not-a-uuid"' },
      { path: 'occurredAt', message: 'expected long (timestamp-millis), got "2024-01-15T10:00:00Z"' },
      { path: 'items[0].quantity', message: 'expected int, got "2"' },
      { path: 'totalAmount', message: 'expected string (decimal), got 1199.98' },
      { path: 'currency', message: 'is required (string)' },
      { path: 'shippingAddress.city', message: 'is required (string)' },
      { path: 'metadata.source', message: 'expected string, got 7' },
      { path: 'items[0].unitPrice', message: 'must be a decimal string such as "1499.97", got "$5"' },
    ]);
  });

  it('rejects fields the schema does not declare, at any depth', () => {
    const invalid = { ...order, giftMessage: 'hi', items: [{ ...order.items[0], colour: 'red' }] };
    expect(validateEvent('OrderCreated', invalid)).toEqual([
      { path: 'giftMessage', message: 'is not a field of OrderCreated' },
      { path: 'items[0].colour', message: 'is not a field of OrderItem' },
    ]);
  });

  it('names the allowed symbols of an enum', () => {
    const value = { ...exampleOf('CompensationRequested'), action: 'REBOOT' };
    expect(validateEvent('CompensationRequested', value)).toEqual([
      {
        path: 'action',
        message:
          'must be one of RELEASE_INVENTORY, VOID_PAYMENT, REFUND_PAYMENT, CANCEL_SHIPMENT, CANCEL_ORDER, NOTIFY_CUSTOMER, got "REBOOT"',
      },
    ]);
  });

  it('rejects a value that is not an object', () => {
    expect(validateEvent('OrderCreated', null)).toEqual([
      { path: '', message: 'expected record OrderCreated, got null' },
    ]);
  });

  it('accepts negative and integer decimals, rejects other text', () => {
    const refund = exampleOf('PriceChanged');
    expect(validateEvent('PriceChanged', { ...refund, newPrice: '-3' })).toEqual([]);
    expect(validateEvent('PriceChanged', { ...refund, newPrice: '1,50' }).map((i) => i.path)).toEqual([
      'newPrice',
    ]);
    expect(validateEvent('PriceChanged', { ...refund, newPrice: '1e3' }).map((i) => i.path)).toEqual([
      'newPrice',
    ]);
  });
});

describe('assertValidEvent', () => {
  it('passes a valid event', () => {
    expect(() => assertValidEvent('OrderCreated', order)).not.toThrow();
  });

  it('throws an error whose message names the fields', () => {
    const attempt = () => assertValidEvent('OrderCreated', { ...order, orderId: 42, currency: undefined });
    expect(attempt).toThrow(EventValidationError);
    expect(attempt).toThrow(
      'Invalid OrderCreated event: orderId: expected string, got 42; currency: is required (string)',
    );
  });
});

describe('avroTypeOf', () => {
  it('creates each type once', () => {
    expect(avroTypeOf('PaymentFailed')).toBe(avroTypeOf('PaymentFailed'));
  });

  it('refuses to encode an invalid uuid', () => {
    expect(() => avroTypeOf('OrderCreated').toBuffer({ ...order, eventId: 'x' })).toThrow();
  });

  it('reads data written with a plain-string uuid schema, as a registry writer schema would be', () => {
    const writer = avro.Type.forSchema(eventCatalog.OrderCreated.schema as unknown as avro.Schema, {
      wrapUnions: false,
    });
    const reader = avroTypeOf('OrderCreated');
    const decoded = reader.fromBuffer(writer.toBuffer(order), reader.createResolver(writer)) as OrderCreated;
    expect(decoded.eventId).toBe(order.eventId);
    expect(avroTypeOptions()).not.toBe(avroTypeOptions());
  });
});
