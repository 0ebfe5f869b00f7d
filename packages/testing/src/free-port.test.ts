import { describe, expect, it } from 'vitest';
import { portAllocator } from './free-port.js';

describe('portAllocator', () => {
  it('never hands out a port twice, though the operating system offers it again', async () => {
    const offered = [41000, 41000, 41001, 41000, 41001, 41002];
    const next = portAllocator(async () => offered.shift()!);
    expect([await next(), await next(), await next()]).toEqual([41000, 41001, 41002]);
  });

  it("never hands out a port of npm start's stack", async () => {
    const offered = [9092, 8090, 8084, 41003];
    const next = portAllocator(async () => offered.shift()!);
    expect(await next()).toBe(41003);
  });

  it('hands out real free ports of 127.0.0.1', async () => {
    const next = portAllocator();
    const ports = [await next(), await next()];
    expect(new Set(ports).size).toBe(2);
    for (const port of ports) expect(port).toBeGreaterThan(1023);
  });
});
