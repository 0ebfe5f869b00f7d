import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { CpuMeter, cpuSeconds, parseCpuTicks } from './proc-stat.js';

describe('parseCpuTicks', () => {
  it('adds utime and stime, whatever the command name holds', () => {
    const line =
      '4242 (node (tsx) main) S 1 4242 4242 0 -1 4194560 12345 0 0 0 731 129 0 0 20 0 11 0 98765 1234567 8901 18446744073709551615';
    expect(parseCpuTicks(line)).toBe(860);
  });

  it('refuses a line that is not a stat line', () => {
    expect(() => parseCpuTicks('nonsense')).toThrow(/unreadable/);
  });
});

describe('cpuSeconds', () => {
  it('reads this process, and null for a pid that does not exist', () => {
    const mine = cpuSeconds(process.pid);
    expect(mine).not.toBeNull();
    expect(mine!).toBeGreaterThanOrEqual(0);
    expect(cpuSeconds(2 ** 22 + 7)).toBeNull();
  });
});

describe('CpuMeter', () => {
  it('counts a process that ended during the window up to its last sample', async () => {
    const child = spawn(process.execPath, ['-e', 'const end = Date.now() + 300; while (Date.now() < end);']);
    const meter = new CpuMeter([]);
    // Sample while it runs, then let it end.
    let sampled = false;
    while (child.exitCode === null) {
      meter.sample([child.pid!]);
      sampled ||= (cpuSeconds(child.pid!) ?? 0) > 0;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    const reading = meter.read();
    expect(sampled).toBe(true);
    expect(reading.vanished).toBe(1);
    expect(reading.seconds).toBeGreaterThan(0);
  });
});
