import { readFileSync } from 'node:fs';
import type { TestDatabase } from '@fv/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoordinationRuntime } from '../src/runtime.js';
import { startCoordination, testDatabase } from './support.js';

/**
 * The Prometheus alerting rules shipped in `alerts/`: the alerts seed 000 and seed 003 ask for, each
 * on series the service really serves at /metrics (an alert on a metric nobody exports never fires).
 */
interface Alert {
  name: string;
  expr: string;
  duration: string;
}

function alertsOf(file: string): Alert[] {
  const rules = readFileSync(new URL(`../alerts/${file}`, import.meta.url), 'utf8');
  return [...rules.matchAll(/- alert: (\w+)\n\s+expr: (.+)\n\s+for: (\w+)/g)].map(
    ([, name, expr, duration]) => ({ name: name!, expr: expr!, duration: duration! }),
  );
}

/** The metric names a PromQL expression reads (functions, aggregations and labels left out). */
function metricsOf(expr: string): string[] {
  const series = expr
    .replace(/\{[^}]*\}|\[[^\]]*\]/g, '')
    .replace(/\bby \([^)]*\)/g, '')
    .replace(/\b[a-z_]+\s*\(/g, '(');
  return series.match(/\b[a-z_][a-z0-9_]*\b/g) ?? [];
}

let database: TestDatabase;
let runtime: CoordinationRuntime;
let exported: Set<string>;

beforeAll(async () => {
  database = await testDatabase('alert-rules');
  runtime = await startCoordination(database);
  const scrape = await runtime.app.inject({ method: 'GET', url: '/metrics' });
  expect(scrape.statusCode).toBe(200);
  exported = new Set([...scrape.body.matchAll(/^# TYPE (\w+) /gm)].map(([, name]) => name!));
});
afterAll(async () => {
  await runtime?.stop();
  await database?.dispose();
});

describe('alert rules', () => {
  it("has the seed's three platform alerts, on series /metrics serves", () => {
    const alerts = alertsOf('platform-coordination.rules.yml');
    expect(alerts.map((alert) => [alert.name, alert.expr, alert.duration])).toEqual([
      ['HighWorkflowFailureRate', 'max by (workflow_type) (rate(workflow_failed_total[5m])) > 0.1', '5m'],
      ['StuckWorkflows', 'max(workflow_stuck_count) > 10', '10m'],
      ['ServiceDown', 'up{job="platform-coordination"} == 0', '1m'],
    ]);
    // `up` is Prometheus' own series about the scrape; the others must be the service's.
    expect(alerts.flatMap((alert) => metricsOf(alert.expr))).toEqual([
      'workflow_failed_total',
      'workflow_stuck_count',
      'up',
    ]);
    for (const name of ['workflow_failed_total', 'workflow_stuck_count']) expect(exported).toContain(name);
  });

  it('fires when a topic has had pending dead letters for 5 minutes, on a gauge /metrics serves', () => {
    const alerts = alertsOf('dead-letters.rules.yml');
    expect(alerts).toEqual([
      { name: 'DeadLettersPending', expr: 'max by (topic) (dlq_pending_messages) > 0', duration: '5m' },
    ]);
    expect(metricsOf(alerts[0]!.expr)).toEqual(['dlq_pending_messages']);
    expect(exported).toContain('dlq_pending_messages');
  });
});
