import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DLQ_PENDING_METRIC } from './dead-letter-metrics.js';

const rules = readFileSync(new URL('../../alerts/dead-letters.rules.yml', import.meta.url), 'utf8');

describe('dead-letter alert rule', () => {
  it('fires when a topic has had pending dead letters for 5 minutes, on the gauge the service exports', () => {
    const alerts = [...rules.matchAll(/- alert: (\w+)\n\s+expr: (.+)\n\s+for: (\w+)/g)].map(
      ([, name, expr, duration]) => ({
        name,
        expr,
        duration,
      }),
    );
    expect(alerts).toEqual([
      { name: 'DeadLettersPending', expr: `max by (topic) (${DLQ_PENDING_METRIC}) > 0`, duration: '5m' },
    ]);
    expect(DLQ_PENDING_METRIC).toBe('dlq_pending_messages');
  });
});
