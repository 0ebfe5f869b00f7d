import type { ScheduleOptions } from './schedule.js';

export interface ChaosOptions {
  seed: number;
  orders: number;
  ratePerSecond: number;
  /** The rate was given (`--rate`): kept even when the faults need a longer load, which is then refused. */
  rateGiven: boolean;
  products: number;
  acceptDeadlineMs: number;
  settleMs: number;
  examples: number;
  keepState: boolean;
  /** Share of the orders with an approved card that the customer returns once delivered (0–1). */
  returnShare: number;
  /** Products whose wh-001 location is replenished from the supplier (low stock, reorder settings). */
  replenishedProducts: number;
  /** Ports the platform listens on: [first, last], or null for any free port. */
  portRange: [number, number] | null;
  /** Folder the run's temporary folder (broker data, PostgreSQL cluster) is made in; null: the repository's .local/chaos-state. */
  stateDir: string | null;
  schedule: Omit<ScheduleOptions, 'seed' | 'services' | 'windowMs'>;
}

export const USAGE = `Usage: npm run chaos -- [options]

The whole platform (its own broker, registry, PostgreSQL and every service) under a storefront's load
while services, the broker, the registry and the database fail; then every invariant is checked.

  --orders N               orders to place (default 1000)
  --rate R                 orders per second, open loop (default 3, or lower when the seed's faults need
                           a longer load than the orders take at 3/s)
  --seed N                 fault schedule seed (default: chosen at random and printed); same seed, same faults
  --pg-outage-seconds S    PostgreSQL outage length (default 30; 0: no outage)
  --service-kills all|N    SIGKILL every service in turn (default), or N picked at random
  --db-cuts N              database connection cuts through a service's proxy (default 2)
  --broker-freezes N       SIGSTOP/SIGCONT of the broker (default 1)
  --no-broker-kill         skip the SIGKILL of the broker
  --no-registry-kill       skip the SIGKILL of the schema registry
  --products N             catalog products the orders draw from (default 8)
  --returns R              share of approved orders returned once delivered, some partially (default 0.1; 0: none)
  --replenished N          products whose location is replenished from the supplier (default 2; 0: none)
  --ports A-B              listen only on ports A..B (default: free ports from 20000 up to the
                           ephemeral range; env FV_CHAOS_PORTS)
  --state-dir DIR          where the run's temporary folder goes (default .local/chaos-state; env FV_CHAOS_STATE_DIR)
  --accept-deadline-seconds S   how long the storefront retries one order (default 120)
  --settle-seconds S       how long to wait for the platform to settle after the load (default 300)
  --examples N             offending orders printed per invariant (default 5)
  --small                  the size npm test runs: 60 orders at 0.7/s, one service kill, a broker kill,
                           a 10 s PostgreSQL outage and one proxy cut (other options still apply after it)
  --keep                   keep the run's temporary folder (broker data, PostgreSQL cluster)
  --help`;

function defaults(): ChaosOptions {
  return {
    seed: Math.floor(Math.random() * 2 ** 31),
    orders: 1000,
    ratePerSecond: 3,
    rateGiven: false,
    products: 8,
    acceptDeadlineMs: 120_000,
    settleMs: 300_000,
    examples: 5,
    keepState: false,
    returnShare: 0.1,
    replenishedProducts: 2,
    portRange: process.env.FV_CHAOS_PORTS ? parsePortRange(process.env.FV_CHAOS_PORTS) : null,
    stateDir: process.env.FV_CHAOS_STATE_DIR || null,
    schedule: {
      leadMs: 8_000,
      tailMs: 10_000,
      minGapMs: 5_000,
      serviceKills: 'all',
      brokerKill: true,
      registryKill: true,
      pgOutageMs: 30_000,
      dbCuts: 2,
      brokerFreezes: 1,
      restartDelayMs: [1_000, 5_000],
      dbCutMs: [8_000, 20_000],
      brokerFreezeMs: [5_000, 15_000],
      restartAllowanceMs: {
        'service-kill': 12_000,
        'broker-kill': 20_000,
        'registry-kill': 20_000,
        'pg-outage': 5_000,
      },
    },
  };
}

function small(options: ChaosOptions): void {
  options.orders = 60;
  options.ratePerSecond = 0.7;
  options.settleMs = 150_000;
  options.acceptDeadlineMs = 90_000;
  options.products = 4;
  options.replenishedProducts = 1;
  options.returnShare = 0.15;
  Object.assign(options.schedule, {
    leadMs: 6_000,
    tailMs: 6_000,
    minGapMs: 4_000,
    serviceKills: 1,
    brokerKill: true,
    registryKill: false,
    pgOutageMs: 10_000,
    dbCuts: 1,
    brokerFreezes: 0,
    restartDelayMs: [1_000, 3_000],
    dbCutMs: [5_000, 8_000],
  });
}

/** Parses the command line; throws an Error naming the option on bad input. */
export function parseOptions(argv: string[]): ChaosOptions | 'help' {
  const options = defaults();
  if (argv.includes('--small')) small(options);
  const number = (name: string, value: string | undefined, min: number, integer = true): number => {
    const parsed = Number(value);
    if (
      value === undefined ||
      !Number.isFinite(parsed) ||
      parsed < min ||
      (integer && !Number.isInteger(parsed))
    )
      throw new Error(
        `${name} needs ${integer ? 'an integer' : 'a number'} ≥ ${min}, got ${value ?? 'nothing'}`,
      );
    return parsed;
  };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--':
      case '--small':
        break;
      case '--help':
      case '-h':
        return 'help';
      case '--orders':
        options.orders = number(flag, value(), 1);
        break;
      case '--rate':
        options.ratePerSecond = number(flag, value(), 0.01, false);
        options.rateGiven = true;
        break;
      case '--seed':
        options.seed = number(flag, value(), 0);
        break;
      case '--pg-outage-seconds': {
        const seconds = number(flag, value(), 0, false);
        options.schedule.pgOutageMs = seconds === 0 ? null : Math.round(seconds * 1000);
        break;
      }
      case '--service-kills': {
        const given = value();
        options.schedule.serviceKills = given === 'all' ? 'all' : number(flag, given, 0);
        break;
      }
      case '--db-cuts':
        options.schedule.dbCuts = number(flag, value(), 0);
        break;
      case '--broker-freezes':
        options.schedule.brokerFreezes = number(flag, value(), 0);
        break;
      case '--no-broker-kill':
        options.schedule.brokerKill = false;
        break;
      case '--no-registry-kill':
        options.schedule.registryKill = false;
        break;
      case '--products':
        options.products = number(flag, value(), 1);
        break;
      case '--accept-deadline-seconds':
        options.acceptDeadlineMs = number(flag, value(), 1, false) * 1000;
        break;
      case '--settle-seconds':
        options.settleMs = number(flag, value(), 1, false) * 1000;
        break;
      case '--examples':
        options.examples = number(flag, value(), 0);
        break;
      case '--returns': {
        const share = number(flag, value(), 0, false);
        if (share > 1) throw new Error(`${flag} needs a share between 0 and 1, got ${share}`);
        options.returnShare = share;
        break;
      }
      case '--replenished':
        options.replenishedProducts = number(flag, value(), 0);
        break;
      case '--ports':
        options.portRange = parsePortRange(value());
        break;
      case '--state-dir': {
        const dir = value();
        if (!dir) throw new Error(`${flag} needs a folder`);
        options.stateDir = dir;
        break;
      }
      case '--keep':
        options.keepState = true;
        break;
      default:
        throw new Error(`unknown option ${arg} (see --help)`);
    }
  }
  if (options.replenishedProducts > options.products)
    throw new Error(
      `--replenished ${options.replenishedProducts} is more than the ${options.products} products`,
    );
  return options;
}

/** `A-B` (inclusive), both between 1024 and 65535, at least 64 ports (the platform needs about 30). */
export function parsePortRange(value: string | undefined): [number, number] {
  const match = /^(\d+)-(\d+)$/.exec(value?.trim() ?? '');
  const first = Number(match?.[1]);
  const last = Number(match?.[2]);
  if (!match || first < 1024 || last > 65535 || last - first < 63)
    throw new Error(
      `--ports needs a range A-B of at least 64 ports within 1024-65535, got ${value ?? 'nothing'}`,
    );
  return [first, last];
}
