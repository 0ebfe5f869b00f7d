import { readdirSync, readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { MessagingMetrics, registerOutboxGauges } from './metrics.js';

const root = new URL('../../../infra/observability/', import.meta.url);
const dashboards = new URL('grafana/dashboards/', root);

/** Metrics other parts of the platform export (service-kit, the runtime, orders, the coordination service). */
const PLATFORM_METRICS = [
  'up',
  'http_request_duration_seconds',
  'messaging_consumed_events_total',
  'messaging_consumer_waiting_on_outage',
  'circuit_breaker_state',
  'payment_captures_waiting',
  'dlq_pending_messages',
  'workflow_started_total',
  'workflow_completed_total',
  'workflow_failed_total',
  'workflow_active',
  'workflow_stuck_count',
  'workflow_duration_seconds',
  'saga_compensation_total',
];

async function exportedMetrics(): Promise<Set<string>> {
  const registry = new Registry();
  new MessagingMetrics(registry);
  registerOutboxGauges(registry, {
    backlog: async () => ({ pending: 0, oldestAgeSeconds: 0 }),
    stats: () => ({ unpublishable: 0 }),
  });
  const names = [...(await registry.getMetricsAsJSON()).map((metric) => metric.name), ...PLATFORM_METRICS];
  return new Set(names.flatMap((name) => [name, `${name}_bucket`, `${name}_count`, `${name}_sum`]));
}

/** Metric names in a PromQL expression: identifiers followed by `{`, `[`, `)` or the end, not functions or labels. */
function metricsIn(expr: string): string[] {
  const withoutLabels = expr.replace(/\{[^}]*\}/g, '{}').replace(/"[^"]*"/g, '""');
  const keywords = /^(sum|max|min|avg|by|without|rate|increase|histogram_quantile|le|on|and|or|unless)$/;
  return [...withoutLabels.matchAll(/\b([a-z_][a-z0-9_]*)\b(?!\s*\()/g)]
    .map((match) => match[1]!)
    .filter((name) => !keywords.test(name) && (name.includes('_') || name === 'up'))
    .filter(
      (name) =>
        !/^(group|topic|partition|service|event|kind|route|status|breaker|workflow_type|result)$/.test(name),
    );
}

interface Dashboard {
  uid: string;
  title: string;
  panels: { id: number; title: string; gridPos: { x: number; w: number }; targets: { expr: string }[] }[];
}

describe('the Grafana dashboards and alert rules under infra/observability', () => {
  it('are JSON dashboards whose panels query metrics the platform exports', async () => {
    const known = await exportedMetrics();
    const files = readdirSync(dashboards).filter((name) => name.endsWith('.json'));
    expect(files.sort()).toEqual(['business.json', 'messaging.json']);
    const uids = new Set<string>();
    for (const file of files) {
      const dashboard = JSON.parse(readFileSync(new URL(file, dashboards), 'utf8')) as Dashboard;
      expect(dashboard.title, file).toBeTruthy();
      expect(uids.has(dashboard.uid), `${file}: uid`).toBe(false);
      uids.add(dashboard.uid);
      expect(new Set(dashboard.panels.map((panel) => panel.id)).size).toBe(dashboard.panels.length);
      for (const panel of dashboard.panels) {
        expect(panel.gridPos.x + panel.gridPos.w, `${file}: ${panel.title}`).toBeLessThanOrEqual(24);
        expect(panel.targets.length, `${file}: ${panel.title}`).toBeGreaterThan(0);
        for (const { expr } of panel.targets) {
          const unknown = metricsIn(expr).filter((name) => !known.has(name));
          expect(unknown, `${file}: ${panel.title}: ${expr}`).toEqual([]);
        }
      }
    }
  });

  it('are JSON alert rules (for lag, dead letters, stuck sagas, an open breaker) on exported metrics', async () => {
    const known = await exportedMetrics();
    const rules = JSON.parse(readFileSync(new URL('prometheus/messaging.rules.json', root), 'utf8')) as {
      groups: {
        name: string;
        rules: {
          alert: string;
          expr: string;
          for: string;
          labels: { severity: string };
          annotations: { summary: string };
        }[];
      }[];
    };
    const alerts = rules.groups.flatMap((group) => group.rules);
    for (const rule of alerts) {
      expect(rule.for, rule.alert).toMatch(/^\d+[smh]$/);
      expect(['warning', 'critical'], rule.alert).toContain(rule.labels.severity);
      expect(rule.annotations.summary, rule.alert).toBeTruthy();
      expect(
        metricsIn(rule.expr).filter((name) => !known.has(name)),
        rule.alert,
      ).toEqual([]);
    }
    const watched = alerts.flatMap((rule) => metricsIn(rule.expr));
    for (const metric of [
      'messaging_consumer_lag',
      'messaging_dead_letters_total',
      'dlq_pending_messages',
      'workflow_stuck_count',
      'circuit_breaker_state',
    ]) {
      expect(watched, metric).toContain(metric);
    }
  });

  it('finds the metric names in an expression', () => {
    expect(
      metricsIn(
        'histogram_quantile(0.99, sum by (group, le) (rate(messaging_handler_duration_seconds_bucket{service=~"a_b"}[5m])))',
      ),
    ).toEqual(['messaging_handler_duration_seconds_bucket']);
  });
});
