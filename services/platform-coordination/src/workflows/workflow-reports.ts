import { AppError, type SchemaType } from '@fv/service-kit';
import type { Db } from '../shared/db.js';
import { compensationFigures, outcomes, stepPerformance, type OutcomeRow } from './metrics-queries.js';
import { activeSummary, listActive } from './workflow-queries.js';
import { parseId } from '../shared/domain/ids.js';
import { formatIsoDuration } from '../shared/domain/iso-duration.js';
import { ACTIVE_WORKFLOW_STATUSES } from './domain/state.js';
import { executionOrder, ORDER_FULFILLMENT, type WorkflowTemplate } from './domain/template.js';
import { pagination } from '../http/schemas.js';
import type { activeQuery } from './workflow-routes.js';
import { estimatedCompletion, metadataOf, progressOf, type Estimates } from './workflow-document.js';

export const PERIODS = ['TODAY', 'WEEK', 'MONTH'] as const;
export type Period = (typeof PERIODS)[number];
export const SORT_FIELDS = ['startedAt', 'createdAt', 'updatedAt'] as const;

/** The filters, page and sort of GET /workflows/active (defaults applied). */
export type ActiveQuery = SchemaType<typeof activeQuery>;

const DAY = 86_400_000;

function startOfUtcDay(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
}

/** TODAY: since midnight UTC; WEEK: the last 7 days; MONTH: the last 30 days (today included). */
export function periodBounds(period: Period, now: Date): { start: Date; end: Date; description: string } {
  const today = startOfUtcDay(now);
  const days = period === 'TODAY' ? 1 : period === 'WEEK' ? 7 : 30;
  const start = new Date(today.getTime() - (days - 1) * DAY);
  const description =
    period === 'TODAY'
      ? `Today (${today.toISOString().slice(0, 10)})`
      : `Last ${days} days (${start.toISOString().slice(0, 10)} to ${today.toISOString().slice(0, 10)})`;
  return { start, end: new Date(today.getTime() + DAY), description };
}

function rate(part: number, total: number): number | null {
  return total === 0 ? null : Math.round((part / total) * 10_000) / 100;
}

function duration(ms: number | null): string | null {
  return ms === null ? null : formatIsoDuration(ms);
}

function figures(row: OutcomeRow) {
  return {
    total: row.total,
    completed: row.completed,
    failed: row.failed,
    cancelled: row.cancelled,
    successRate: rate(row.completed, row.total),
    averageExecutionTime: duration(row.avg_ms),
  };
}

/** The overview's figures: seed 001 names the count `totalWorkflows` there (and `total` per type). */
function overviewOf(rows: OutcomeRow[]) {
  const { total, ...rest } = figures(combine(rows));
  return { totalWorkflows: total, ...rest };
}

function combine(rows: OutcomeRow[]): OutcomeRow {
  const total = rows.reduce((sum, row) => sum + row.total, 0);
  const completed = rows.reduce((sum, row) => sum + row.completed, 0);
  const weighted = rows.reduce((sum, row) => sum + (row.avg_ms ?? 0) * row.completed, 0);
  return {
    key: 'all',
    total,
    completed,
    failed: rows.reduce((sum, row) => sum + row.failed, 0),
    cancelled: rows.reduce((sum, row) => sum + row.cancelled, 0),
    avg_ms: completed ? weighted / completed : null,
  };
}

function invalid(field: string, rule: string, message: string): AppError {
  return new AppError('INVALID_REQUEST', `${field} ${message}`, {
    details: { fields: [{ field, rule, message }] },
  });
}

/** The read side of the workflow API: the active list and the metrics, from the stored workflows. */
export class WorkflowReports {
  constructor(
    private readonly deps: {
      prisma: Db;
      templates: WorkflowTemplate[];
      estimates: () => Promise<Estimates>;
      now?: () => Date;
    },
  ) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  async active(query: ActiveQuery) {
    if (
      query.status !== undefined &&
      !(ACTIVE_WORKFLOW_STATUSES as readonly string[]).includes(query.status)
    ) {
      throw invalid(
        'query.status',
        'enum',
        `must be one of the active statuses ${ACTIVE_WORKFLOW_STATUSES.join(', ')}`,
      );
    }
    let customerId: string | undefined;
    if (query.customerId !== undefined) {
      customerId = parseId(query.customerId, ['cust']) ?? undefined;
      if (!customerId)
        throw invalid('query.customerId', 'format', 'must be a customer id (a UUID, optionally cust-<uuid>)');
    }
    const [field = 'startedAt', direction = 'desc'] = (query.sort ?? 'startedAt,desc').split(',');
    const filter = {
      statuses: query.status ? [query.status] : [...ACTIVE_WORKFLOW_STATUSES],
      ...(query.type ? { type: query.type } : {}),
      ...(customerId ? { customerId } : {}),
      ...(query.priority ? { priority: query.priority } : {}),
    };
    const now = this.now();
    const [{ rows, total }, summary, estimates] = await Promise.all([
      listActive(this.deps.prisma, filter, {
        page: query.page,
        size: query.size,
        sort: { field: field as (typeof SORT_FIELDS)[number], direction: direction as 'asc' | 'desc' },
      }),
      activeSummary(this.deps.prisma, filter, now),
      this.deps.estimates(),
    ]);
    return {
      workflows: rows.map((row) => ({
        workflowId: row.id,
        workflowType: row.workflowType,
        status: row.status,
        // A return's workflow concerns its order (kept in its metadata); a replenishment's none.
        orderId:
          row.workflowType === ORDER_FULFILLMENT
            ? row.correlationId
            : ((row.metadata as { orderId?: string } | null)?.orderId ?? null),
        correlationId: row.correlationId,
        currentStep: row.currentStep,
        progress: progressOf(row).percentage,
        startedAt: row.startedAt.toISOString(),
        updatedAt: row.updatedAt.toISOString(),
        estimatedCompletion: estimatedCompletion(row as never, estimates),
        metadata: metadataOf(row as never),
      })),
      summary: {
        totalActive: summary.totalActive,
        byType: summary.byType,
        byStatus: summary.byStatus,
        averageExecutionTime: duration(summary.averageAgeMs),
      },
      pagination: pagination(query.page, query.size, total),
    };
  }

  async metrics(query: { period?: Period; type?: string; includeHistorical?: boolean }) {
    const period = query.period ?? 'TODAY';
    const type = query.type ?? null;
    const now = this.now();
    const bounds = periodBounds(period, now);
    const [byType, steps, compensation, daily, hourly] = await Promise.all([
      outcomes(this.deps.prisma, bounds.start, bounds.end, type, 'workflow_type'),
      stepPerformance(this.deps.prisma, bounds.start, bounds.end, type),
      compensationFigures(this.deps.prisma, bounds.start, bounds.end, type),
      outcomes(
        this.deps.prisma,
        bounds.start,
        bounds.end,
        type,
        `to_char(started_at at time zone 'UTC', 'YYYY-MM-DD')`,
      ),
      outcomes(
        this.deps.prisma,
        bounds.start,
        bounds.end,
        type,
        `lpad(extract(hour from started_at at time zone 'UTC')::int::text, 2, '0')`,
      ),
    ]);
    const stepOrder = this.deps.templates.flatMap((template) =>
      executionOrder(template).map((step) => step.name as string),
    );
    const previous = query.includeHistorical ? await this.previousPeriod(bounds, type) : undefined;
    return {
      period: {
        name: period,
        start: bounds.start.toISOString(),
        end: bounds.end.toISOString(),
        description: bounds.description,
      },
      overview: overviewOf(byType),
      workflowTypes: Object.fromEntries(byType.map((row) => [row.key, figures(row)])),
      stepPerformance: steps
        .sort((a, b) => stepOrder.indexOf(a.step) - stepOrder.indexOf(b.step))
        .map((step) => ({
          step: step.step,
          executions: step.completed + step.failed,
          averageExecutionTime: duration(step.avgMs),
          successRate: rate(step.completed, step.completed + step.failed),
          commonFailures: step.commonFailures,
        })),
      compensation: {
        totalCompensations: compensation.total,
        successful: compensation.successful,
        failed: compensation.failed,
        inProgress: compensation.inProgress,
        averageCompensationTime: duration(compensation.avgMs),
        mostCommonReasons: compensation.reasons,
      },
      trends: {
        daily: daily.map((row) => ({
          date: row.key,
          workflows: row.total,
          successRate: rate(row.completed, row.total),
          averageTime: duration(row.avg_ms),
        })),
        hourly: hourly.map((row) => ({
          hour: Number(row.key),
          workflows: row.total,
          successRate: rate(row.completed, row.total),
          averageTime: duration(row.avg_ms),
        })),
      },
      ...(previous ? { previousPeriod: previous } : {}),
    };
  }

  /** The overview of the period of the same length just before `bounds` (includeHistorical). */
  private async previousPeriod(bounds: { start: Date; end: Date }, type: string | null) {
    const length = bounds.end.getTime() - bounds.start.getTime();
    const start = new Date(bounds.start.getTime() - length);
    const rows = await outcomes(this.deps.prisma, start, bounds.start, type, 'workflow_type');
    return {
      period: { start: start.toISOString(), end: bounds.start.toISOString() },
      overview: overviewOf(rows),
    };
  }

  /** The templates the observer runs from, with how much they were used in the last 30 days. */
  async templates() {
    const now = this.now();
    const since = new Date(now.getTime() - 30 * DAY);
    const usage = await outcomes(this.deps.prisma, since, now, null, 'workflow_type');
    return {
      templates: this.deps.templates.map((template) => {
        const row = usage.find((candidate) => candidate.key === template.type);
        return {
          templateId: template.templateId,
          name: template.name,
          type: template.type,
          sagaType: template.sagaType,
          version: template.version,
          description: template.description,
          timeout: formatIsoDuration(template.timeoutMs),
          steps: template.steps.map((step) => ({
            name: step.name,
            description: step.description,
            service: step.service,
            after: step.after,
            completedBy: step.completedBy.map((rule) => ({
              event: rule.event,
              ...(rule.where ? { where: rule.where } : {}),
              result: rule.result,
            })),
            failedBy: step.failedBy.map((rule) => ({
              event: rule.event,
              ...(rule.where ? { where: rule.where } : {}),
              ...(rule.reason ? { compensationReason: rule.reason } : {}),
              ...(rule.retriableField ? { retriedByOwnerWhen: `${rule.retriableField} = true` } : {}),
            })),
            timeout: step.timeoutMs === null ? null : formatIsoDuration(step.timeoutMs),
            critical: step.critical,
            retryPolicy: {
              maxAttempts: step.retryPolicy.maxAttempts,
              backoffMultiplier: step.retryPolicy.backoffMultiplier,
              initialInterval: formatIsoDuration(step.retryPolicy.initialIntervalMs),
              maxInterval: formatIsoDuration(step.retryPolicy.maxIntervalMs),
            },
          })),
          // One entry per action with its condition, as seed 001 lists them (a slot's alternatives,
          // e.g. REFUND_PAYMENT or VOID_PAYMENT, are both listed, each with the condition it applies on).
          compensationSteps: template.compensations.flatMap((compensation) =>
            compensation.actions.map((candidate) => ({
              name: candidate.action,
              service: compensation.service,
              condition: candidate.condition,
              undoes: compensation.step,
              description: compensation.description,
              critical: compensation.critical,
              ...(compensation.triggers ? { triggers: compensation.triggers } : {}),
              parameters: compensation.parameters,
              answeredBy: compensation.answeredBy,
            })),
          ),
          compensationPolicy: {
            timeout: formatIsoDuration(template.compensationPolicy.timeoutMs),
            maxRetries: template.compensationPolicy.maxRetries,
          },
          active: template.active,
          usage: { lastMonth: row?.total ?? 0, successRate: row ? rate(row.completed, row.total) : null },
        };
      }),
    };
  }
}
