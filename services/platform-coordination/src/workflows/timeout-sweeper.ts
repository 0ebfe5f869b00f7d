import type { SqlClient } from '@fv/messaging';
import { dueTimeTask, type BackgroundTask, type DueTimeTask } from '@fv/service-runtime';
import type { Logger } from 'pino';
import { anyDeadline, dueWorkflows } from './workflow-store.js';
import type { ObserverProgress } from './observer-progress.js';
import type { WorkflowEngine } from './workflow-engine.js';

/**
 * While a workflow waits for a deadline, every `intervalMs`: measures how far the observer has caught up
 * (when it is given an `ObserverProgress`), then finds workflows whose next deadline has passed on the
 * observer's clock (a step or workflow timeout, a compensation that was not answered in time) and applies
 * the passing of time to each, one transaction per workflow. While none waits, it sleeps until a commit
 * (`commitSeen`) may have set one, or `maxIdleMs`. Several replicas may sweep at once: the compare-and-set
 * on the saga's version lets one of them act.
 */
export class TimeoutSweeper implements BackgroundTask {
  readonly name = 'workflow timeout sweeper';
  private failing = false;
  /** Whether the last sweep found a workflow waiting for a deadline. */
  private deadlineWaiting = true;
  private readonly loop: DueTimeTask;

  constructor(
    private readonly engine: WorkflowEngine,
    private readonly options: {
      /** The database without Prisma (the sweeps and the observer's stores write with SQL only). */
      db: SqlClient;
      transaction: <T>(fn: (tx: SqlClient) => Promise<T>) => Promise<T>;
      intervalMs: number;
      batchSize?: number;
      logger: Logger;
      clock?: () => Date;
      /** The observer's progress: deadlines are judged against how far it has caught up. */
      progress?: Pick<ObserverProgress, 'refresh' | 'close'>;
      /** The longest sleep while no workflow waits for a deadline (default `BACKGROUND_MAX_IDLE_MS`). */
      maxIdleMs?: number;
    },
  ) {
    // Every `intervalMs` while a deadline waits: the observer's clock advances only by measurements close
    // enough together.
    this.loop = dueTimeTask(this.name, {
      ready: Promise.resolve(),
      ...(options.maxIdleMs === undefined ? {} : { maxIdleMs: options.maxIdleMs }),
      round: async () => {
        await this.tick();
        return this.deadlineWaiting ? new Date(Date.now() + this.options.intervalMs) : null;
      },
      onError: () => undefined,
    });
  }

  start(): void {
    this.loop.start();
  }

  /** A transaction committed: it may have given a workflow its first deadline. */
  commitSeen(): void {
    if (!this.deadlineWaiting) this.loop.wake();
  }

  /** One sweep: the number of workflows that changed. */
  async sweepOnce(): Promise<number> {
    let now = this.options.clock?.() ?? new Date();
    this.deadlineWaiting = await anyDeadline(this.options.db);
    if (!this.deadlineWaiting) return 0;
    if (this.options.progress) {
      // Each measurement asks the broker for the end offsets of every observed topic: only while a
      // workflow waits for a deadline. The first measurements after an idle spell take it for a pause of
      // the observer, which restarts the count of a timeout at most a sweep or two after its step began.
      const { observedUntil } = await this.options.progress.refresh();
      // Behind, or not caught up since it started: an answer may be waiting in a topic, nothing is due.
      if (observedUntil === null) return 0;
      now = new Date(observedUntil);
    }
    const due = await dueWorkflows(this.options.db, now, this.options.batchSize ?? 200);
    let changed = 0;
    for (const { id } of due) {
      try {
        const result = await this.options.transaction((tx) => this.engine.tick(tx, id));
        if (result?.reduction.changed) changed += 1;
      } catch (error) {
        this.options.logger.warn(
          { err: error, workflowId: id },
          'applying a workflow timeout failed; retrying on the next sweep',
        );
      }
    }
    return changed;
  }

  private async tick(): Promise<void> {
    await this.sweepOnce()
      .then(() => {
        if (this.failing) this.options.logger.info('workflow timeout sweeps recovered');
        this.failing = false;
      })
      .catch((error) => {
        if (!this.failing)
          this.options.logger.warn({ err: error }, 'workflow timeout sweep failed; retrying');
        this.failing = true;
        this.deadlineWaiting = true;
      });
  }

  async close(): Promise<void> {
    await this.loop.close();
    await this.options.progress?.close();
  }
}
