import type { SqlClient } from '@fv/messaging';
import type { BackgroundTask } from '@fv/service-runtime';
import type { Logger } from 'pino';
import { anyDeadline, dueWorkflows } from '../db/workflow-store.js';
import type { ObserverProgress } from './observer-progress.js';
import type { WorkflowEngine } from './workflow-engine.js';

/**
 * Measures how far the observer has caught up (when it is given an `ObserverProgress` and a workflow waits
 * for a deadline), then finds
 * workflows whose next deadline has passed on the observer's clock (a step or workflow timeout, a compensation that was
 * not answered in time) and applies the passing of time to each, one transaction per workflow. Several
 * replicas may sweep at once: the compare-and-set on the saga's version lets one of them act.
 */
export class TimeoutSweeper implements BackgroundTask {
  readonly name = 'workflow timeout sweeper';
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private failing = false;

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
    },
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.options.intervalMs);
    this.timer.unref();
  }

  /** One sweep: the number of workflows that changed. */
  async sweepOnce(): Promise<number> {
    let now = this.options.clock?.() ?? new Date();
    if (this.options.progress) {
      // Each measurement asks the broker for the end offsets of every observed topic: only while a
      // workflow waits for a deadline. The first measurements after an idle spell take it for a pause of
      // the observer, which restarts the count of a timeout at most a sweep or two after its step began.
      if (!(await anyDeadline(this.options.db))) return 0;
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
    if (this.running) return;
    this.running = this.sweepOnce()
      .then(() => {
        if (this.failing) this.options.logger.info('workflow timeout sweeps recovered');
        this.failing = false;
      })
      .catch((error) => {
        if (!this.failing)
          this.options.logger.warn({ err: error }, 'workflow timeout sweep failed; retrying');
        this.failing = true;
      })
      .finally(() => {
        this.running = null;
      });
    await this.running;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
    await this.options.progress?.close();
  }
}
