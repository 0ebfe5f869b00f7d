import { describe, expect, it } from 'vitest';
import {
  allowedNextStatuses,
  canTransition,
  isCancellable,
  isShipmentStatus,
  SHIPMENT_STATUSES,
  TRACKING_STATUSES,
} from './shipment-status.js';

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

  it('knows a shipment status only by its exact name', () => {
    expect(SHIPMENT_STATUSES.every(isShipmentStatus)).toBe(true);
    expect(isShipmentStatus('delivered')).toBe(false);
    expect(isShipmentStatus('RETURNED')).toBe(false);
  });

  it('lets carriers report only statuses the machine can reach, never a cancellation', () => {
    const reachable = new Set(SHIPMENT_STATUSES.flatMap((status) => allowedNextStatuses(status)));
    for (const status of TRACKING_STATUSES) expect(reachable.has(status)).toBe(true);
    expect(TRACKING_STATUSES).not.toContain('CANCELLED');
    expect(allowedNextStatuses('LABEL_CREATED')).toEqual(['DISPATCHED', 'CANCELLED']);
  });
});
