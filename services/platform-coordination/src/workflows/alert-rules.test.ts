import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const rules = readFileSync(new URL('../../alerts/platform-coordination.rules.yml', import.meta.url), 'utf8');
const metrics = readFileSync(new URL('./workflow-metrics.ts', import.meta.url), 'utf8');

describe('alert rules', () => {
  it("has the seed's three alerts, on metrics the service exports", () => {
    const alerts = [...rules.matchAll(/- alert: (\w+)\n\s+expr: (.+)\n\s+for: (\w+)/g)].map(
      ([, name, expr, duration]) => ({ name, expr, duration }),
    );
    expect(alerts.map((alert) => [alert.name, alert.duration])).toEqual([
      ['HighWorkflowFailureRate', '5m'],
      ['StuckWorkflows', '10m'],
      ['ServiceDown', '1m'],
    ]);
    expect(alerts[0]!.expr).toContain('rate(workflow_failed_total[5m])) > 0.1');
    expect(alerts[1]!.expr).toContain('workflow_stuck_count) > 10');
    expect(alerts[2]!.expr).toBe('up{job="platform-coordination"} == 0');
    for (const name of ['workflow_failed_total', 'workflow_stuck_count'])
      expect(metrics).toContain(`'${name}'`);
  });
});
