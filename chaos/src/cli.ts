import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { signToken } from '@fv/service-kit';
import { readDeadLetters } from './dead-letters.js';
import { injectFaults } from './faults.js';
import { checkInvariants, recoveryTimes, type FaultRecord } from './invariants.js';
import { planOrders, replenishedStock, runLoad, seedCatalog, seedCoupons, type PlacedOrder } from './load.js';
import { observe, waitForQuiescence, type Endpoints } from './observe.js';
import { USAGE, parseOptions, type ChaosOptions } from './options.js';
import {
  JWT_SECRET,
  PAYMENT_PROVIDER,
  SERVICES,
  SUPPLIER,
  simulatorsPresent,
  startPlatform,
  type Platform,
} from './platform.js';
import { Prng } from '@fv/testing';
import { renderReport } from './report.js';
import { driveReturn, planReturns } from './returns.js';
import { buildSchedule, scheduleNeedsMs } from './schedule.js';
import { sleep } from './supervisor.js';

const started = Date.now();
// A closed pipe (`| head`) must not kill the suite before it has stopped what it started.
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});
let logFile: string | null = null;
function log(line: string): void {
  const stamped = `[chaos +${((Date.now() - started) / 1000).toFixed(1)} s] ${line}`;
  console.log(stamped);
  if (logFile) fs.appendFileSync(logFile, `${stamped}\n`);
}

async function main(): Promise<number> {
  let options: ChaosOptions | 'help';
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (options === 'help') {
    console.log(USAGE);
    return 0;
  }
  const random = new Prng(options.seed);
  // The schedule is planned before anything starts: a seed whose faults do not fit the load fails at
  // once, unless the rate was left to its default: the load is then slowed down until they fit.
  const servers = [...simulatorsPresent(), ...SERVICES];
  const scheduleOptions = { seed: options.seed, services: servers, ...options.schedule };
  const neededMs = scheduleNeedsMs(scheduleOptions);
  if (!options.rateGiven && (options.orders / options.ratePerSecond) * 1000 < neededMs) {
    const fitting = Math.max(0.01, Math.floor((options.orders / (neededMs / 1000)) * 100) / 100);
    log(
      `seed ${options.seed}: the faults need ${Math.ceil(neededMs / 1000)} s of load; ` +
        `${options.orders} orders at ${fitting}/s instead of ${options.ratePerSecond}/s`,
    );
    options.ratePerSecond = fitting;
  }
  const windowMs = Math.round((options.orders / options.ratePerSecond) * 1000);
  let schedule;
  try {
    schedule = buildSchedule({ ...scheduleOptions, windowMs });
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  const args = process.argv.slice(2).filter((arg) => arg !== '--');
  const command = [
    'npm run chaos --',
    ...args,
    ...(args.some((arg) => arg.startsWith('--seed')) ? [] : ['--seed', String(options.seed)]),
  ].join(' ');
  log(
    `seed ${options.seed}: ${options.orders} orders at ${options.ratePerSecond}/s, ${schedule.length} faults (same seed, same faults)`,
  );
  for (const fault of schedule)
    log(
      `  planned ${fault.id}: +${(fault.atMs / 1000).toFixed(1)} s ${fault.kind} ${fault.target} for ${(fault.durationMs / 1000).toFixed(1)} s`,
    );

  let platform: Platform | null = null;
  let stoppers: Pick<Platform, 'stop' | 'emergencyStop'> | null = null;
  const interrupt = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping the platform`);
    if (!stoppers) process.exit(130);
    stoppers.emergencyStop();
    void stoppers.stop({ keepState: options.keepState }).finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);

  try {
    platform = await startPlatform({
      random,
      log,
      portRange: options.portRange,
      stateDir: options.stateDir,
      onStoppable: (given) => (stoppers = given),
    });
    logFile = path.join(platform.logsDir, 'chaos.log');
    const url = platform.url;
    const endpoints: Endpoints = {
      orders: url('orders'),
      coordination: url('platform-coordination'),
      inventory: url('inventory'),
      delivery: url('delivery'),
      notifications: url('notifications'),
      paymentProvider: platform.hasPaymentProvider ? url(PAYMENT_PROVIDER) : null,
      supplier: platform.hasSupplier ? url(SUPPLIER) : null,
    };
    const admin = signToken(JWT_SECRET, { sub: 'chaos-operator', roles: ['admin'], expiresIn: 6 * 3600 });
    const runId = randomBytes(4).toString('hex');
    const unitsEach = Math.max(1000, Math.ceil((options.orders * 6) / options.products) * 2);
    // Replenishment needs the supplier: without its simulator no location is configured for it.
    const replenishedCount = platform.hasSupplier ? options.replenishedProducts : 0;
    const replenished = replenishedStock(options.orders, options.products);
    const products = await seedCatalog({
      catalogUrl: url('product-catalog'),
      inventoryUrl: endpoints.inventory,
      admin,
      count: options.products,
      unitsEach,
      runId,
      replenished: { count: replenishedCount, stock: replenished },
    });
    log(
      `seeded ${products.length} products: ${products.length - replenishedCount} with ${unitsEach} units each` +
        (replenishedCount
          ? `, ${replenishedCount} replenished from the supplier (${replenished.initialOnHand} units, threshold ${replenished.threshold}, reorder ${replenished.reorderQuantity})`
          : ''),
    );
    await waitForPriceList(
      platform,
      products.map((product) => product.productId),
    );

    const coupons = await seedCoupons({ ordersUrl: endpoints.orders, admin, runId, orders: options.orders });
    log(
      `coupons: ${coupons.limited.code} (usable ${coupons.limited.usageLimit} times) and ${coupons.open.code} (no limit, a minimum order value)`,
    );
    const placed = planOrders({
      products,
      orders: options.orders,
      random: random.fork('orders'),
      runId,
      coupons,
    });
    const returns = planReturns(placed, options.returnShare, random.fork('returns'));
    const returnOf = new Map(returns.map((given) => [given.orderIndex, given]));
    const returnsUnderway: Promise<void>[] = [];
    const carrier = signToken(JWT_SECRET, { sub: 'chaos-carrier', roles: ['admin'], expiresIn: 6 * 3600 });
    const customerToken = (customerId: string) =>
      signToken(JWT_SECRET, { sub: customerId, roles: ['customer'], expiresIn: 6 * 3600 });
    // A returned order is taken, once accepted, through delivery and its return while the faults go on.
    const startReturn = (order: PlacedOrder) => {
      const given = returnOf.get(order.index);
      if (!given) return;
      returnsUnderway.push(
        driveReturn(
          {
            ordersUrl: endpoints.orders,
            deliveryUrl: endpoints.delivery,
            carrier,
            customerToken,
            deadlineMs: options.acceptDeadlineMs + 240_000,
          },
          order,
          given,
        ),
      );
    };
    const loadStartedAt = Date.now();
    log(
      `load: ${options.orders} orders at ${options.ratePerSecond}/s, ${placed.filter((order) => order.coupon).length} with a coupon, ${placed.filter((order) => order.parts).length} paid with two cards, ${returns.length} returned once delivered (${returns.filter((given) => !given.full).length} partly)`,
    );
    const [faults] = await Promise.all([
      injectFaults(platform, schedule, loadStartedAt, log),
      runLoad(
        {
          ordersUrl: endpoints.orders,
          customerToken,
          onAccepted: startReturn,
          products,
          orders: options.orders,
          ratePerSecond: options.ratePerSecond,
          acceptDeadlineMs: options.acceptDeadlineMs,
          random: random.fork('load'),
          runId,
        },
        placed,
      ),
    ]);
    const acceptedCount = placed.filter((order) => order.orderId).length;
    log(`load done: ${acceptedCount} of ${placed.length} orders accepted`);
    await Promise.all(returnsUnderway);
    log(
      `returns done: ${returns.filter((given) => given.received).length} of ${returns.length} received by the warehouse`,
    );

    const quiescence = await waitForQuiescence({
      endpoints,
      admin,
      products,
      timeoutMs: options.settleMs,
      log,
    });
    log(
      quiescence.quiet
        ? `settled in ${(quiescence.waitedMs / 1000).toFixed(1)} s`
        : `did not settle: ${quiescence.lastState}`,
    );

    const observation = await observe({
      endpoints,
      admin,
      products,
      placed,
      returns,
      inventoryDatabaseUrl: platform.postgres.url('fv_inventory'),
      couponCodes: [coupons.limited.code, coupons.open.code],
    });
    const deadLetters = await readDeadLetters(platform.stack.kafkaBrokers);
    const supervisor = platform.supervisor;
    const snapshot = {
      orders: observation.orders,
      notAccepted: observation.notAccepted,
      stock: observation.stock,
      returns: observation.returns,
      replenishments: observation.replenishments,
      replenishedLocations: replenishedCount,
      coupons: observation.coupons,
      deadLetters,
      faults,
      crashes: Object.fromEntries(
        supervisor.names().map((name) => [name, supervisor.crashes().get(name) ?? 0]),
      ),
    };
    const invariants = checkInvariants(snapshot);
    const report = renderReport({
      seed: options.seed,
      command,
      startedAt: started,
      loadStartedAt,
      orders: observation.orders,
      placed: placed.length,
      returns: observation.returns,
      replenishments: observation.replenishments,
      coupons: observation.coupons,
      faults,
      recoveries: recoveryTimes(faults, observation.orders),
      deadLetters,
      invariants,
      paymentSource: observation.paymentSource,
      quiescence,
      crashes: platform.supervisor.crashes(),
      examples: options.examples,
    });
    console.log(`\n${report}\n`);
    fs.writeFileSync(path.join(platform.logsDir, 'report.txt'), `${report}\n`);
    fs.writeFileSync(
      path.join(platform.logsDir, 'report.json'),
      JSON.stringify(
        { seed: options.seed, schedule, faults: faults as FaultRecord[], invariants, snapshot, placed },
        null,
        2,
      ),
    );
    log(`logs and report in ${platform.logsDir}`);
    return invariants.some((result) => result.violations.length > 0) ? 1 : 0;
  } finally {
    if (platform) {
      log('stopping the platform');
      await platform.stop({ keepState: options.keepState });
    }
  }
}

/** The order service learns prices from the catalog's events: the load starts once it knows every product. */
async function waitForPriceList(platform: Platform, productIds: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: platform.postgres.url('fv_orders') });
  await client.connect();
  try {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const { rows } = await client.query<{ known: string }>(
        "select count(*) as known from product_prices where product_id = any($1::uuid[]) and status = 'ACTIVE'",
        [productIds],
      );
      if (Number(rows[0]!.known) === productIds.length) return;
      if (Date.now() > deadline)
        throw new Error('the order service did not learn the seeded products within 120 s');
      await sleep(500);
    }
  } finally {
    await client.end();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    log(`failed: ${(error as Error).stack ?? error}`);
    process.exit(3);
  },
);
