import { describe, expect, it } from 'vitest';
import { eventLoopLag, parseMetric } from './prom-metrics.js';

const SAMPLE = `# HELP nodejs_eventloop_lag_seconds Lag of event loop in seconds.
# TYPE nodejs_eventloop_lag_seconds gauge
nodejs_eventloop_lag_seconds 0.004
nodejs_eventloop_lag_mean_seconds 0.0105
nodejs_eventloop_lag_max_seconds 0.0331
nodejs_eventloop_lag_p99_seconds 0.0209
http_requests_total{method="GET",status="200"} 12
`;

describe('prom metrics', () => {
  it('reads a metric by its exact name, not a longer one sharing the prefix', () => {
    expect(parseMetric(SAMPLE, 'nodejs_eventloop_lag_seconds')).toBe(0.004);
    expect(parseMetric(SAMPLE, 'http_requests_total')).toBe(12);
    expect(parseMetric(SAMPLE, 'missing_metric')).toBeNull();
  });

  it('gives the event-loop delay in milliseconds', () => {
    const lag = eventLoopLag(SAMPLE);
    expect(lag.meanMs).toBeCloseTo(10.5);
    expect(lag.p99Ms).toBeCloseTo(20.9);
    expect(lag.maxMs).toBeCloseTo(33.1);
  });
});
