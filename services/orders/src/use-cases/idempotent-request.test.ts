import { describe, expect, it } from 'vitest';
import { canonicalJson, requestHash } from './idempotent-request.js';

describe('request hashing for idempotency keys', () => {
  it('does not depend on the order of object keys', () => {
    expect(requestHash({ a: 1, b: { c: [1, 2], d: 'x' } })).toBe(
      requestHash({ b: { d: 'x', c: [1, 2] }, a: 1 }),
    );
    expect(canonicalJson({ b: 1, a: undefined, c: null })).toBe('{"b":1,"c":null}');
  });

  it('tells different bodies apart', () => {
    expect(requestHash({ items: [{ quantity: 1 }] })).not.toBe(requestHash({ items: [{ quantity: 2 }] }));
    expect(requestHash([1, 2])).not.toBe(requestHash([2, 1]));
  });
});
