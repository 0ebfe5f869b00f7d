import { describe, expect, it } from 'vitest';
import { publishMeta } from './orders-deps.js';

describe('where published events come from', () => {
  it("correlates every event with its order and carries the origin's causation and trace", () => {
    expect(publishMeta('o-1', { causationId: 'e-1', traceparent: '00-abc-def-01' })).toEqual({
      correlationId: 'o-1',
      causationId: 'e-1',
      traceparent: '00-abc-def-01',
    });
  });

  it('lets a named cause stand over the origin', () => {
    expect(publishMeta('o-1', { causationId: 'e-1', traceparent: null }, 'e-2').causationId).toBe('e-2');
  });

  it('has no causation or trace when the origin has none (a request without a trace)', () => {
    expect(publishMeta('o-1', {})).toEqual({
      correlationId: 'o-1',
      causationId: null,
      traceparent: null,
    });
  });
});
