import { signToken } from '@fv/service-kit';
import { LoadGenerator } from '../load/load-client.js';
import type { LoadResult, RequestRecord } from '../load/protocol.js';
import { distribution, type Distribution } from '@fv/testing';
import { CpuMeter } from '../proc-stat.js';
import { scrapeEventLoopLag, type EventLoopLag } from '../prom-metrics.js';
import {
  JWT_SECRET,
  SERVICES,
  type BenchPlatform,
  type DatabaseStats,
  type ServerName,
  type ServiceName,
} from './platform.js';

export const CARD = 'tok_visa_4242';
export const admin = () =>
  signToken(JWT_SECRET, { sub: 'order-benchmark', roles: ['admin'], expiresIn: 7200 });

const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The processes whose CPU is measured, by the name the report gives them. */
export interface Processes {
  platform: BenchPlatform;
  generatorPid: number;
}

export const PROCESS_NAMES = [
  ...SERVICES,
  'payment-provider',
  'kafka broker (JVM)',
  'schema registry (JVM)',
  'postgresql backends',
  'load generator',
] as const;
export type ProcessName = (typeof PROCESS_NAMES)[number];

function processPids(processes: Processes): Map<ProcessName, number[]> {
  const { platform } = processes;
  const map = new Map<ProcessName, number[]>();
  for (const name of SERVICES) map.set(name, [platform.pids.get(name)!]);
  map.set('payment-provider', [platform.pids.get('payment-provider')!]);
  map.set('kafka broker (JVM)', platform.kafkaPid ? [platform.kafkaPid] : []);
  map.set('schema registry (JVM)', platform.registryPid ? [platform.registryPid] : []);
  map.set('load generator', [processes.generatorPid]);
  return map;
}

/** CPU seconds of every measured process between `begin()` and `end()`, and the event-loop delay of each service. */
export class Window {
  private meters = new Map<ProcessName, CpuMeter>();
  private startedUs = 0;
  private sampler: NodeJS.Timeout | undefined;
  private databasesAtStart = new Map<ServerName, DatabaseStats>();
  private constructor(private readonly processes: Processes) {}

  static async begin(processes: Processes): Promise<Window> {
    const window = new Window(processes);
    // A scrape resets prom-client's event-loop histogram: the next one covers this window only.
    await Promise.all(SERVICES.map((name) => scrapeEventLoopLag(processes.platform.url(name))));
    for (const [name, pids] of processPids(processes)) window.meters.set(name, new CpuMeter(pids));
    window.databasesAtStart = await processes.platform.databaseStats();
    const backends = new CpuMeter(await processes.platform.postgresBackends());
    window.meters.set('postgresql backends', backends);
    // Database connections come and go with the services' pools: follow them during the window.
    window.sampler = setInterval(() => {
      processes.platform.postgresBackends().then(
        (pids) => backends.sample(pids),
        () => undefined,
      );
    }, 1000);
    window.startedUs = monotonicUs();
    return window;
  }

  async end(): Promise<WindowFigures> {
    const endedUs = monotonicUs();
    clearInterval(this.sampler);
    const backends = await this.processes.platform.postgresBackends();
    const cpu: Partial<Record<ProcessName, number>> = {};
    let vanished = 0;
    for (const [name, meter] of this.meters) {
      const reading = meter.read(name === 'postgresql backends' ? backends : []);
      cpu[name] = reading.seconds;
      vanished += reading.vanished;
    }
    const lag: Partial<Record<ServiceName, EventLoopLag | null>> = {};
    await Promise.all(
      SERVICES.map(async (name) => {
        lag[name] = await scrapeEventLoopLag(this.processes.platform.url(name));
      }),
    );
    // PostgreSQL publishes a backend's counters within a second of its transactions.
    await sleep(1100);
    const databasesAtEnd = await this.processes.platform.databaseStats();
    const databases: Partial<Record<ServerName, DatabaseStats>> = {};
    for (const [server, end] of databasesAtEnd) {
      const start = this.databasesAtStart.get(server);
      databases[server] = {
        commits: end.commits - (start?.commits ?? 0),
        rollbacks: end.rollbacks - (start?.rollbacks ?? 0),
        rowsWritten: end.rowsWritten - (start?.rowsWritten ?? 0),
        rowsRead: end.rowsRead - (start?.rowsRead ?? 0),
        tables: Object.fromEntries(
          Object.entries(end.tables).map(([table, rows]) => [table, rows - (start?.tables[table] ?? 0)]),
        ),
      };
    }
    return {
      databases,
      fromUs: this.startedUs,
      toUs: endedUs,
      seconds: (endedUs - this.startedUs) / 1e6,
      cpuSeconds: cpu as Record<ProcessName, number>,
      vanishedProcesses: vanished,
      eventLoopLag: lag as Record<ServiceName, EventLoopLag | null>,
    };
  }
}

export interface WindowFigures {
  /** What each server's database did in the window (pg_stat_database differences). */
  databases: Partial<Record<ServerName, DatabaseStats>>;
  /** Monotonic microseconds (process.hrtime) of the window, to cut CPU profiles to it. */
  fromUs: number;
  toUs: number;
  seconds: number;
  cpuSeconds: Record<ProcessName, number>;
  vanishedProcesses: number;
  eventLoopLag: Record<ServiceName, EventLoopLag | null>;
}

/** Send-side figures common to orders and the baseline, in milliseconds. */
export interface SendFigures {
  requests: number;
  ok: number;
  failed: number;
  /** Answered 2xx per second of the timetable. */
  okPerSecond: number;
  /** From the actual send to the answer: what the server and network took. */
  latencyMs: Distribution;
  /** From the intended send to the answer: what an open-loop client sees, the generator's delays included. */
  latencyFromIntendedMs: Distribution;
  /** Actual minus intended send time: large values mean the generator could not keep its timetable. */
  sendLagMs: Distribution;
  errors: Record<string, number>;
}

function sendFigures(result: LoadResult, durationS: number): SendFigures {
  const ok = result.records.filter((record) => record.status >= 200 && record.status < 300);
  const errors: Record<string, number> = {};
  for (const record of result.records) {
    if (record.status >= 200 && record.status < 300) continue;
    const key = `${record.status || 'no answer'} ${(record.error ?? '').slice(0, 120)}`.trim();
    errors[key] = (errors[key] ?? 0) + 1;
  }
  return {
    requests: result.records.length,
    ok: ok.length,
    failed: result.records.length - ok.length,
    okPerSecond: ok.length / durationS,
    latencyMs: distribution(ok.map((record) => record.doneAt - record.sentAt)),
    latencyFromIntendedMs: distribution(ok.map((record) => record.doneAt - record.intendedAt)),
    sendLagMs: distribution(result.records.map((record) => record.sentAt - record.intendedAt)),
    errors,
  };
}

async function adminCall<T>(url: string): Promise<{ status: number; body: T }> {
  const response = await fetch(url, {
    headers: { authorization: `Bearer ${admin()}` },
    signal: AbortSignal.timeout(15_000),
  });
  return { status: response.status, body: (await response.json()) as T };
}

/** Waits until no order is PENDING or CONFIRMED (the saga has finished with every one); false on timeout. */
export async function drain(platform: BenchPlatform, timeoutS: number): Promise<boolean> {
  const deadline = Date.now() + timeoutS * 1000;
  const url = `${platform.url('orders')}/api/v1/orders?status=PENDING&status=CONFIRMED&size=1`;
  for (;;) {
    try {
      const { status, body } = await adminCall<{ pagination?: { totalElements: number } }>(url);
      if (status === 200 && body.pagination?.totalElements === 0) return true;
    } catch {
      // a slow answer under load: ask again
    }
    if (Date.now() >= deadline) return false;
    await sleep(250);
  }
}

interface OrderDetail {
  orderId: string;
  status: string;
  createdAt: string;
  history: { from: string | null; to: string; at: string }[];
}

/** Each order's own record, a few at a time. */
async function fetchOrders(platform: BenchPlatform, ids: string[]): Promise<OrderDetail[]> {
  const details: OrderDetail[] = [];
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++]!;
      for (let attempt = 0; ; attempt += 1) {
        try {
          const { status, body } = await adminCall<OrderDetail>(
            `${platform.url('orders')}/api/v1/orders/${id}`,
          );
          if (status === 200) {
            details.push(body);
            break;
          }
          if (attempt >= 3) throw new Error(`GET /orders/${id} answered ${status}`);
        } catch (error) {
          if (attempt >= 3) throw error;
        }
        await sleep(200 * (attempt + 1));
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return details;
}

export interface OrdersPhase {
  kind: 'orders';
  rate: number;
  durationS: number;
  send: SendFigures;
  /** Orders whose COMPLETED came within the timetable's seconds, per second. */
  completedPerSecond: number;
  /** Completed orders per second from the timetable's start until no order was in flight. */
  completedPerSecondWithDrain: number;
  /** Final status of every accepted order. */
  statuses: Record<string, number>;
  /** From the order's creation to COMPLETED, both from its status history. */
  orderToCompletedMs: Distribution;
  /** From the intended send to COMPLETED: the storefront's view, queueing before acceptance included. */
  intendedToCompletedMs: Distribution;
  drained: boolean;
  /** Seconds from the last send until no order was in flight. */
  drainS: number;
  window: WindowFigures;
  /** CPU milliseconds per accepted order of each process over the window (timetable start to drained). */
  cpuMsPerOrder: Record<ProcessName, number>;
  cpuMsPerOrderTotal: number;
  /** The same total less what the idle platform burns in as long a window (null without an idle measurement). */
  cpuMsPerOrderNetOfIdle: number | null;
  passed: boolean;
}

export interface BaselinePhase {
  kind: 'baseline';
  rate: number;
  durationS: number;
  send: SendFigures;
  window: WindowFigures;
  cpuMsPerRequest: Record<ProcessName, number>;
  cpuMsPerRequestTotal: number;
}

function perUnit(window: WindowFigures, units: number): { each: Record<ProcessName, number>; total: number } {
  const each = {} as Record<ProcessName, number>;
  let total = 0;
  for (const name of PROCESS_NAMES) {
    const ms = units === 0 ? 0 : ((window.cpuSeconds[name] ?? 0) * 1000) / units;
    each[name] = ms;
    total += ms;
  }
  return { each, total };
}

let phaseCounter = 0;

/** One rate of orders: the timetable, then the wait for every order to finish, then each order's history. */
export async function runOrdersPhase(
  processes: Processes,
  generator: LoadGenerator,
  options: {
    rate: number;
    durationS: number;
    productIds: string[];
    drainTimeoutS: number;
    sloMs: number;
    runId: string;
    /** CPU seconds per second of each process on the idle platform. */
    idle: Record<ProcessName, number> | null;
  },
): Promise<OrdersPhase> {
  const { platform } = processes;
  phaseCounter += 1;
  const window = await Window.begin(processes);
  const result = await generator.run({
    kind: 'orders',
    url: `${platform.url('orders')}/api/v1/orders`,
    rate: options.rate,
    durationS: options.durationS,
    timeoutMs: 30_000,
    orders: {
      jwtSecret: JWT_SECRET,
      productIds: options.productIds,
      keyPrefix: `bench-${options.runId}-${phaseCounter}`,
      card: CARD,
    },
  });
  const drainStarted = Date.now();
  const drained = await drain(platform, options.drainTimeoutS);
  const drainS = (Date.now() - drainStarted) / 1000 + (drainStarted - result.lastSentAt) / 1000;
  const figures = await window.end();

  const accepted = result.records.filter((record) => record.orderId !== null);
  const byId = new Map<string, RequestRecord>(accepted.map((record) => [record.orderId!, record]));
  const details = await fetchOrders(platform, [...byId.keys()]);
  const statuses: Record<string, number> = {};
  const toCompleted: number[] = [];
  const fromIntended: number[] = [];
  const windowEnd = result.startAt + options.durationS * 1000;
  let completedInWindow = 0;
  for (const order of details) {
    statuses[order.status] = (statuses[order.status] ?? 0) + 1;
    const completed = order.history.find((entry) => entry.to === 'COMPLETED');
    if (!completed) continue;
    const placed = order.history.find((entry) => entry.to === 'PENDING' && entry.from === null);
    const completedAt = Date.parse(completed.at);
    toCompleted.push(completedAt - Date.parse(placed?.at ?? order.createdAt));
    fromIntended.push(completedAt - byId.get(order.orderId)!.intendedAt);
    if (completedAt >= result.startAt && completedAt <= windowEnd) completedInWindow += 1;
  }
  const send = sendFigures(result, options.durationS);
  const orderToCompletedMs = distribution(toCompleted);
  const cpu = perUnit(figures, accepted.length);
  return {
    kind: 'orders',
    rate: options.rate,
    durationS: options.durationS,
    send,
    completedPerSecond: completedInWindow / options.durationS,
    completedPerSecondWithDrain: toCompleted.length / ((result.lastSentAt - result.startAt) / 1000 + drainS),
    statuses,
    orderToCompletedMs,
    intendedToCompletedMs: distribution(fromIntended),
    drained,
    drainS,
    window: figures,
    cpuMsPerOrder: cpu.each,
    cpuMsPerOrderTotal: cpu.total,
    cpuMsPerOrderNetOfIdle:
      options.idle === null || accepted.length === 0
        ? null
        : cpu.total -
          (PROCESS_NAMES.reduce((sum, name) => sum + options.idle![name], 0) * figures.seconds * 1000) /
            accepted.length,
    passed:
      drained &&
      send.failed === 0 &&
      toCompleted.length === send.requests &&
      orderToCompletedMs.p99 !== null &&
      orderToCompletedMs.p99 < options.sloMs,
  };
}

/** The same generator at the same rate against GET /health/live of the order service: HTTP and kit overhead alone. */
export async function runBaselinePhase(
  processes: Processes,
  generator: LoadGenerator,
  options: { rate: number; durationS: number },
): Promise<BaselinePhase> {
  const window = await Window.begin(processes);
  const result = await generator.run({
    kind: 'get',
    url: `${processes.platform.url('orders')}/health/live`,
    rate: options.rate,
    durationS: options.durationS,
    timeoutMs: 30_000,
  });
  const figures = await window.end();
  const send = sendFigures(result, options.durationS);
  const cpu = perUnit(figures, send.ok);
  return {
    kind: 'baseline',
    rate: options.rate,
    durationS: options.durationS,
    send,
    window: figures,
    cpuMsPerRequest: cpu.each,
    cpuMsPerRequestTotal: cpu.total,
  };
}

/** CPU of each process per second of an idle platform (heartbeats, polling, relays): what is not per order. */
export async function measureIdle(
  processes: Processes,
  seconds: number,
): Promise<{ perSecond: Record<ProcessName, number>; window: WindowFigures }> {
  const window = await Window.begin(processes);
  await sleep(seconds * 1000);
  const figures = await window.end();
  const perSecond = {} as Record<ProcessName, number>;
  for (const name of PROCESS_NAMES) perSecond[name] = (figures.cpuSeconds[name] ?? 0) / figures.seconds;
  return { perSecond, window: figures };
}
