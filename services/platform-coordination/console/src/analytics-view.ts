import { api } from './api.js';
import { barChart } from './charts.js';
import { h } from './dom.js';

interface Percentiles {
  count: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

/** The part of GET /analytics/dashboard the view draws. */
interface Dashboard {
  window: { from: string; to: string };
  ordersPerMinute: { minute: string; created: number; completed: number; failed: number }[];
  conversion: { created: number; completed: number; failed: number; rate: number | null };
  revenue: { currency: string; orders: number; net: string }[];
  latency: { workflowType: string; total: Percentiles; steps: { step: string; latency: Percentiles }[] }[];
}

const clock = (iso: string) => iso.slice(11, 16);
const seconds = (ms: number | null) => (ms === null ? '–' : `${(ms / 1000).toFixed(1)} s`);

/** Orders per minute and latency per step over the last hour, drawn from the analytics dashboard. */
export async function analyticsView(): Promise<HTMLElement> {
  const dashboard = await api<Dashboard>('GET', '/analytics/dashboard');
  const { conversion } = dashboard;
  const orders = barChart(
    `Orders created per minute, ${clock(dashboard.window.from)}–${clock(dashboard.window.to)} UTC`,
    dashboard.ordersPerMinute.map((point) => ({
      label: clock(point.minute),
      value: point.created,
      tone: point.failed ? 'FAILED' : 'COMPLETED',
      caption: `${point.created} created, ${point.completed} completed, ${point.failed} failed`,
    })),
    { testId: 'analytics-orders' },
  );
  const latencies = dashboard.latency
    .filter((entry) => entry.total.count > 0 || entry.steps.some((step) => step.latency.count > 0))
    .map((entry) =>
      barChart(
        `${entry.workflowType}: p95 per step (total p95 ${seconds(entry.total.p95)})`,
        entry.steps.map((step) => ({
          label: step.step.split('_')[0]!.slice(0, 8),
          value: step.latency.p95 ?? 0,
          caption: `${step.step}: p50 ${seconds(step.latency.p50)}, p95 ${seconds(step.latency.p95)}, p99 ${seconds(step.latency.p99)} (${step.latency.count})`,
        })),
        { testId: `analytics-latency-${entry.workflowType}` },
      ),
    );
  return h(
    'section',
    { class: 'analytics', 'data-testid': 'analytics' },
    h('p', {}, h('a', { href: '#/' }, '← Workflows')),
    h('h2', {}, 'Analytics'),
    h(
      'p',
      { 'data-testid': 'analytics-conversion' },
      `${conversion.created} orders created, ${conversion.completed} completed, ${conversion.failed} failed` +
        (conversion.rate === null ? '' : ` (conversion ${(conversion.rate * 100).toFixed(1)} %)`) +
        dashboard.revenue.map((row) => ` · ${row.net} ${row.currency} net`).join(''),
    ),
    orders,
    latencies.length ? latencies : h('p', {}, 'No workflow started in the last hour.'),
  );
}
