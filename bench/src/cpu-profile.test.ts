import { describe, expect, it } from 'vitest';
import { moduleOf, summariseProfile, themeOf, type CpuProfile } from './cpu-profile.js';

describe('moduleOf', () => {
  it('names the package of a pnpm path, scoped or not', () => {
    expect(moduleOf('file:///r/node_modules/.pnpm/pino@9.14.0/node_modules/pino/lib/proto.js', 'write')).toBe(
      'pino',
    );
    expect(
      moduleOf(
        'file:///r/node_modules/.pnpm/@prisma+client@6/node_modules/@prisma/client/runtime/client.js',
        'x',
      ),
    ).toBe('@prisma/client');
  });

  it('tells workspace packages, generated clients and own code apart', () => {
    expect(moduleOf('file:///r/packages/messaging/src/outbox.ts', 'relay')).toBe('@fv/messaging');
    expect(moduleOf('file:///r/services/orders/src/generated/prisma/client.ts', 'x')).toBe(
      'orders (generated Prisma client)',
    );
    expect(moduleOf('file:///r/services/orders/src/use-cases/place-order.ts', 'placeOrder')).toBe(
      'orders (own code)',
    );
  });

  it('groups Node.js internals and V8 pseudo-frames', () => {
    expect(moduleOf('node:internal/streams/writable', 'write')).toBe('node:streams');
    expect(moduleOf('node:net', 'connect')).toBe('node:net');
    expect(moduleOf('', '(garbage collector)')).toBe('(garbage collector)');
    expect(moduleOf('', '(idle)')).toBe('(idle)');
    expect(moduleOf('', 'writev')).toBe('(native bindings)');
    expect(moduleOf('node:internal/deps/undici/undici', 'fetch')).toBe('node:deps/undici');
    expect(moduleOf('wasm://wasm/007708f6', 'wasm-function[91]')).toBe(
      '@prisma/client (query compiler, wasm)',
    );
  });
});

describe('themeOf', () => {
  it('maps modules to the concerns the profile is read for', () => {
    expect(themeOf('pino')).toBe('logging (pino)');
    expect(themeOf('sonic-boom')).toBe('logging (pino)');
    expect(themeOf('@pinojs/redact')).toBe('logging (pino)');
    expect(themeOf('@prisma/client (query compiler, wasm)')).toBe('Prisma (client runtime, query compiler)');
    expect(themeOf('node:deps/undici')).toBe('HTTP client (fetch, undici)');
    expect(themeOf('orders (generated Prisma client)')).toBe('Prisma (client runtime, query compiler)');
    expect(themeOf('avsc')).toBe('Avro and schema registry');
    expect(themeOf('kafkajs')).toBe('kafkajs');
    expect(themeOf('node:_http_server')).toBe('Node.js core: network and HTTP');
    expect(themeOf('something-else')).toBe('other');
  });
});

describe('summariseProfile', () => {
  const frame = (functionName: string, url: string) => ({
    functionName,
    url,
    lineNumber: 0,
    columnNumber: 0,
  });
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame('(idle)', '') },
      {
        id: 2,
        callFrame: frame('write', 'file:///r/node_modules/.pnpm/pino@9/node_modules/pino/lib/proto.js'),
      },
      {
        id: 3,
        callFrame: frame('transform', 'file:///r/node_modules/.pnpm/tsx@4/node_modules/tsx/dist/index.mjs'),
      },
    ],
    startTime: 1_000_000,
    endTime: 1_010_000,
    // Samples at 1,001,000 (tsx, start-up), then every 1 ms from 1,005,000: pino, pino, idle, pino.
    samples: [3, 2, 2, 1, 2, 2],
    timeDeltas: [1000, 4000, 1000, 1000, 1000, 1000],
  };

  it('counts only the samples of the window, each lasting until the next one', () => {
    const summary = summariseProfile(profile, 1_004_500, 1_010_000);
    expect(summary.windowed).toBe(true);
    expect(summary.modules).toEqual([{ name: 'pino', ms: 3, share: 1 }]);
    expect(summary.idleMs).toBe(1);
    expect(summary.themes[0]!.name).toBe('logging (pino)');
  });

  it('summarises the whole profile when the window is outside it', () => {
    const summary = summariseProfile(profile, 1, 2);
    expect(summary.windowed).toBe(false);
    expect(summary.modules.map((m) => m.name)).toEqual(['tsx', 'pino']);
  });
});

describe('readProfile', () => {
  it('reads the main thread profile, not a worker thread one', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const { readProfile } = await import('./cpu-profile.js');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cpu-profile-'));
    const write = (name: string, startTime: number) =>
      fs.writeFileSync(
        path.join(dir, name),
        JSON.stringify({ nodes: [], startTime, endTime: startTime + 1, samples: [], timeDeltas: [] }),
      );
    write('CPU.20260101.120000.4242.0.001.cpuprofile', 1);
    write('CPU.20260101.120001.4242.1.002.cpuprofile', 2);
    expect(readProfile(dir)?.startTime).toBe(1);
    fs.rmSync(dir, { recursive: true });
  });
});
