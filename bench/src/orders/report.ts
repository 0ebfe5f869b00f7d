import { EVENT_LOOP_SAMPLE_MS } from '@fv/service-kit';
import { spread, type Spread } from '@fv/testing';
import { PROCESS_NAMES, type BaselinePhase, type OrdersPhase, type ProcessName } from './measure.js';
import { SERVICES, type ServiceName } from './platform.js';
import type { ServerProfile } from './profiles.js';

/** Every repetition of one rate, with the median and min–max of each figure. */
export interface RateSummary {
  rate: number;
  repetitions: number;
  passed: number;
  orders: Record<string, Spread>;
  cpuMsPerOrder: Record<ProcessName, Spread>;
  eventLoopP99Ms: Record<ServiceName, Spread>;
  /** Per accepted order: commits and rows written in each server's database. */
  commitsPerOrder: Record<string, Spread>;
  rowsWrittenPerOrder: Record<string, Spread>;
  /** Per accepted order: rows written in each table, keyed `server.table`. */
  rowsWrittenPerOrderByTable: Record<string, Spread>;
  eventLoopMeanMs: Record<ServiceName, Spread>;
  baseline: Record<string, Spread> | null;
  baselineCpuMsPerRequest: Record<ProcessName, Spread> | null;
}

function perOrder(value: number | undefined, orders: number): number | null {
  return value === undefined || orders === 0 ? null : value / orders;
}

export function summariseRate(rate: number, orders: OrdersPhase[], baseline: BaselinePhase[]): RateSummary {
  const of = <T>(phases: T[], pick: (phase: T) => number | null | undefined) => spread(phases.map(pick));
  const cpuMsPerOrder = {} as Record<ProcessName, Spread>;
  for (const name of PROCESS_NAMES) cpuMsPerOrder[name] = of(orders, (phase) => phase.cpuMsPerOrder[name]);
  const eventLoopP99Ms = {} as Record<ServiceName, Spread>;
  const eventLoopMeanMs = {} as Record<ServiceName, Spread>;
  for (const name of SERVICES) {
    eventLoopP99Ms[name] = of(orders, (phase) => phase.window.eventLoopLag[name]?.p99Ms);
    eventLoopMeanMs[name] = of(orders, (phase) => phase.window.eventLoopLag[name]?.meanMs);
  }
  const commitsPerOrder: Record<string, Spread> = {};
  const rowsWrittenPerOrder: Record<string, Spread> = {};
  for (const name of [...SERVICES, 'payment-provider'] as const) {
    commitsPerOrder[name] = of(orders, (p) => perOrder(p.window.databases[name]?.commits, p.send.ok));
    rowsWrittenPerOrder[name] = of(orders, (p) => perOrder(p.window.databases[name]?.rowsWritten, p.send.ok));
  }
  const rowsWrittenPerOrderByTable: Record<string, Spread> = {};
  const tableKeys = new Set(
    orders.flatMap((p) =>
      Object.entries(p.window.databases).flatMap(([server, stats]) =>
        Object.keys(stats?.tables ?? {}).map((table) => `${server}.${table}`),
      ),
    ),
  );
  for (const key of tableKeys) {
    const [server, table] = [key.slice(0, key.indexOf('.')), key.slice(key.indexOf('.') + 1)];
    rowsWrittenPerOrderByTable[key] = of(orders, (p) =>
      perOrder(p.window.databases[server as ServiceName]?.tables[table], p.send.ok),
    );
  }
  let baselineCpu: Record<ProcessName, Spread> | null = null;
  if (baseline.length > 0) {
    baselineCpu = {} as Record<ProcessName, Spread>;
    for (const name of PROCESS_NAMES)
      baselineCpu[name] = of(baseline, (phase) => phase.cpuMsPerRequest[name]);
  }
  return {
    rate,
    repetitions: orders.length,
    passed: orders.filter((phase) => phase.passed).length,
    orders: {
      acceptedPerSecond: of(orders, (p) => p.send.okPerSecond),
      completedPerSecond: of(orders, (p) => p.completedPerSecond),
      completedPerSecondWithDrain: of(orders, (p) => p.completedPerSecondWithDrain),
      postP50Ms: of(orders, (p) => p.send.latencyMs.p50),
      postP99Ms: of(orders, (p) => p.send.latencyMs.p99),
      postP99FromIntendedMs: of(orders, (p) => p.send.latencyFromIntendedMs.p99),
      sendLagP99Ms: of(orders, (p) => p.send.sendLagMs.p99),
      orderToCompletedP50Ms: of(orders, (p) => p.orderToCompletedMs.p50),
      orderToCompletedP99Ms: of(orders, (p) => p.orderToCompletedMs.p99),
      orderToCompletedMaxMs: of(orders, (p) => p.orderToCompletedMs.max),
      intendedToCompletedP99Ms: of(orders, (p) => p.intendedToCompletedMs.p99),
      cpuMsPerOrderTotal: of(orders, (p) => p.cpuMsPerOrderTotal),
      cpuMsPerOrderNetOfIdle: of(orders, (p) => p.cpuMsPerOrderNetOfIdle),
      failed: of(orders, (p) => p.send.failed),
      drainS: of(orders, (p) => p.drainS),
    },
    eventLoopP99Ms,
    eventLoopMeanMs,
    commitsPerOrder,
    rowsWrittenPerOrder,
    rowsWrittenPerOrderByTable,
    cpuMsPerOrder,
    baseline:
      baseline.length === 0
        ? null
        : {
            okPerSecond: of(baseline, (p) => p.send.okPerSecond),
            p50Ms: of(baseline, (p) => p.send.latencyMs.p50),
            p99Ms: of(baseline, (p) => p.send.latencyMs.p99),
            p99FromIntendedMs: of(baseline, (p) => p.send.latencyFromIntendedMs.p99),
            sendLagP99Ms: of(baseline, (p) => p.send.sendLagMs.p99),
            cpuMsPerRequestTotal: of(baseline, (p) => p.cpuMsPerRequestTotal),
            failed: of(baseline, (p) => p.send.failed),
          },
    baselineCpuMsPerRequest: baselineCpu,
  };
}

function fmt(value: number | null, digits: number): string {
  if (value === null) return '–';
  return value.toFixed(digits);
}

/** "median" for one repetition, "median [min–max]" for several. */
export function cell(value: Spread | undefined, digits = 1): string {
  if (!value) return '–';
  if (value.min === value.max) return fmt(value.median, digits);
  return `${fmt(value.median, digits)} [${fmt(value.min, digits)}–${fmt(value.max, digits)}]`;
}

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, i) =>
    Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells.map((text, i) => (i === 0 ? text.padEnd(widths[i]!) : text.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

export function ordersTable(rates: RateSummary[], sloMs: number): string {
  return table(
    [
      'orders/s',
      'accepted/s',
      'completed/s',
      'with drain',
      'POST p50 ms',
      'POST p99 ms',
      'p99 from intended',
      'send lag p99',
      'o→C p50 ms',
      'o→C p99 ms',
      'o→C max ms',
      'CPU ms/order',
      'net of idle',
      `p99<${sloMs}`,
    ],
    rates.map((r) => [
      String(r.rate),
      cell(r.orders.acceptedPerSecond),
      cell(r.orders.completedPerSecond),
      cell(r.orders.completedPerSecondWithDrain),
      cell(r.orders.postP50Ms),
      cell(r.orders.postP99Ms),
      cell(r.orders.postP99FromIntendedMs),
      cell(r.orders.sendLagP99Ms),
      cell(r.orders.orderToCompletedP50Ms, 0),
      cell(r.orders.orderToCompletedP99Ms, 0),
      cell(r.orders.orderToCompletedMaxMs, 0),
      cell(r.orders.cpuMsPerOrderTotal, 0),
      cell(r.orders.cpuMsPerOrderNetOfIdle, 0),
      `${r.passed}/${r.repetitions}`,
    ]),
  );
}

export function baselineTable(rates: RateSummary[]): string {
  const withBaseline = rates.filter((r) => r.baseline);
  return table(
    [
      'GET /health/live /s',
      'ok/s',
      'p50 ms',
      'p99 ms',
      'p99 from intended',
      'send lag p99',
      'orders CPU ms/req',
      'all CPU ms/req',
    ],
    withBaseline.map((r) => [
      String(r.rate),
      cell(r.baseline!.okPerSecond),
      cell(r.baseline!.p50Ms, 2),
      cell(r.baseline!.p99Ms, 2),
      cell(r.baseline!.p99FromIntendedMs, 2),
      cell(r.baseline!.sendLagP99Ms, 2),
      cell(r.baselineCpuMsPerRequest!.orders, 3),
      cell(r.baseline!.cpuMsPerRequestTotal, 2),
    ]),
  );
}

export function cpuTable(rates: RateSummary[], idle: Record<ProcessName, number> | null): string {
  return table(
    ['CPU ms per order', ...(idle ? ['idle ms/s'] : []), ...rates.map((r) => `${r.rate}/s`)],
    [
      ...PROCESS_NAMES.map((name) => [
        name,
        ...(idle ? [fmt(idle[name] * 1000, 1)] : []),
        ...rates.map((r) => cell(r.cpuMsPerOrder[name], 1)),
      ]),
      [
        'total',
        ...(idle ? [fmt(PROCESS_NAMES.reduce((sum, name) => sum + idle[name], 0) * 1000, 1)] : []),
        ...rates.map((r) => cell(r.orders.cpuMsPerOrderTotal, 1)),
      ],
      ...(idle
        ? [['total net of idle', '', ...rates.map((r) => cell(r.orders.cpuMsPerOrderNetOfIdle, 1))]]
        : []),
    ],
  );
}

export function databaseTable(rates: RateSummary[]): string {
  return table(
    ['database: commits (rows written) per order', ...rates.map((r) => `${r.rate}/s`)],
    Object.keys(rates[0]?.commitsPerOrder ?? {}).map((name) => [
      name,
      ...rates.map((r) => `${cell(r.commitsPerOrder[name], 1)} (${cell(r.rowsWrittenPerOrder[name], 1)})`),
    ]),
  );
}

/** The tables written most per order (by the median of the highest rate), up to `limit`. */
export function tableWritesTable(rates: RateSummary[], limit = 20): string {
  const last = rates[rates.length - 1];
  const keys = Object.keys(last?.rowsWrittenPerOrderByTable ?? {})
    .filter((key) => (last!.rowsWrittenPerOrderByTable[key]?.median ?? 0) >= 0.05)
    .sort(
      (a, b) =>
        (last!.rowsWrittenPerOrderByTable[b]?.median ?? 0) -
        (last!.rowsWrittenPerOrderByTable[a]?.median ?? 0),
    )
    .slice(0, limit);
  return table(
    ['rows written per order, by table', ...rates.map((r) => `${r.rate}/s`)],
    keys.map((key) => [key, ...rates.map((r) => cell(r.rowsWrittenPerOrderByTable[key], 1))]),
  );
}

/** prom-client samples the loop with a timer of this period and reports it: an idle loop reads the period. */
export const EVENT_LOOP_RESOLUTION_MS = EVENT_LOOP_SAMPLE_MS;

function beyondResolution(value: Spread | undefined): Spread | undefined {
  if (!value) return value;
  const less = (v: number | null) => (v === null ? null : Math.max(0, v - EVENT_LOOP_RESOLUTION_MS));
  return { median: less(value.median), min: less(value.min), max: less(value.max) };
}

export function eventLoopTable(rates: RateSummary[]): string {
  return table(
    ['event-loop delay p99 (mean) ms', ...rates.map((r) => `${r.rate}/s`)],
    SERVICES.map((name) => [
      name,
      ...rates.map(
        (r) =>
          `${cell(beyondResolution(r.eventLoopP99Ms[name]), 1)} (${cell(beyondResolution(r.eventLoopMeanMs[name]), 1)})`,
      ),
    ]),
  );
}

export function profileText(profiles: ServerProfile[], top = 8): string {
  const parts: string[] = [];
  for (const { server, window, summary } of profiles) {
    const per = (ms: number) => (window.per === 0 ? '–' : (ms / window.per).toFixed(2));
    parts.push(
      `${server}, ${window.label}: ${summary.busyMs.toFixed(0)} ms busy of ${summary.windowMs.toFixed(0)} ms (${per(summary.busyMs)} ${window.unit})${summary.windowed ? '' : ' — whole profile, the window was outside it'}`,
    );
    const rows = (items: { name: string; ms: number; share: number }[]) =>
      items.map((item) => [
        `  ${item.name.slice(0, 100)}`,
        per(item.ms),
        `${(item.share * 100).toFixed(1)}%`,
      ]);
    parts.push(table(['  theme', window.unit, 'share'], rows(summary.themes.filter((t) => t.share >= 0.01))));
    parts.push(table(['  top modules (self)', window.unit, 'share'], rows(summary.modules.slice(0, top))));
    parts.push(
      table(['  top functions (self)', window.unit, 'share'], rows(summary.functions.slice(0, top))),
    );
    parts.push('');
  }
  return parts.join('\n');
}
