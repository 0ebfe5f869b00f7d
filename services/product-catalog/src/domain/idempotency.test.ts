import { describe, expect, it } from 'vitest';
import { canonicalJson, requestHash } from './idempotency.js';

describe('requestHash', () => {
  it('is the same for the same body in any key order', () => {
    expect(requestHash({ a: 1, b: { d: [1, 2], c: null } })).toBe(
      requestHash({ b: { c: null, d: [1, 2] }, a: 1 }),
    );
    expect(canonicalJson({ b: 1, a: 'x' })).toBe('{"a":"x","b":1}');
  });

  it('differs for a different body', () => {
    expect(requestHash({ price: '10.00' })).not.toBe(requestHash({ price: '10.01' }));
    expect(requestHash({ tags: [1, 2] })).not.toBe(requestHash({ tags: [2, 1] }));
  });
});
