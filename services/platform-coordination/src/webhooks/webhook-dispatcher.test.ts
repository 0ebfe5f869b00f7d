import type { SqlClient } from '@fv/messaging';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { OutboundPolicy } from '../net/outbound-policy.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';

function dispatcher(due: boolean) {
  const statements: string[] = [];
  let transactions = 0;
  const db: SqlClient = {
    $executeRawUnsafe: async () => 0,
    $queryRawUnsafe: async <T>(query: string) => {
      statements.push(query);
      return (query.includes('exists') ? [{ due }] : []) as T;
    },
  };
  const subject = new WebhookDispatcher({
    db,
    transaction: async (fn) => {
      transactions += 1;
      return fn(db as never);
    },
    intervalMs: 1000,
    timeoutMs: 1000,
    maxAttempts: 3,
    backoff: { initialIntervalMs: 1000, backoffMultiplier: 2, maxIntervalMs: 10_000 },
    logger: pino({ level: 'silent' }),
    outbound: {} as OutboundPolicy,
  });
  return { subject, statements, transactions: () => transactions };
}

describe('WebhookDispatcher', () => {
  it('opens no transaction while no delivery is due: one look-up per round', async () => {
    const { subject, statements, transactions } = dispatcher(false);
    expect(await subject.dispatchOnce()).toBe(0);
    expect(transactions()).toBe(0);
    expect(statements).toHaveLength(1);
  });

  it('locks the due deliveries in a transaction once one is due', async () => {
    const { subject, statements, transactions } = dispatcher(true);
    expect(await subject.dispatchOnce()).toBe(0); // locked none: another replica has them
    expect(transactions()).toBe(1);
    expect(statements.some((query) => query.includes('for update skip locked'))).toBe(true);
  });
});
