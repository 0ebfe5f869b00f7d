/** What `npm run bench:orders -- ...` accepts. */
export interface BenchOptions {
  /** Order rates (orders per second), measured in this order. */
  rates: number[];
  /** Measured seconds per rate. */
  durationS: number;
  /** Warm-up seconds at the first rate before anything is measured (0: none). */
  warmupS: number;
  /** Bisect for the highest rate whose p99 order→COMPLETED stays under the objective. */
  search: boolean;
  /** Measured runs of the search at most. */
  searchSteps: number;
  /** The search doubles the highest rate up to this when every listed rate passed. */
  maxRate: number;
  /** The objective: p99 order→COMPLETED in milliseconds. */
  sloMs: number;
  /** Repetitions of each listed rate (orders and baseline). */
  repeat: number;
  /** Drive GET /health/live of the order service at the same rates. */
  baseline: boolean;
  /** Run the services with --cpu-prof and summarise the measured window. */
  profile: boolean;
  /** Seconds to wait after the last send for every order to leave PENDING/CONFIRMED. */
  drainTimeoutS: number;
  /** Seconds of an idle platform measured before any load (CPU that is not per order). */
  idleS: number;
  /** LOG_LEVEL of the services. */
  logLevel: string;
  /** How the servers run: `compiled` (dist/main.js, as `npm start` runs them) or `sources` (tsx). */
  servers: 'compiled' | 'sources';
  /** Folder of the JSON report (and profiles). */
  outDir: string;
}

export const DEFAULT_OPTIONS: BenchOptions = {
  rates: [10, 25, 50, 100],
  durationS: 60,
  warmupS: 10,
  search: true,
  searchSteps: 3,
  maxRate: 400,
  sloMs: 1000,
  repeat: 1,
  baseline: true,
  profile: false,
  drainTimeoutS: 120,
  idleS: 10,
  logLevel: 'info',
  servers: 'compiled',
  outDir: '.local/bench',
};

export const USAGE = `npm run bench:orders -- [options]
  --rates 10,25,50,100   order rates per second, each measured in turn
  --duration 60          measured seconds per rate
  --warmup 10            warm-up seconds at the first rate (0: none)
  --search | --no-search bisect for the highest rate whose p99 order→COMPLETED < --slo-ms (default: on)
  --search-steps 3       measured runs the search may take
  --max-rate 400         the search doubles upwards to at most this when every rate passed
  --slo-ms 1000          the objective for p99 order→COMPLETED
  --repeat 1             repetitions of each listed rate (median and min–max reported)
  --no-baseline          skip GET /health/live at the same rates
  --profile              run the services with --cpu-prof and summarise the measured windows
  --drain-timeout 120    seconds to wait for the last orders to finish after each rate
  --idle 10              seconds of idle platform measured first
  --log-level info       LOG_LEVEL of the services
  --servers compiled     compiled: node dist/main.js (built first), as npm start runs them; sources: tsx
  --out .local/bench     folder of the JSON report`;

export class OptionsError extends Error {}

function positiveNumber(
  name: string,
  raw: string | undefined,
  { integer = false, zero = false } = {},
): number {
  const value = Number(raw);
  if (raw === undefined || raw.trim() === '' || !Number.isFinite(value))
    throw new OptionsError(`--${name} needs a number, got ${raw === undefined ? 'nothing' : `"${raw}"`}`);
  if (integer && !Number.isInteger(value))
    throw new OptionsError(`--${name} must be a whole number, got ${raw}`);
  if (value < 0 || (!zero && value === 0))
    throw new OptionsError(`--${name} must be ${zero ? 'zero or more' : 'more than zero'}, got ${raw}`);
  return value;
}

/** Parses the command line (`--name value` or `--name=value`); throws OptionsError naming the option. */
export function parseOptions(argv: readonly string[]): BenchOptions {
  const options: BenchOptions = { ...DEFAULT_OPTIONS, rates: [...DEFAULT_OPTIONS.rates] };
  const args = [...argv];
  while (args.length > 0) {
    const arg = args.shift()!;
    if (arg === '--') continue;
    if (!arg.startsWith('--')) throw new OptionsError(`unexpected argument "${arg}"\n\n${USAGE}`);
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    const value = () => (inline !== undefined ? inline : args.shift());
    switch (name) {
      case 'rates': {
        const raw = value();
        if (!raw) throw new OptionsError('--rates needs a comma-separated list of rates, e.g. 10,25,50');
        options.rates = raw.split(',').map((part) => positiveNumber('rates', part.trim()));
        break;
      }
      case 'duration':
        options.durationS = positiveNumber(name, value());
        break;
      case 'warmup':
        options.warmupS = positiveNumber(name, value(), { zero: true });
        break;
      case 'search':
        options.search = inline === undefined ? true : inline !== 'false';
        break;
      case 'no-search':
        options.search = false;
        break;
      case 'search-steps':
        options.searchSteps = positiveNumber(name, value(), { integer: true });
        break;
      case 'max-rate':
        options.maxRate = positiveNumber(name, value());
        break;
      case 'slo-ms':
        options.sloMs = positiveNumber(name, value());
        break;
      case 'repeat':
        options.repeat = positiveNumber(name, value(), { integer: true });
        break;
      case 'baseline':
        options.baseline = inline === undefined ? true : inline !== 'false';
        break;
      case 'no-baseline':
        options.baseline = false;
        break;
      case 'profile':
        options.profile = inline === undefined ? true : inline !== 'false';
        break;
      case 'drain-timeout':
        options.drainTimeoutS = positiveNumber(name, value());
        break;
      case 'idle':
        options.idleS = positiveNumber(name, value(), { zero: true });
        break;
      case 'log-level': {
        const level = value();
        if (!level || !['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(level))
          throw new OptionsError(`--log-level must be one of fatal, error, warn, info, debug, trace, silent`);
        options.logLevel = level;
        break;
      }
      case 'servers': {
        const kind = value();
        if (kind !== 'compiled' && kind !== 'sources')
          throw new OptionsError('--servers must be compiled or sources');
        options.servers = kind;
        break;
      }
      case 'out': {
        const out = value();
        if (!out) throw new OptionsError('--out needs a folder');
        options.outDir = out;
        break;
      }
      case 'help':
        throw new OptionsError(USAGE);
      default:
        throw new OptionsError(`unknown option --${name}\n\n${USAGE}`);
    }
  }
  if (options.maxRate < Math.max(...options.rates)) options.maxRate = Math.max(...options.rates);
  return options;
}
