import type { SqlClient } from '@fv/messaging';
import { describe, expect, it } from 'vitest';
import type { OutboundPolicy } from '../net/outbound-policy.js';
import { RegistryService } from './registry-service.js';

const policy = {
  ttlMs: 30_000,
  deregisterCriticalAfterMs: 60_000,
  selfPreservationThreshold: 0.85,
  selfPreservationMinInstances: 3,
};

function registry(look: { total: number; renewing: number; due: boolean }) {
  let transactions = 0;
  const sql: SqlClient = {
    $executeRawUnsafe: async () => 0,
    $queryRawUnsafe: async <T>() => [look] as T,
  };
  const service = new RegistryService({
    sql,
    prisma: {} as never,
    transaction: async () => {
      transactions += 1;
      throw new Error('the sweep took its lock');
    },
    outbox: {} as never,
    policy,
    heartbeatIntervalSeconds: 10,
    outbound: {} as OutboundPolicy,
  });
  return { service, transactions: () => transactions };
}

describe('a lease sweep with nothing lapsed', () => {
  const start = new Date('2026-12-01T10:00:00Z');
  const now = new Date('2026-12-01T10:05:00Z');

  it('reads the figures and opens no transaction', async () => {
    const { service, transactions } = registry({ total: 10, renewing: 10, due: false });
    expect(await service.sweep(start, now)).toEqual({
      selfPreservation: false,
      total: 10,
      renewing: 10,
      expired: [],
      removed: [],
    });
    expect(transactions()).toBe(0);
  });

  it('still reports self-preservation when most instances are critical but none is due for removal', async () => {
    const { service, transactions } = registry({ total: 10, renewing: 2, due: false });
    expect((await service.sweep(start, now)).selfPreservation).toBe(true);
    expect(service.selfPreservationActive).toBe(true);
    expect(transactions()).toBe(0);
  });

  it('takes the lock and sweeps once a lease lapsed', async () => {
    const { service, transactions } = registry({ total: 10, renewing: 9, due: true });
    await expect(service.sweep(start, now)).rejects.toThrow('the sweep took its lock');
    expect(transactions()).toBe(1);
  });
});
