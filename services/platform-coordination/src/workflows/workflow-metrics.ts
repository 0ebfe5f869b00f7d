import type { FastifyInstance } from 'fastify';
import type { Db } from '../shared/db.js';
import { ACTIVE_WORKFLOW_STATUSES } from './domain/state.js';

export const DURATION_BUCKETS_SECONDS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600];

interface Snapshot {
  workflows: { workflow_type: string; status: string; kind: string | null; n: bigint; stuck: bigint }[];
  compensations: { workflow_type: string; status: string; n: bigint }[];
  durations: { workflow_type: string; status: string; n: bigint; total: number; buckets: bigint[] }[];
}

type MetricValue = { labels: Record<string, string | number>; value: number; metricName?: string };

/** How long one database snapshot answers the scrapes that follow it (every metric of one scrape reads it). */
export const DEFAULT_SNAPSHOT_MAX_AGE_MS = 1000;

/** What `registerWorkflowMetrics` reads the metrics with. */
export interface WorkflowMetricsOptions {
  prisma: Db;
  stuckAfterMs: number;
  /** The clock of the stuck threshold and of the snapshot's age. */
  now?: () => Date;
  /** How long a snapshot is reused, in milliseconds (default {@link DEFAULT_SNAPSHOT_MAX_AGE_MS}). */
  snapshotMaxAgeMs?: number;
}

/** The figures of one scrape: workflows by type, status and trigger, compensations, and finished workflows' durations. */
async function readSnapshot(prisma: Db, now: Date, stuckAfterMs: number): Promise<Snapshot> {
  const [workflows, compensations, durations] = await Promise.all([
    prisma.$queryRawUnsafe<Snapshot['workflows']>(
      `select workflow_type, status, context->'trigger'->>'kind' as kind, count(*) as n,
              count(*) filter (where updated_at < $1) as stuck
         from workflows group by 1, 2, 3`,
      new Date(now.getTime() - stuckAfterMs),
    ),
    prisma.$queryRawUnsafe<Snapshot['compensations']>(
      `select w.workflow_type, s.status, count(*) as n from sagas s join workflows w on w.id = s.workflow_id
        where s.compensation_started_at is not null group by 1, 2`,
    ),
    prisma.$queryRawUnsafe<Snapshot['durations']>(
      `select workflow_type, status, count(*) as n,
              coalesce(sum(extract(epoch from (completed_at - started_at))), 0)::float8 as total,
              array[${DURATION_BUCKETS_SECONDS.map((b) => `count(*) filter (where extract(epoch from (completed_at - started_at)) <= ${b})`).join(', ')}] as buckets
         from workflows where completed_at is not null group by 1, 2`,
    ),
  ]);
  return { workflows, compensations, durations };
}

/** The snapshot of the scrape: one read of the database answers every metric for `snapshotMaxAgeMs`. */
function cachedSnapshot(options: WorkflowMetricsOptions): () => Promise<Snapshot> {
  const clock = options.now ?? (() => new Date());
  const maxAgeMs = options.snapshotMaxAgeMs ?? DEFAULT_SNAPSHOT_MAX_AGE_MS;
  let cached: { at: number; snapshot: Promise<Snapshot> } | null = null;
  return (): Promise<Snapshot> => {
    const now = clock();
    if (cached && now.getTime() - cached.at < maxAgeMs) return cached.snapshot;
    const work = readSnapshot(options.prisma, now, options.stuckAfterMs);
    cached = { at: now.getTime(), snapshot: work };
    work.catch(() => (cached = null));
    return work;
  };
}

/** Workflow counts per type, of the rows `keep` accepts. */
function sumBy(
  rows: Snapshot['workflows'],
  keep: (row: Snapshot['workflows'][number]) => boolean,
  field: 'n' | 'stuck' = 'n',
): MetricValue[] {
  const totals = new Map<string, number>();
  for (const row of rows)
    if (keep(row)) totals.set(row.workflow_type, (totals.get(row.workflow_type) ?? 0) + Number(row[field]));
  return [...totals].map(([workflowType, value]) => ({ labels: { workflow_type: workflowType }, value }));
}

function active(row: { status: string }): boolean {
  return (ACTIVE_WORKFLOW_STATUSES as readonly string[]).includes(row.status);
}

/** The histogram of one type and final status: its buckets, then +Inf, sum and count. */
function durationValues(row: Snapshot['durations'][number]): MetricValue[] {
  const labels = { workflow_type: row.workflow_type, status: row.status };
  return [
    ...DURATION_BUCKETS_SECONDS.map((le, index) => ({
      labels: { ...labels, le },
      value: Number(row.buckets[index]),
      metricName: 'workflow_duration_seconds_bucket',
    })),
    {
      labels: { ...labels, le: '+Inf' },
      value: Number(row.n),
      metricName: 'workflow_duration_seconds_bucket',
    },
    { labels, value: row.total, metricName: 'workflow_duration_seconds_sum' },
    { labels, value: Number(row.n), metricName: 'workflow_duration_seconds_count' },
  ];
}

/** A metric: what it is, and how its values come from the scrape's snapshot. */
interface MetricDefinition {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  values: (snapshot: Snapshot) => MetricValue[];
}

function metric(
  name: string,
  help: string,
  type: 'counter' | 'gauge' | 'histogram',
  values: (snapshot: Snapshot) => MetricValue[],
): MetricDefinition {
  return { name, help, type, values };
}

const WORKFLOW_METRICS: MetricDefinition[] = [
  metric('workflow_started_total', 'Workflows started, by type', 'counter', (s) =>
    sumBy(s.workflows, () => true),
  ),
  metric('workflow_completed_total', 'Workflows that completed successfully, by type', 'counter', (s) =>
    sumBy(s.workflows, (row) => row.status === 'COMPLETED'),
  ),
  metric(
    'workflow_failed_total',
    'Workflows that failed (a step failed or timed out, or an operator compensated them), by type',
    'counter',
    (s) =>
      sumBy(s.workflows, (row) => row.kind === 'FAILURE' || row.kind === 'TIMEOUT' || row.kind === 'MANUAL'),
  ),
  metric('workflow_active', 'Workflows running or compensating, by type', 'gauge', (s) =>
    sumBy(s.workflows, active),
  ),
  metric('workflow_stuck_count', 'Active workflows not updated for WORKFLOW_STUCK_AFTER', 'gauge', (s) => {
    const stuck = s.workflows.filter(active).reduce((sum, row) => sum + Number(row.stuck), 0);
    return [{ labels: {}, value: stuck }];
  }),
  metric(
    'saga_compensation_total',
    'Sagas whose compensation started, by type and state (COMPENSATING, COMPENSATED, COMPENSATION_FAILED)',
    'counter',
    (s) =>
      s.compensations.map((row) => ({
        labels: { workflow_type: row.workflow_type, state: row.status },
        value: Number(row.n),
      })),
  ),
  metric(
    'workflow_duration_seconds',
    'Time from start to end of finished workflows, by type and final status',
    'histogram',
    (s) => s.durations.flatMap(durationValues),
  ),
];

/**
 * The seed's Prometheus metrics, read from the database when scraped (one snapshot per scrape), so they
 * count what the platform did, across restarts and replicas: every replica reports the same totals
 * (aggregate with max(), not sum()).
 */
export function registerWorkflowMetrics(
  registry: FastifyInstance['metrics'],
  options: WorkflowMetricsOptions,
): void {
  const snapshot = cachedSnapshot(options);
  const metrics = WORKFLOW_METRICS.map(({ name, help, type, values }) => ({
    name,
    help,
    type,
    aggregator: 'max',
    async get() {
      return { name, help, type, aggregator: 'max', values: values(await snapshot()) };
    },
    reset() {},
  }));
  for (const entry of metrics) registry.registerMetric(entry as never);
}
