import { describe, expect, it } from 'vitest';
import { leaseCutoffs, selfPreservationActive, type LeasePolicy } from './lease.js';

const policy: LeasePolicy = {
  ttlMs: 30_000,
  deregisterCriticalAfterMs: 60_000,
  selfPreservationThreshold: 0.5,
  selfPreservationMinInstances: 3,
};
const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds));

describe('leaseCutoffs', () => {
  it('expires heartbeats older than the TTL and removes those older than TTL plus the grace period', () => {
    const cutoffs = leaseCutoffs(at(200), at(0), policy);
    expect(cutoffs.expireBefore).toEqual(at(170));
    expect(cutoffs.removeBefore).toEqual(at(110));
  });

  it('judges nothing before a full TTL has passed since the registry started watching', () => {
    expect(leaseCutoffs(at(20), at(0), policy)).toEqual({ expireBefore: null, removeBefore: null });
    const later = leaseCutoffs(at(40), at(0), policy);
    expect(later.expireBefore).toEqual(at(10));
    expect(later.removeBefore).toBeNull();
  });
});

describe('selfPreservationActive', () => {
  it('pauses expiry when fewer than the threshold share renew', () => {
    expect(selfPreservationActive({ total: 10, renewing: 4 }, policy)).toBe(true);
    expect(selfPreservationActive({ total: 10, renewing: 5 }, policy)).toBe(false);
    expect(selfPreservationActive({ total: 10, renewing: 10 }, policy)).toBe(false);
  });

  it('does not apply below the minimum number of instances, or when turned off', () => {
    expect(selfPreservationActive({ total: 2, renewing: 0 }, policy)).toBe(false);
    expect(
      selfPreservationActive({ total: 10, renewing: 0 }, { ...policy, selfPreservationMinInstances: 0 }),
    ).toBe(false);
  });
});
