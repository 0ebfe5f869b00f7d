import { pagination } from '@fv/service-kit';
import {
  consoleCounts,
  consoleFingerprint,
  deliveriesOfWorkflow,
  listConsoleWorkflows,
  workflowFingerprint,
  type ConsoleWorkflowRow,
} from './console-queries.js';
import type { Db } from '../shared/db.js';
import { ACTIVE_WORKFLOW_STATUSES } from '../workflows/domain/state.js';
import type { DeadLetterService } from '../dlq/dead-letter-service.js';
import type { WorkflowService } from '../workflows/workflow-service.js';
import { timelineOf } from './domain/timeline.js';
import { workflowFilterOf, type WorkflowFilterInput } from './domain/workflow-filter.js';

export interface ConsoleServiceDeps {
  prisma: Db;
  workflows: WorkflowService;
  deadLetters: DeadLetterService;
  stuckAfterMs: number;
  now?: () => Date;
}

const ACTIVE = ACTIVE_WORKFLOW_STATUSES as readonly string[];

/** What the saga console reads: filtered workflows with counts, and one order's whole story. */
export class ConsoleService {
  private readonly now: () => Date;

  constructor(private readonly deps: ConsoleServiceDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  private stuckBefore(): Date {
    return new Date(this.now().getTime() - this.deps.stuckAfterMs);
  }

  private row(row: ConsoleWorkflowRow, stuckBefore: Date) {
    return {
      workflowId: row.id,
      orderId: row.correlationId,
      workflowType: row.workflowType,
      status: row.status,
      currentStep: row.currentStep,
      customerId: row.customerId,
      priority: row.priority,
      sagaId: row.saga?.id ?? null,
      sagaState: row.saga?.status ?? null,
      stuck: ACTIVE.includes(row.status) && row.updatedAt < stuckBefore,
      startedAt: row.startedAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
      completedAt: row.completedAt?.toISOString() ?? null,
    };
  }

  /** A page of the workflows the filter matches, with counts per status (and stuck) under the other filters. */
  async workflows(input: WorkflowFilterInput, page: number, size: number) {
    const stuckBefore = this.stuckBefore();
    const filter = workflowFilterOf(input, this.now(), this.deps.stuckAfterMs);
    const [{ rows, total }, counts, deadLetters] = await Promise.all([
      listConsoleWorkflows(this.deps.prisma, filter, page, size),
      consoleCounts(this.deps.prisma, filter, ACTIVE, stuckBefore),
      this.deps.deadLetters.summary({}),
    ]);
    return {
      workflows: rows.map((row) => this.row(row, stuckBefore)),
      pagination: pagination(page, size, total),
      counts: {
        matched: total,
        byStatus: counts.byStatus,
        active: ACTIVE.reduce((sum, status) => sum + (counts.byStatus[status] ?? 0), 0),
        stuck: counts.stuck,
        deadLettersPending: deadLetters.byStatus.PENDING,
      },
      stuckAfterMs: this.deps.stuckAfterMs,
    };
  }

  /** One order: its workflow, saga, dead letters, webhook deliveries, and all of them as one timeline. */
  async order(id: string) {
    const workflow = await this.deps.workflows.status(id);
    const [saga, deadLetters, deliveries] = await Promise.all([
      this.deps.workflows.saga(workflow.saga.sagaId),
      this.deps.deadLetters.list({ orderId: workflow.orderId ?? workflow.correlationId }, 0, 100),
      deliveriesOfWorkflow(this.deps.prisma, workflow.workflowId),
    ]);
    const stuck = ACTIVE.includes(workflow.status) && new Date(workflow.updatedAt!) < this.stuckBefore();
    return {
      workflow,
      saga,
      stuck,
      deadLetters: deadLetters.deadLetters,
      webhooks: deliveries.map((delivery) => ({
        id: delivery.id,
        eventType: delivery.eventType,
        url: delivery.subscription.url,
        status: delivery.status,
        attempts: delivery.attempts,
        lastStatusCode: delivery.lastStatusCode,
        lastError: delivery.lastError,
        createdAt: delivery.createdAt.toISOString(),
        deliveredAt: delivery.deliveredAt?.toISOString() ?? null,
      })),
      timeline: timelineOf(workflow.events, deadLetters.deadLetters, deliveries),
    };
  }

  /** Changes whenever anything the console lists changes (a workflow becoming stuck included). */
  fingerprint(): Promise<string> {
    return consoleFingerprint(this.deps.prisma, ACTIVE, this.stuckBefore());
  }

  /** Changes whenever the order's workflow, dead letters or deliveries change. */
  orderFingerprint(workflowId: string, orderId: string): Promise<string> {
    return workflowFingerprint(this.deps.prisma, workflowId, orderId);
  }
}
