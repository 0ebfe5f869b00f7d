/**
 * The end-to-end order benchmark: the whole platform on a stack of its own, open-loop orders at fixed rates,
 * order→COMPLETED from each order's own status history, CPU per order of every process, event-loop delay of
 * every service, a GET /health/live baseline at the same rates, and a search for the highest rate whose p99
 * order→COMPLETED stays under the objective. `npm run bench:orders -- --help` lists the options.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPOSITORY_ROOT } from '@fv/testing';
import { LoadGenerator } from '../load/load-client.js';
import {
  drain,
  measureIdle,
  runBaselinePhase,
  runOrdersPhase,
  type BaselinePhase,
  type OrdersPhase,
  type ProcessName,
} from './measure.js';
import { profiledWindows, summariseProfiles, type ServerProfile } from './profiles.js';
import { OptionsError, parseOptions, type BenchOptions } from './options.js';
import { startPlatform, type BenchPlatform } from './platform.js';
import {
  baselineTable,
  cpuTable,
  EVENT_LOOP_RESOLUTION_MS,
  databaseTable,
  tableWritesTable,
  eventLoopTable,
  ordersTable,
  profileText,
  summariseRate,
  type RateSummary,
} from './report.js';
import { bracket, nextSearchRate, type RateOutcome } from './search.js';
import { seedProducts } from './seed.js';

const log = (line: string) => process.stderr.write(`bench:orders: ${line}\n`);

function conditions() {
  let commit: string | null = null;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: REPOSITORY_ROOT,
      encoding: 'utf8',
    }).trim();
  } catch {
    // not a clone
  }
  return {
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? null,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    loadAverageAtStart: os.loadavg(),
    commit,
  };
}

function describeOrders(phase: OrdersPhase): string {
  const errors = Object.entries(phase.send.errors)
    .map(([error, count]) => `${count}× ${error}`)
    .join('; ');
  return (
    `${phase.rate}/s: accepted ${phase.send.ok}/${phase.send.requests}, p99 order→COMPLETED ` +
    `${phase.orderToCompletedMs.p99?.toFixed(0) ?? '–'} ms, statuses ${JSON.stringify(phase.statuses)}` +
    `${phase.drained ? '' : ', NOT DRAINED'}${errors ? `, failures: ${errors}` : ''} → ${phase.passed ? 'pass' : 'fail'}`
  );
}

async function main(options: BenchOptions): Promise<void> {
  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const outDir = path.resolve(REPOSITORY_ROOT, options.outDir);
  fs.mkdirSync(outDir, { recursive: true });
  const profileDir = options.profile ? path.join(outDir, `profiles-${stamp}`) : undefined;
  const runId = randomBytes(3).toString('hex');
  const before = conditions();
  log(
    `rates ${options.rates.join(', ')}/s × ${options.durationS} s${options.repeat > 1 ? ` × ${options.repeat}` : ''}, ` +
      `warm-up ${options.warmupS} s, search ${options.search ? `on (${options.searchSteps} steps)` : 'off'}, ` +
      `baseline ${options.baseline ? 'on' : 'off'}${profileDir ? `, CPU profiles in ${profileDir}` : ''}`,
  );

  let platform: BenchPlatform | undefined;
  let generator: LoadGenerator | undefined;
  const ordersPhases: OrdersPhase[] = [];
  const baselinePhases: BaselinePhase[] = [];
  const searchPhases: OrdersPhase[] = [];
  let idle: Record<ProcessName, number> | null = null;
  let idleWindow: { fromUs: number; toUs: number; seconds: number } | null = null;
  let warmup: OrdersPhase | null = null;
  try {
    platform = await startPlatform({
      logsDir: path.join(outDir, 'logs'),
      logLevel: options.logLevel,
      servers: options.servers,
      ...(profileDir ? { profileDir } : {}),
      log,
    });
    const productIds = await seedProducts(platform, { count: 20, unitsEach: 1_000_000, runId });
    log(`seeded ${productIds.length} products with 1,000,000 units each; one order of each completed`);
    generator = await LoadGenerator.start();
    const processes = { platform, generatorPid: generator.pid };
    if (!(await drain(platform, options.drainTimeoutS))) throw new Error('the seed orders did not finish');

    if (options.idleS > 0) {
      log(`measuring the idle platform for ${options.idleS} s`);
      const measured = await measureIdle(processes, options.idleS);
      idle = measured.perSecond;
      idleWindow = measured.window;
    }
    const phaseOptions = (rate: number, durationS: number) => ({
      rate,
      durationS,
      productIds,
      drainTimeoutS: options.drainTimeoutS,
      sloMs: options.sloMs,
      runId,
      idle,
    });
    if (options.warmupS > 0) {
      log(`warm-up: ${options.rates[0]}/s for ${options.warmupS} s (orders, then the baseline)`);
      warmup = await runOrdersPhase(processes, generator, phaseOptions(options.rates[0]!, options.warmupS));
      log(`warm-up ${describeOrders(warmup)}`);
      if (options.baseline)
        await runBaselinePhase(processes, generator, {
          rate: options.rates[0]!,
          durationS: Math.min(5, options.warmupS),
        });
    }

    for (const rate of options.rates) {
      for (let repetition = 1; repetition <= options.repeat; repetition += 1) {
        const label = options.repeat > 1 ? ` (${repetition}/${options.repeat})` : '';
        log(`orders at ${rate}/s for ${options.durationS} s${label}`);
        const phase = await runOrdersPhase(processes, generator, phaseOptions(rate, options.durationS));
        ordersPhases.push(phase);
        log(describeOrders(phase));
        if (options.baseline) {
          log(`baseline GET /health/live at ${rate}/s for ${options.durationS} s${label}`);
          const baseline = await runBaselinePhase(processes, generator, {
            rate,
            durationS: options.durationS,
          });
          baselinePhases.push(baseline);
          log(
            `baseline ${rate}/s: ${baseline.send.ok}/${baseline.send.requests} ok, p99 ${baseline.send.latencyMs.p99?.toFixed(2)} ms`,
          );
        }
      }
    }

    if (options.search) {
      const outcomes: RateOutcome[] = options.rates.map((rate) => ({
        rate,
        passed: ordersPhases.filter((phase) => phase.rate === rate).every((phase) => phase.passed),
      }));
      for (let step = 0; step < options.searchSteps; step += 1) {
        const rate = nextSearchRate(outcomes, options.maxRate);
        if (rate === null) break;
        log(`search: orders at ${rate}/s for ${options.durationS} s`);
        const phase = await runOrdersPhase(processes, generator, phaseOptions(rate, options.durationS));
        searchPhases.push(phase);
        outcomes.push({ rate, passed: phase.passed });
        log(`search ${describeOrders(phase)}`);
        if (!phase.drained) {
          log('search: the platform did not drain; stopping the search here');
          break;
        }
      }
    }
  } finally {
    await generator?.stop().catch(() => undefined);
    log('stopping the platform');
    await platform?.stop().catch((error) => log(`stopping the platform: ${(error as Error).message}`));
  }

  const rates: RateSummary[] = options.rates.map((rate) =>
    summariseRate(
      rate,
      ordersPhases.filter((phase) => phase.rate === rate),
      baselinePhases.filter((phase) => phase.rate === rate),
    ),
  );
  const searched: RateSummary[] = searchPhases.map((phase) => summariseRate(phase.rate, [phase], []));
  const outcomes: RateOutcome[] = [
    ...rates.map((rate) => ({ rate: rate.rate, passed: rate.passed === rate.repetitions })),
    ...searchPhases.map((phase) => ({ rate: phase.rate, passed: phase.passed })),
  ];
  const found = bracket(outcomes);

  const profiles: ServerProfile[] =
    platform && profileDir
      ? summariseProfiles(profileDir, profiledWindows(idleWindow, [...ordersPhases, ...searchPhases]))
      : [];

  const out: string[] = [];
  out.push(
    '',
    `Orders (${options.durationS} s per rate; o→C = order→COMPLETED from the order's status history):`,
  );
  out.push(ordersTable(rates, options.sloMs));
  if (searched.length > 0) {
    out.push('', 'Search:');
    out.push(ordersTable(searched, options.sloMs));
  }
  out.push(
    '',
    `Highest rate with p99 order→COMPLETED < ${options.sloMs} ms: ${found.passing === null ? 'none measured' : `${found.passing}/s`}` +
      `${found.failing === null ? ' (no failing rate measured)' : ` (lowest failing: ${found.failing}/s)`}`,
  );
  if (options.baseline) {
    out.push('', 'Baseline, GET /health/live of the order service, same generator and rates:');
    out.push(baselineTable(rates));
  }
  out.push(
    '',
    'CPU milliseconds per order (timetable start to every order finished), and idle CPU per second:',
  );
  out.push(cpuTable(rates, idle));
  out.push('', 'PostgreSQL per order, from pg_stat_database over the same window (idle polling included):');
  out.push(databaseTable(rates));
  out.push('', 'Rows written per order in the tables written most (inserts, updates and deletes):');
  out.push(tableWritesTable(rates));
  out.push(
    '',
    `Event-loop delay over each orders window, beyond prom-client's ${EVENT_LOOP_RESOLUTION_MS} ms sampling period (an idle loop reads 0):`,
  );
  out.push(eventLoopTable(rates));
  if (profiles.length > 0) {
    out.push(
      '',
      'CPU profiles, self time over the idle window and each orders window (start-up excluded):',
      '',
    );
    out.push(profileText(profiles));
  }
  const after = os.loadavg();
  out.push(
    '',
    `Conditions: ${before.cpus} × ${before.cpuModel}, node ${before.node}, commit ${before.commit}, ` +
      `load average ${before.loadAverageAtStart.map((v) => v.toFixed(2)).join(' ')} at start, ${after.map((v) => v.toFixed(2)).join(' ')} at end`,
  );
  const file = path.join(outDir, `orders-${stamp}.json`);
  fs.writeFileSync(
    file,
    `${JSON.stringify(
      {
        startedAt: startedAt.toISOString(),
        finishedAt: new Date().toISOString(),
        options,
        conditions: { ...before, loadAverageAtEnd: after },
        idleCpuSecondsPerSecond: idle,
        idleWindow,
        warmup,
        rates,
        search: { phases: searchPhases, highestPassingRate: found.passing, lowestFailingRate: found.failing },
        phases: { orders: ordersPhases, baseline: baselinePhases },
        profiles: profiles.length > 0 ? { dir: profileDir, summaries: profiles } : null,
      },
      null,
      2,
    )}\n`,
  );
  out.push(
    `Written: ${path.relative(REPOSITORY_ROOT, file)}${profileDir ? `; profiles in ${path.relative(REPOSITORY_ROOT, profileDir)}` : ''}`,
  );
  process.stdout.write(`${out.join('\n')}\n`);
}

let options: BenchOptions;
try {
  options = parseOptions(process.argv.slice(2));
} catch (error) {
  if (error instanceof OptionsError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  throw error;
}
main(options).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:orders failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
