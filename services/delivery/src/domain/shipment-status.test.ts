import { describe, expect, it } from 'vitest';
import { allowedNextStatuses, canTransition, isCancellable } from './shipment-status.js';

describe('shipment status machine', () => {
  it('moves forward one step at a time', () => {
    expect(canTransition('LABEL_CREATED', 'DISPATCHED')).toBe(true);
    expect(canTransition('DISPATCHED', 'IN_TRANSIT')).toBe(true);
    expect(canTransition('IN_TRANSIT', 'IN_TRANSIT')).toBe(true);
    expect(canTransition('IN_TRANSIT', 'DELIVERED')).toBe(true);
  });

  it('refuses skipped, backward and post-final moves', () => {
    expect(canTransition('LABEL_CREATED', 'DELIVERED')).toBe(false);
    expect(canTransition('LABEL_CREATED', 'IN_TRANSIT')).toBe(false);
    expect(canTransition('DISPATCHED', 'DELIVERED')).toBe(false);
    expect(canTransition('DISPATCHED', 'DISPATCHED')).toBe(false);
    expect(canTransition('IN_TRANSIT', 'DISPATCHED')).toBe(false);
    expect(allowedNextStatuses('DELIVERED')).toEqual([]);
    expect(allowedNextStatuses('CANCELLED')).toEqual([]);
  });

  it('cancels only before dispatch', () => {
    expect(isCancellable('LABEL_CREATED')).toBe(true);
    expect(isCancellable('DISPATCHED')).toBe(false);
    expect(isCancellable('IN_TRANSIT')).toBe(false);
    expect(isCancellable('DELIVERED')).toBe(false);
    expect(isCancellable('CANCELLED')).toBe(false);
  });
});
