import { openDatabase, type Database } from '@fv/database';
import { directTransactions } from '@fv/messaging';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ObserverClock } from './domain/state.js';
import { TimeoutSweeper } from './timeout-sweeper.js';
import type { WorkflowEngine } from './workflow-engine.js';

describe('TimeoutSweeper and the observer progress', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openDatabase({ kind: 'pglite', dataDir: null });
    await database.exec('create table workflows (id uuid primary key, next_deadline_at timestamptz)');
  });
  afterAll(async () => {
    await database.close();
  });

  function sweeper(now: { at: number }) {
    const refreshes: number[] = [];
    const progress = {
      refresh: async (): Promise<ObserverClock> => {
        refreshes.push(now.at);
        return { observedUntil: null, liveSince: null };
      },
      close: async () => undefined,
    };
    const db = directTransactions(database);
    const sweep = new TimeoutSweeper({} as WorkflowEngine, {
      db,
      transaction: (fn) => db.$transaction(fn),
      intervalMs: 1000,
      logger: pino({ level: 'silent' }),
      clock: () => new Date(now.at),
      progress,
    });
    return { sweep, refreshes };
  }

  it('does not ask the broker while no workflow waits for a deadline', async () => {
    const now = { at: 1_000_000 };
    const { sweep, refreshes } = sweeper(now);
    for (let second = 0; second < 12; second += 1) {
      await sweep.sweepOnce();
      now.at += 1000;
    }
    expect(refreshes).toEqual([]);
  });

  it('measures on every sweep while a workflow waits for a deadline', async () => {
    await database.execute(
      `insert into workflows (id, next_deadline_at) values ('00000000-0000-4000-8000-000000000001', now())`,
    );
    const now = { at: 2_000_000 };
    const { sweep, refreshes } = sweeper(now);
    for (let second = 0; second < 3; second += 1) {
      await sweep.sweepOnce();
      now.at += 1000;
    }
    expect(refreshes).toEqual([2_000_000, 2_001_000, 2_002_000]);
  });
});
