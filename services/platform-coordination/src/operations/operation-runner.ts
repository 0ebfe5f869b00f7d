import { randomUUID } from 'node:crypto';
import { isAppError, type Logger, type Principal } from '@fv/service-kit';
import { BACKGROUND_MAX_IDLE_MS } from '@fv/service-runtime';
import type { Db } from '../shared/db.js';
import {
  claimOperation,
  completeIfSettled,
  findOperation,
  pendingRows,
  runningOperationIds,
  settleRow,
} from './operation-store.js';
import type { DeadLetterService } from '../dlq/dead-letter-service.js';
import type { WorkflowService } from '../workflows/workflow-service.js';

export interface OperationRunnerDeps {
  prisma: Db;
  workflows: WorkflowService;
  deadLetters: DeadLetterService;
  logger: Logger;
  /** How long a claim on an operation holds without progress (another instance takes over after). */
  leaseMs?: number;
  /**
   * How often RUNNING operations are looked for (those of a stopped instance are taken over); default
   * `BACKGROUND_MAX_IDLE_MS`: operations created here are started at once.
   */
  intervalMs?: number;
  now?: () => Date;
}

const BATCH = 20;

/**
 * Works through the rows of RUNNING operations, one target at a time, recording each outcome: the
 * operations this instance created at once, and every few seconds any other RUNNING one nobody holds
 * (so an operation survives a restart).
 */
export class OperationRunner {
  readonly name = 'batch-operations';
  private readonly id = randomUUID();
  private readonly now: () => Date;
  private readonly queue = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private closed = false;

  constructor(private readonly deps: OperationRunnerDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  start(): void {
    this.closed = false;
    this.timer = setInterval(() => void this.sweep(), this.deps.intervalMs ?? BACKGROUND_MAX_IDLE_MS);
    this.timer.unref();
    void this.sweep();
  }

  /** A new operation: its rows are worked through now. */
  enqueue(operationId: string): void {
    this.queue.add(operationId);
    this.drain();
  }

  private async sweep(): Promise<void> {
    try {
      for (const id of await runningOperationIds(this.deps.prisma)) this.queue.add(id);
      this.drain();
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'could not look for running batch operations');
    }
  }

  private drain(): void {
    if (this.running || this.closed) return;
    this.running = (async () => {
      while (!this.closed && this.queue.size) {
        const [id] = this.queue;
        this.queue.delete(id!);
        await this.work(id!).catch((error: unknown) =>
          this.deps.logger.error(
            { err: error, operationId: id },
            'batch operation interrupted; resumed later',
          ),
        );
      }
    })().finally(() => (this.running = null));
  }

  private claim(id: string): Promise<boolean> {
    const now = this.now();
    return claimOperation(
      this.deps.prisma,
      id,
      this.id,
      now,
      new Date(now.getTime() + (this.deps.leaseMs ?? 30_000)),
    );
  }

  /** Works through one operation's pending rows while this instance holds it. */
  async work(id: string): Promise<void> {
    const operation = await findOperation(this.deps.prisma, id);
    if (!operation || operation.status !== 'RUNNING') return;
    const principal: Principal = { sub: operation.requestedBy, roles: ['admin'], exp: 0 };
    while (!this.closed && (await this.claim(id))) {
      const rows = await pendingRows(this.deps.prisma, id, BATCH);
      if (rows.length === 0) break;
      for (const row of rows) {
        if (this.closed) return;
        const outcome = await this.apply(operation, row.targetId, principal);
        await settleRow(this.deps.prisma, row, outcome, this.now());
      }
    }
    if (await completeIfSettled(this.deps.prisma, id, this.now())) {
      const done = await findOperation(this.deps.prisma, id);
      this.deps.logger.info(
        { operationId: id, type: operation.type, succeeded: done?.succeeded, failed: done?.failed },
        'batch operation completed',
      );
    }
  }

  /** Does one row's action through the same use case as the single-target API. */
  private async apply(
    operation: { id: string; type: string; reason: string | null },
    targetId: string,
    principal: Principal,
  ) {
    const { type, reason } = operation;
    const metadata = { operationId: operation.id, ...(reason ? { reason: reason.slice(0, 500) } : {}) };
    try {
      if (type === 'RETRY') {
        await this.deps.workflows.retry(targetId, { metadata }, principal, null);
      } else if (type === 'CANCEL') {
        await this.deps.workflows.cancel(
          targetId,
          {
            reason: 'ADMIN_REQUESTED',
            initiatedBy: 'ADMIN',
            ...(reason ? { reasonDetails: reason } : {}),
            metadata,
          },
          principal,
          null,
        );
      } else {
        await this.deps.deadLetters.replay(targetId, principal.sub);
      }
      return { status: 'SUCCEEDED' as const, errorCode: null, message: null };
    } catch (error) {
      // A refusal is this row's outcome; a dependency that is down (database, broker) leaves the row
      // pending: the operation stops here and is taken up again by the next sweep.
      if (isAppError(error) && !error.retriable) {
        return { status: 'FAILED' as const, errorCode: error.code, message: error.message.slice(0, 2000) };
      }
      throw error;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
