import { describe, expect, it } from 'vitest';
import { idPattern, isUuid, nameBasedUuid, normalizeCustomerId, parseId } from './ids.js';

const id = '550e8400-e29b-41d4-a716-446655440000';

describe('ids', () => {
  it('accepts plain and prefixed UUIDs and returns the plain lower-case form', () => {
    expect(parseId(id)).toBe(id);
    expect(parseId(`ord-${id}`)).toBe(id);
    expect(parseId(`shp-${id}`)).toBe(id);
    expect(parseId(id.toUpperCase())).toBe(id);
    expect(parseId(`  ${id} `)).toBe(id);
    expect(parseId('ord-123')).toBeNull();
    expect(parseId('not-a-uuid')).toBeNull();
    expect(parseId(`${id}x`)).toBeNull();
    expect(parseId(`x-${id}`)).toBeNull();
  });

  it('accepts only the named prefix when one is given', () => {
    expect(parseId(`ord-${id}`, 'ord')).toBe(id);
    expect(parseId(`ord-${id.toUpperCase()}`, 'ord')).toBe(id);
    expect(parseId(id, 'prod')).toBe(id);
    expect(parseId(`prod-${id}`, 'ord')).toBeNull();
    expect(parseId(`ord-${id}0`, 'ord')).toBeNull();
    expect(parseId('abc', 'prod')).toBeNull();
  });

  it('accepts any of several named prefixes, and only those', () => {
    const prefixes = ['wf', 'ord', 'saga'];
    for (const prefix of prefixes) expect(parseId(`${prefix}-${id}`, prefixes)).toBe(id);
    expect(parseId(id, prefixes)).toBe(id);
    expect(parseId(`cust-${id}`, prefixes)).toBeNull();
    expect(parseId(`wford-${id}`, prefixes)).toBeNull();
    const pattern = new RegExp(idPattern(prefixes));
    expect(pattern.test(`saga-${id}`)).toBe(true);
    expect(pattern.test(id)).toBe(true);
    expect(pattern.test(`cust-${id}`)).toBe(false);
    expect(pattern.test(`ord-`)).toBe(false);
  });

  it('writes JSON-schema patterns that agree with the parser', () => {
    const ord = new RegExp(idPattern('ord'));
    expect(ord.test(`ord-${id}`)).toBe(true);
    expect(ord.test(id.toUpperCase())).toBe(true);
    expect(ord.test(`prod-${id}`)).toBe(false);
    const any = new RegExp(idPattern());
    expect(any.test(`tpl-${id}`)).toBe(true);
    expect(any.test(`a-${id}`)).toBe(false);
    expect(any.test('ord-123')).toBe(false);
  });

  it('knows a bare UUID', () => {
    expect(isUuid(id)).toBe(true);
    expect(isUuid(id.toUpperCase())).toBe(true);
    expect(isUuid(`ord-${id}`)).toBe(false);
  });

  it('normalises customer ids', () => {
    expect(normalizeCustomerId(`cust-${id}`)).toBe(id);
    expect(normalizeCustomerId(id.toUpperCase())).toBe(id);
    expect(normalizeCustomerId(' customer-42 ')).toBe('customer-42');
  });

  it('derives stable version 5 UUIDs that differ per namespace and name', () => {
    const a = nameBasedUuid('x', id);
    expect(a).toBe(nameBasedUuid('x', id));
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(nameBasedUuid('y', id)).not.toBe(a);
    expect(nameBasedUuid('x', '660e8400-e29b-41d4-a716-446655440000')).not.toBe(a);
  });
});
