import { describe, expect, it } from 'vitest';
import { nameBasedUuid, normalizeCustomerId, parseUuid, shipmentIdFor } from './ids.js';

const id = '550e8400-e29b-41d4-a716-446655440000';

describe('ids', () => {
  it('accepts plain and prefixed UUIDs and returns the plain form', () => {
    expect(parseUuid(id)).toBe(id);
    expect(parseUuid(`ord-${id}`)).toBe(id);
    expect(parseUuid(id.toUpperCase())).toBe(id);
    expect(parseUuid('ord-123')).toBeNull();
    expect(parseUuid('not-a-uuid')).toBeNull();
    expect(parseUuid(`${id}x`)).toBeNull();
  });

  it('normalises customer ids', () => {
    expect(normalizeCustomerId(`cust-${id}`)).toBe(id);
    expect(normalizeCustomerId('customer-42')).toBe('customer-42');
  });

  it('derives stable version 5 UUIDs that differ per namespace and name', () => {
    const a = nameBasedUuid('x', id);
    expect(a).toBe(nameBasedUuid('x', id));
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(nameBasedUuid('y', id)).not.toBe(a);
    expect(shipmentIdFor(id)).toBe(shipmentIdFor(id));
    expect(shipmentIdFor(id)).not.toBe(shipmentIdFor('660e8400-e29b-41d4-a716-446655440000'));
  });
});
