import { PLATFORM_SERVICES } from '@fv/testing';
import { describe, expect, it } from 'vitest';
import { buildSchedule, scheduleNeedsMs, type ScheduleOptions } from './schedule.js';

/** The processes a chaos run may kill: the payment provider simulator and the six services. */
const services = ['payment-provider', ...PLATFORM_SERVICES];
const base: ScheduleOptions = {
  seed: 42,
  services,
  windowMs: 330_000,
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
};

describe('the fault schedule', () => {
  it('is the same for the same seed and differs for another', () => {
    expect(buildSchedule(base)).toEqual(buildSchedule({ ...base }));
    expect(buildSchedule({ ...base, seed: 43 })).not.toEqual(buildSchedule(base));
  });

  it('kills every service in turn, the broker and the registry, stops PostgreSQL, cuts and freezes', () => {
    const schedule = buildSchedule(base);
    const kills = schedule.filter((fault) => fault.kind === 'service-kill').map((fault) => fault.target);
    expect(kills).toEqual(services);
    const kinds = schedule.map((fault) => fault.kind);
    expect(kinds.filter((kind) => kind === 'broker-kill')).toHaveLength(1);
    expect(kinds.filter((kind) => kind === 'registry-kill')).toHaveLength(1);
    expect(kinds.filter((kind) => kind === 'db-cut')).toHaveLength(2);
    expect(kinds.filter((kind) => kind === 'broker-freeze')).toHaveLength(1);
    expect(schedule.find((fault) => fault.kind === 'pg-outage')).toMatchObject({
      target: 'postgresql',
      durationMs: 30_000,
    });
    for (const cut of schedule.filter((fault) => fault.kind === 'db-cut'))
      expect(services).toContain(cut.target);
  });

  it('places faults one after the other inside the window, each with its restart time and a gap', () => {
    const schedule = buildSchedule(base);
    expect(schedule.map((fault) => fault.id)).toEqual(schedule.map((_, index) => index + 1));
    expect(schedule[0]!.atMs).toBeGreaterThanOrEqual(base.leadMs);
    for (let i = 1; i < schedule.length; i += 1) {
      const previous = schedule[i - 1]!;
      const allowance = base.restartAllowanceMs[previous.kind] ?? 0;
      expect(schedule[i]!.atMs).toBeGreaterThanOrEqual(
        previous.atMs + previous.durationMs + allowance + base.minGapMs,
      );
    }
    const last = schedule.at(-1)!;
    expect(last.atMs + last.durationMs + (base.restartAllowanceMs[last.kind] ?? 0)).toBeLessThanOrEqual(
      base.windowMs - base.tailMs,
    );
  });

  it('draws restart delays and cut lengths within their bounds', () => {
    for (let seed = 0; seed < 50; seed += 1) {
      for (const fault of buildSchedule({ ...base, seed })) {
        if (fault.kind === 'db-cut') expect(fault.durationMs).toBeGreaterThanOrEqual(8_000);
        if (fault.kind === 'db-cut') expect(fault.durationMs).toBeLessThanOrEqual(20_000);
        if (fault.kind === 'service-kill') expect(fault.durationMs).toBeLessThanOrEqual(5_000);
      }
    }
  });

  it('picks N services at random when asked for fewer kills, and leaves out what is switched off', () => {
    const schedule = buildSchedule({
      ...base,
      serviceKills: 1,
      registryKill: false,
      brokerFreezes: 0,
      dbCuts: 1,
      pgOutageMs: null,
    });
    expect(schedule.map((fault) => fault.kind).sort()).toEqual(['broker-kill', 'db-cut', 'service-kill']);
  });

  it('says how long a load the faults of a seed need: a window that long is taken, a shorter one refused', () => {
    for (const seed of [1, 42, 87988964, 2_000_000_000]) {
      const needed = scheduleNeedsMs({ ...base, seed });
      expect(needed).toBeGreaterThan(base.leadMs + base.tailMs);
      expect(buildSchedule({ ...base, seed, windowMs: needed })).toHaveLength(buildSchedule(base).length);
      expect(() => buildSchedule({ ...base, seed, windowMs: needed - 1 })).toThrow(/need \d+ s of load/);
    }
  });

  it('refuses a window too short for its faults, saying how long they need', () => {
    expect(() => buildSchedule({ ...base, windowMs: 60_000 })).toThrow(
      /need \d+ s of load but the load lasts 60 s/,
    );
  });
});
