import { describe, expect, it } from 'vitest';
import { fingerprintOf, viewOf } from './purchase-orders.js';

const placedAt = new Date('2026-12-04T10:00:00.000Z');
const row = (status: 'PLACED' | 'REJECTED' = 'PLACED') => ({
  id: 'po-1',
  request_fingerprint: 'f',
  reference: 'rep-1',
  product_id: 'p-1',
  warehouse_id: 'wh-001',
  quantity: 30,
  status,
  rejection_reason: status === 'REJECTED' ? 'PRODUCT_DISCONTINUED' : null,
  created_at: placedAt,
  confirm_at: new Date(placedAt.getTime() + 5_000),
  deliver_at: new Date(placedAt.getTime() + 15_000),
});
const at = (ms: number) => new Date(placedAt.getTime() + ms);

describe('a purchase order as time passes', () => {
  it('is PLACED, then CONFIRMED at its confirmation time, then DELIVERED at its delivery time', () => {
    expect(viewOf(row(), at(4_999))).toMatchObject({
      status: 'PLACED',
      confirmedAt: null,
      deliveredAt: null,
    });
    expect(viewOf(row(), at(5_000))).toMatchObject({
      status: 'CONFIRMED',
      confirmedAt: '2026-12-04T10:00:05.000Z',
      deliveredAt: null,
    });
    expect(viewOf(row(), at(15_000))).toMatchObject({
      status: 'DELIVERED',
      deliveredAt: '2026-12-04T10:00:15.000Z',
      expectedAt: '2026-12-04T10:00:15.000Z',
    });
  });

  it('stays REJECTED whatever the time, with its reason', () => {
    expect(viewOf(row('REJECTED'), at(60_000))).toMatchObject({
      status: 'REJECTED',
      rejectionReason: 'PRODUCT_DISCONTINUED',
      confirmedAt: null,
      deliveredAt: null,
    });
  });
});

describe('the fingerprint of a request', () => {
  it('is the same for the same request whatever the order of its fields, and differs for another', () => {
    const request = { productId: 'p-1', warehouseId: 'wh-001', quantity: 30, reference: 'rep-1' };
    const reordered = { reference: 'rep-1', quantity: 30, warehouseId: 'wh-001', productId: 'p-1' };
    expect(fingerprintOf(reordered)).toBe(fingerprintOf(request));
    expect(fingerprintOf({ ...request, quantity: 31 })).not.toBe(fingerprintOf(request));
    expect(fingerprintOf({ ...request, reference: undefined })).not.toBe(fingerprintOf(request));
  });
});
