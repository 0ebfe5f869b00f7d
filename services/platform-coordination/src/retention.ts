import type { RetentionRule } from '@fv/service-runtime';

const HOUR_MS = 60 * 60 * 1000;

/**
 * The coordination service's tables that only grow, purged with the outbox and processed events:
 * the history of finished workflows, settled webhook deliveries, answered start requests and the
 * analytics' per-minute counters.
 */
export function coordinationRetentionRules(config: {
  WORKFLOW_EVENTS_RETENTION_DAYS: number;
  WEBHOOK_DELIVERIES_RETENTION_DAYS: number;
  WORKFLOW_START_REQUESTS_RETENTION_HOURS: number;
  ANALYTICS_MINUTE_COUNTS_RETENTION_DAYS: number;
}): RetentionRule[] {
  return [
    {
      // Only the events of a workflow that finished before the cutoff: a running one keeps its history.
      table: 'workflow_events',
      where:
        't.created_at < $1 and exists (select 1 from workflows w where w.id = t.workflow_id ' +
        'and w.completed_at is not null and w.completed_at < $1)',
      retentionMs: config.WORKFLOW_EVENTS_RETENTION_DAYS * 24 * HOUR_MS,
    },
    {
      // A pending delivery is still to be attempted; delivered and failed ones are history.
      table: 'webhook_deliveries',
      where: "t.status <> 'PENDING' and t.created_at < $1",
      retentionMs: config.WEBHOOK_DELIVERIES_RETENTION_DAYS * 24 * HOUR_MS,
    },
    {
      table: 'workflow_start_requests',
      where: 't.created_at < $1',
      retentionMs: config.WORKFLOW_START_REQUESTS_RETENTION_HOURS * HOUR_MS,
    },
    {
      // The analytics' per-minute counters: windows older than this answer zero.
      table: 'analytics_minute_counts',
      where: 't.minute < $1',
      retentionMs: config.ANALYTICS_MINUTE_COUNTS_RETENTION_DAYS * 24 * HOUR_MS,
    },
  ];
}
