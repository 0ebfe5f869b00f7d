import { createMetricsRegistry } from '@fv/service-kit';
import { describe, expect, it } from 'vitest';
import type { Db } from '../shared/db.js';
import { registerWorkflowMetrics } from './workflow-metrics.js';

/** A database whose workflow count grows by one at every read of the workflows table. */
function countingDb() {
  const reads = { workflows: 0 };
  const db = {
    async $queryRawUnsafe(sql: string) {
      if (!sql.includes('from workflows group by')) return [];
      reads.workflows += 1;
      return [
        {
          workflow_type: 'ORDER_FULFILLMENT',
          status: 'IN_PROGRESS',
          kind: null,
          n: BigInt(reads.workflows),
          stuck: 0n,
        },
      ];
    },
  };
  return { db: db as unknown as Db, reads };
}

function scraper(options: { snapshotMaxAgeMs?: number }) {
  const { db, reads } = countingDb();
  let now = new Date('2024-01-15T10:00:00.000Z');
  const registry = createMetricsRegistry({ service: 'platform-coordination', defaultMetrics: false });
  registerWorkflowMetrics(registry, { prisma: db, stuckAfterMs: 60_000, now: () => now, ...options });
  return {
    reads,
    advance: (ms: number) => (now = new Date(now.getTime() + ms)),
    started: async () =>
      /workflow_started_total\{[^}]*\} (\d+)/.exec(await registry.metrics())?.[1] ?? 'missing',
  };
}

describe('workflow metrics', () => {
  it('reads the database once per scrape and again once the snapshot is a second old on its clock', async () => {
    const metrics = scraper({});
    expect(await metrics.started()).toBe('1');
    expect(metrics.reads.workflows).toBe(1);
    metrics.advance(999);
    expect(await metrics.started()).toBe('1');
    expect(metrics.reads.workflows).toBe(1);
    metrics.advance(1);
    expect(await metrics.started()).toBe('2');
    expect(metrics.reads.workflows).toBe(2);
  });

  it('keeps a snapshot as long as it is told to', async () => {
    const metrics = scraper({ snapshotMaxAgeMs: 5000 });
    expect(await metrics.started()).toBe('1');
    metrics.advance(4999);
    expect(await metrics.started()).toBe('1');
    metrics.advance(1);
    expect(await metrics.started()).toBe('2');
  });
});
