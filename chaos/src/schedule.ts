import { Prng } from '@fv/testing';

/** What the suite can break. */
export const FAULT_KINDS = [
  'service-kill', // SIGKILL of one service's node process; the supervisor starts it again after `durationMs`
  'broker-kill', // SIGKILL of the Kafka broker; started again with the stack's up() after `durationMs`
  'registry-kill', // SIGKILL of the schema registry; started again after `durationMs`
  'pg-outage', // PostgreSQL stopped (immediate) for `durationMs`
  'db-cut', // one service's database connections dropped and refused at its proxy for `durationMs`
  'broker-freeze', // the broker stopped with SIGSTOP for `durationMs`, then SIGCONT
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface PlannedFault {
  /** 1-based position in the schedule. */
  id: number;
  kind: FaultKind;
  /** The service (service-kill, db-cut), `kafka`, `schema-registry` or `postgresql`. */
  target: string;
  /** When it starts, from the start of the load. */
  atMs: number;
  /** How long the target stays broken before the suite restores it (a restart then takes what it takes). */
  durationMs: number;
}

export interface ScheduleOptions {
  seed: number;
  /** The servers the suite supervises, in start order. */
  services: readonly string[];
  /** How long the load runs; every fault starts and is restored within it. */
  windowMs: number;
  /** Quiet time before the first fault and after the last one's scheduled end. */
  leadMs: number;
  tailMs: number;
  /** Least quiet time between one fault's end and the next one's start (the platform is given time to recover). */
  minGapMs: number;
  /** Which faults: each service killed in turn, or only `serviceKills` of them picked at random. */
  serviceKills: 'all' | number;
  brokerKill: boolean;
  registryKill: boolean;
  pgOutageMs: number | null;
  dbCuts: number;
  brokerFreezes: number;
  /** Restart delay of a killed process, and length of a cut or a freeze: [min, max] ms. */
  restartDelayMs: [number, number];
  dbCutMs: [number, number];
  brokerFreezeMs: [number, number];
  /** Time a restart itself takes that the schedule must leave room for (broker and registry start-up). */
  restartAllowanceMs: Partial<Record<FaultKind, number>>;
}

/**
 * The fault schedule for a seed: which faults, against what, when and for how long. Pure: the same seed
 * and options give the same schedule. Faults never overlap (each recovery is measured on its own); the
 * gaps between them are spread at random over the window. Throws when the faults cannot fit the window,
 * naming how long they need.
 */
export function buildSchedule(options: ScheduleOptions): PlannedFault[] {
  const { sequence, neededMs: needed, placement } = draftFaults(options);
  if (needed > options.windowMs) {
    throw new Error(
      `the ${sequence.length} faults need ${Math.ceil(needed / 1000)} s of load but the load lasts ` +
        `${Math.floor(options.windowMs / 1000)} s: place more orders, lower the rate, or ask for fewer or shorter faults`,
    );
  }
  // The slack is cut at random points into one extra piece per gap (and one before the first, one after the last).
  const slack = options.windowMs - needed;
  const cuts = Array.from({ length: sequence.length }, () => placement.next() * slack).sort((a, b) => a - b);
  let cursor = options.leadMs;
  let previousCut = 0;
  return sequence.map((fault, index) => {
    const cut = cuts[index]!;
    cursor += cut - previousCut;
    previousCut = cut;
    const atMs = Math.round(cursor);
    cursor += busyMs(fault, options) + options.minGapMs;
    return { id: index + 1, atMs, ...fault };
  });
}

/** How long a load must last for the faults of this seed and these options (`buildSchedule` refuses a shorter one). */
export function scheduleNeedsMs(options: Omit<ScheduleOptions, 'windowMs'>): number {
  return draftFaults(options).neededMs;
}

/** The seed's faults in their order, without start times, and the load time they need. */
function draftFaults(options: Omit<ScheduleOptions, 'windowMs'>): {
  sequence: Omit<PlannedFault, 'id' | 'atMs'>[];
  neededMs: number;
  placement: Prng;
} {
  const random = new Prng(options.seed);
  const pick = random.fork('targets');
  const lengths = random.fork('lengths');
  const placement = random.fork('placement');
  const order = random.fork('order');

  const drafts: Omit<PlannedFault, 'id' | 'atMs'>[] = [];
  const between = ([min, max]: [number, number]) => lengths.int(min, max);
  const kills =
    options.serviceKills === 'all'
      ? [...options.services]
      : pick.shuffle(options.services).slice(0, Math.min(options.serviceKills, options.services.length));
  for (const target of kills)
    drafts.push({ kind: 'service-kill', target, durationMs: between(options.restartDelayMs) });
  if (options.brokerKill)
    drafts.push({ kind: 'broker-kill', target: 'kafka', durationMs: between(options.restartDelayMs) });
  if (options.registryKill) {
    drafts.push({
      kind: 'registry-kill',
      target: 'schema-registry',
      durationMs: between(options.restartDelayMs),
    });
  }
  if (options.pgOutageMs !== null)
    drafts.push({ kind: 'pg-outage', target: 'postgresql', durationMs: options.pgOutageMs });
  for (let i = 0; i < options.dbCuts; i += 1) {
    drafts.push({
      kind: 'db-cut',
      target: pick.pick(options.services),
      durationMs: between(options.dbCutMs),
    });
  }
  for (let i = 0; i < options.brokerFreezes; i += 1) {
    drafts.push({ kind: 'broker-freeze', target: 'kafka', durationMs: between(options.brokerFreezeMs) });
  }
  // Service kills keep their start order ("each in turn"); everything else is shuffled in between.
  const sequence = interleave(drafts, order);
  const neededMs =
    options.leadMs +
    options.tailMs +
    sequence.reduce((sum, fault) => sum + busyMs(fault, options), 0) +
    Math.max(0, sequence.length - 1) * options.minGapMs;
  return { sequence, neededMs, placement };
}

/** How long a fault keeps the platform from the next one: its length and the restart it needs. */
function busyMs(
  fault: Omit<PlannedFault, 'id' | 'atMs'>,
  options: Pick<ScheduleOptions, 'restartAllowanceMs'>,
): number {
  return fault.durationMs + (options.restartAllowanceMs[fault.kind] ?? 0);
}

function interleave<T extends { kind: FaultKind }>(drafts: T[], random: Prng): T[] {
  const kills = drafts.filter((fault) => fault.kind === 'service-kill');
  const others = random.shuffle(drafts.filter((fault) => fault.kind !== 'service-kill'));
  const sequence = [...kills];
  for (const fault of others) sequence.splice(random.int(0, sequence.length), 0, fault);
  return sequence;
}
