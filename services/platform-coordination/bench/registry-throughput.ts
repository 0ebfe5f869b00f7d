/**
 * Registry and configuration reads against 1,000 registered instances, over real HTTP.
 *
 *   GET /services          a page of 20, filtered by service name (the common discovery query)
 *   PUT /services/{id}/heartbeat   a random instance's lease renewal
 *   GET /config/{service}  the effective configuration (defaults + service + profile)
 *
 * The discovery query is measured against a trivial route of the same app (`GET /health/live`, through
 * the same hooks) from a separate process (autocannon, BENCH_CONCURRENCY connections, BENCH_SECONDS per
 * run), the two alternated BENCH_REPEAT times after a warm-up: median [min–max] of requests per second,
 * p50/p99, and the server's CPU per request. Heartbeats and configuration reads are measured in process,
 * closed loop. The service runs in this process with rate limiting, health polling
 * and self-registration off, against a fresh PostgreSQL database and a broker and registry of its own
 * (started and removed by the run, never the stack `npm start` runs); the load generator shares the
 * machine, so the figures are a floor for a dedicated host.
 *
 * `pnpm --filter @fv/platform-coordination bench:registry`.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { signToken } from '@fv/service-kit';
import { startBenchStack, uniqueName } from '@fv/testing';
import { createCoordinationRuntime } from '../src/runtime.js';

const INSTANCES = Number(process.env.BENCH_INSTANCES ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
const SERVICES = 10;
const secret = 'bench-secret-0123456789abcdef';

const stack = await startBenchStack('coordination-registry-bench');
const database = await stack.createDatabase('coordination-bench');
if (database.target.kind !== 'postgres') throw new Error('the benchmark needs the local PostgreSQL server');
const runtime = await createCoordinationRuntime({
  rateLimit: false,
  env: {
    SERVICE_NAME: uniqueName('coordination-bench'),
    LOG_LEVEL: 'error',
    NODE_ENV: 'test',
    JWT_SECRET: secret,
    DATABASE_URL: database.target.url,
    KAFKA_BROKERS: stack.kafkaBrokers,
    SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
    SERVICE_REGISTRATION: 'false',
    HEALTH_POLL_ENABLED: 'false',
    // The benchmark's instances live on private addresses (never probed: health polling is off).
    OUTBOUND_ALLOW_HOSTS: '10.0.0.0/16',
    // 0 answers every discovery query from the database (the baseline of the read cache).
    REGISTRY_READ_CACHE_MS: process.env.REGISTRY_READ_CACHE_MS ?? '1000',
  },
});
await runtime.start();
await runtime.context.database.ready;
const base = await runtime.app.listen({ port: 0, host: '127.0.0.1' });
const admin = `Bearer ${signToken(secret, { sub: 'bench', roles: ['admin'], expiresIn: 3600 })}`;

async function call(method: string, path: string, body?: unknown): Promise<Response> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: admin, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok)
    throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
  await response.arrayBuffer();
  return response;
}

// 1,000 instances over 10 services, and a configuration for each service (defaults, keys, a profile).
const names = Array.from({ length: SERVICES }, (_, i) => `bench-service-${i}`);
const ids: string[] = [];
const registerStarted = performance.now();
for (let i = 0; i < INSTANCES; i += CONCURRENCY) {
  const batch = Array.from({ length: Math.min(CONCURRENCY, INSTANCES - i) }, async (_, j) => {
    const n = i + j;
    const response = await fetch(`${base}/api/v1/services/register`, {
      method: 'POST',
      headers: { authorization: admin, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: names[n % SERVICES],
        version: '1.0.0',
        host: `10.0.${Math.floor(n / 250)}.${n % 250}`,
        port: 8080,
        metadata: { tags: ['bench'], zone: `zone-${n % 3}` },
      }),
    });
    if (!response.ok) throw new Error(`registration answered ${response.status}: ${await response.text()}`);
    ids.push(((await response.json()) as { instanceId: string }).instanceId);
  });
  await Promise.all(batch);
}
const registerSeconds = (performance.now() - registerStarted) / 1000;
await call('PUT', '/api/v1/config/application', {
  expectedVersion: 0,
  entries: { 'featureFlags.bench': true, 'retry.maxAttempts': 3 },
});
for (const name of names) {
  await call('PUT', `/api/v1/config/${name}`, {
    expectedVersion: 0,
    entries: Object.fromEntries(Array.from({ length: 20 }, (_, k) => [`${name}.key${k}`, k])),
  });
  await call('PUT', `/api/v1/config/${name}?profile=prod`, {
    expectedVersion: 0,
    entries: { 'payment.timeoutMs': 2500 },
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function measure(label: string, request: (i: number) => Promise<unknown>): Promise<string> {
  // Warm up connections and caches.
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => request(i)));
  const latencies: number[] = [];
  const deadline = performance.now() + SECONDS * 1000;
  let counter = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        await request(counter++);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return `${label.padEnd(34)} ${String(Math.round(latencies.length / elapsed)).padStart(7)} req/s   p50 ${percentile(latencies, 50).toFixed(2).padStart(7)} ms   p99 ${percentile(latencies, 99).toFixed(2).padStart(7)} ms   (${latencies.length} requests)`;
}

/**
 * HTTP load from a process of its own (autocannon, closed loop, keep-alive connections), so that the
 * load generator's CPU is not the server's: requests per second, latency p50/p99, non-2xx answers, and
 * the server's CPU per request over the same window (this process's own usage).
 */
async function autocannon(path: string): Promise<Figures> {
  const cpuBefore = process.cpuUsage();
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(
      'npx',
      [
        '-y',
        'autocannon@8',
        '--json',
        '-c',
        String(CONCURRENCY),
        '-d',
        String(SECONDS),
        '-H',
        `authorization=${admin}`,
        `${base}${path}`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`autocannon exited ${code}`)),
    );
  });
  const cpu = process.cpuUsage(cpuBefore);
  const result = JSON.parse(output) as {
    requests: { total: number; average: number };
    latency: { p50: number; p99: number };
    non2xx: number;
    errors: number;
  };
  return {
    rate: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failed: result.non2xx + result.errors,
    cpuMsPerRequest: (cpu.user + cpu.system) / 1000 / Math.max(1, result.requests.total),
  };
}

interface Figures {
  rate: number;
  p50: number;
  p99: number;
  failed: number;
  cpuMsPerRequest: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const spread = (values: number[], digits = 0) =>
  `${median(values).toFixed(digits)} [${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}]`;

/** The trivial route and the discovery query, alternated, REPEAT times each after a warm-up of both. */
async function discoveryAgainstTrivial(): Promise<string[]> {
  const routes = [
    { label: 'GET /health/live (trivial route)', path: '/health/live' },
    { label: `GET /services?name=…&size=20`, path: `/api/v1/services?name=${names[0]}&size=20` },
  ];
  for (const route of routes) await measure(`warm-up ${route.path}`, () => call('GET', route.path));
  const runs: Figures[][] = routes.map(() => []);
  for (let repetition = 0; repetition < REPEAT; repetition += 1) {
    for (const [index, route] of routes.entries()) runs[index]!.push(await autocannon(route.path));
  }
  const lines = routes.map((route, index) => {
    const figures = runs[index]!;
    return (
      `${route.label.padEnd(34)} ${spread(figures.map((f) => f.rate)).padStart(22)} req/s   ` +
      `p50 ${spread(figures.map((f) => f.p50)).padStart(12)} ms   p99 ${spread(figures.map((f) => f.p99)).padStart(14)} ms   ` +
      `server CPU ${spread(
        figures.map((f) => f.cpuMsPerRequest),
        3,
      )} ms/req   failed ${figures.reduce((n, f) => n + f.failed, 0)}`
    );
  });
  const ratio = median(runs[1]!.map((f) => f.rate)) / median(runs[0]!.map((f) => f.rate));
  lines.push(
    `discovery query / trivial route: ${(ratio * 100).toFixed(0)}% (medians of ${REPEAT} runs each, alternated)`,
  );
  return lines;
}

const results = [
  ...(await discoveryAgainstTrivial()),
  '',
  'in-process, closed loop (the same process as the server):',
  await measure('PUT /services/{id}/heartbeat', (i) =>
    call('PUT', `/api/v1/services/${ids[(i * 7919) % ids.length]}/heartbeat`),
  ),
  await measure('GET /config/{service}?profile=prod', (i) =>
    call('GET', `/api/v1/config/${names[i % SERVICES]}?profile=prod`),
  ),
];

console.log(
  `\nplatform-coordination registry benchmark — ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), node ${process.version}`,
);
console.log(
  `${ids.length} instances registered in ${registerSeconds.toFixed(1)} s; read cache ${process.env.REGISTRY_READ_CACHE_MS ?? '1000'} ms; rate limiting off; concurrency ${CONCURRENCY}; ${SECONDS} s per figure; local PostgreSQL; load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}\n`,
);
for (const line of results) console.log(line);

await runtime.stop();
await stack.stop();
