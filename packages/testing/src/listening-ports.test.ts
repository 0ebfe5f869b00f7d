import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { ephemeralPorts, freePort, listeningRange, platformPorts, probeListeningPort } from './free-port.js';

describe('the ports a platform listens on', () => {
  it("reads the kernel's ephemeral range, Linux's default when it cannot", () => {
    expect(ephemeralPorts(() => '32768\t60999\n')).toEqual([32768, 60999]);
    expect(ephemeralPorts(() => '1024 65000')).toEqual([1024, 65000]);
    expect(ephemeralPorts(() => 'nonsense')).toEqual([32768, 60999]);
    expect(
      ephemeralPorts(() => {
        throw new Error('ENOENT');
      }),
    ).toEqual([32768, 60999]);
  });

  it('stay below the ephemeral range unless told otherwise, and say when a given range reaches into it', () => {
    expect(listeningRange(null, [32768, 60999])).toEqual({ range: [20000, 32767], overlap: false });
    expect(listeningRange([42000, 42999], [32768, 60999])).toEqual({ range: [42000, 42999], overlap: true });
    expect(listeningRange([22000, 22999], [32768, 60999])).toEqual({ range: [22000, 22999], overlap: false });
    // No room below it: any free port, flagged.
    expect(listeningRange(null, [10000, 60999])).toEqual({ range: null, overlap: true });
  });

  it('hands out free ports of the range, never one taken, never the same twice', async () => {
    const warnings: string[] = [];
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const busy = (taken.address() as net.AddressInfo).port;
    try {
      const next = platformPorts([busy, busy + 2], {
        ephemeral: [busy, busy + 10],
        warn: (line) => warnings.push(line),
      });
      const first = await next();
      const second = await next();
      expect(first).not.toBe(busy);
      expect(second).not.toBe(busy);
      expect(first).not.toBe(second);
      expect([busy + 1, busy + 2]).toEqual(expect.arrayContaining([first, second]));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('overlap the ephemeral ports');
    } finally {
      taken.close();
    }
  });
});

describe('freePort', () => {
  it('hands out free ports below the ephemeral range', async () => {
    const [low] = ephemeralPorts();
    const ports = [await freePort(), await freePort(), await freePort()];
    expect(new Set(ports).size).toBe(3);
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(20000);
      expect(port).toBeLessThan(low);
    }
  });

  it('skips a port that is taken', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const busy = (taken.address() as net.AddressInfo).port;
    try {
      // Ports 20000 up to busy + 999 are below this ephemeral range: the first pick is the busy port.
      const size = busy + 1000 - 20000;
      const picks = [(busy - 20000 + 0.5) / size, (busy + 1 - 20000 + 0.5) / size];
      const port = await probeListeningPort({
        ephemeral: [busy + 1000, busy + 2000],
        random: () => picks.shift() ?? 0.5,
      });
      expect(picks).toEqual([]);
      expect(port).not.toBe(busy);
    } finally {
      taken.close();
    }
  });
});
