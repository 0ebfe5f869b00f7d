import { describe, expect, it } from 'vitest';
import type { ServiceInstance } from '../generated/prisma/client.js';
import { toInstanceView } from './instance-view.js';
import { RegistryReadCache } from './read-cache.js';

function instance(id: string, name: string, registeredAt: number, extra: Partial<ServiceInstance> = {}) {
  return {
    id,
    name,
    version: '1.0.0',
    host: '10.0.0.1',
    port: 8080,
    baseUrl: 'http://10.0.0.1:8080',
    healthUrl: 'http://10.0.0.1:8080/health',
    metadata: {},
    tags: [],
    zone: null,
    status: 'UP',
    heartbeatStatus: 'passing',
    httpStatus: 'unknown',
    criticalSince: null,
    lastHeartbeatAt: new Date(registeredAt),
    lastCheckedAt: null,
    healthHistory: [],
    registeredAt: new Date(registeredAt),
    updatedAt: new Date(registeredAt),
    ...extra,
  } as unknown as ServiceInstance;
}

function cacheOf(rows: ServiceInstance[], clock = { now: 0 }) {
  const loads: number[] = [];
  let release: (() => void) | null = null;
  let hold = false;
  const cache = new RegistryReadCache({
    load: async () => {
      loads.push(clock.now);
      const snapshot = [...rows];
      if (hold) await new Promise<void>((resolve) => (release = resolve));
      return snapshot;
    },
    view: (row) => toInstanceView(row, 30_000),
    maxAgeMs: 1000,
    now: () => clock.now,
  });
  return {
    cache,
    loads,
    holdLoads: () => (hold = true),
    releaseLoad: () => {
      hold = false;
      release?.();
    },
  };
}

const ids = (page: { items: { instanceId: string }[] }) => page.items.map((item) => item.instanceId);

describe('RegistryReadCache', () => {
  it('renders a query once per snapshot; a write, or a snapshot grown old, renders it again', async () => {
    const clock = { now: 0 };
    const rows = [instance('a1', 'orders', 1), instance('a2', 'orders', 2), instance('b1', 'billing', 3)];
    const { cache } = cacheOf(rows, clock);
    const renders: string[][] = [];
    const render = (page: { items: { instanceId: string }[]; total: number }) => {
      renders.push(ids(page));
      return `${ids(page).join(',')}/${page.total}`;
    };
    expect(await cache.listRendered({ name: 'orders' }, 0, 20, render)).toBe('a1,a2/2');
    expect(await cache.listRendered({ name: 'orders' }, 0, 20, render)).toBe('a1,a2/2');
    expect(await cache.listRendered({ name: 'orders' }, 0, 1, render)).toBe('a1/2');
    expect(renders).toEqual([['a1', 'a2'], ['a1']]);

    cache.removed('a1');
    expect(await cache.listRendered({ name: 'orders' }, 0, 20, render)).toBe('a2/1');
    cache.put(instance('a3', 'orders', 4));
    expect(await cache.listRendered({ name: 'orders' }, 0, 20, render)).toBe('a2,a3/2');
    clock.now = 5000;
    await cache.listRendered({ name: 'orders' }, 0, 20, render);
    expect(renders).toHaveLength(5);
  });

  it('applies a renewed lease in place and keeps the rendered pages of other services', async () => {
    const rows = [instance('a1', 'orders', 1), instance('a2', 'orders', 2), instance('b1', 'billing', 3)];
    const { cache, loads } = cacheOf(rows);
    const renders: string[] = [];
    const render = (page: { items: { instanceId: string; checks: unknown }[]; total: number }) => {
      renders.push(ids(page).join(','));
      return JSON.stringify(page.items.map((item) => [item.instanceId, item.checks]));
    };
    await cache.listRendered({ name: 'orders' }, 0, 20, render);
    await cache.listRendered({ name: 'billing' }, 0, 20, render);
    await cache.listRendered({}, 0, 20, render);
    expect(renders).toEqual(['a1,a2', 'b1', 'b1,a1,a2']);

    cache.renewed('a2', new Date(10_000));
    const orders = JSON.parse(await cache.listRendered({ name: 'orders' }, 0, 20, render)) as [
      string,
      { heartbeat: { lastHeartbeatAt: string } },
    ][];
    expect(orders.map(([id]) => id)).toEqual(['a1', 'a2']);
    expect(orders[1]![1].heartbeat.lastHeartbeatAt).toBe(new Date(10_000).toISOString());
    expect(orders[0]![1].heartbeat.lastHeartbeatAt).toBe(new Date(1).toISOString());
    await cache.listRendered({ name: 'billing' }, 0, 20, render);
    await cache.listRendered({}, 0, 20, render);
    // The billing page was kept; the orders page and the page of every service were rendered again.
    expect(renders).toEqual(['a1,a2', 'b1', 'b1,a1,a2', 'a1,a2', 'b1,a1,a2']);

    cache.renewed('unknown', new Date(20_000));
    await cache.listRendered({ name: 'orders' }, 0, 20, render);
    expect(renders).toHaveLength(5);
    expect(loads).toHaveLength(1);
  });

  it('filters, orders (name, registration, id) and pages as the database query did', async () => {
    const rows = [
      instance('c', 'orders', 3, { tags: ['blue'], zone: 'eu' }),
      instance('a', 'orders', 1, { status: 'DOWN' }),
      instance('b', 'inventory', 2, { tags: ['blue'] }),
      instance('d', 'orders', 1, { zone: 'eu' }),
    ];
    const { cache } = cacheOf(rows);
    expect(ids(await cache.list({}, 0, 10))).toEqual(['b', 'a', 'd', 'c']);
    expect(await cache.list({ name: 'orders' }, 1, 2)).toMatchObject({ total: 3 });
    expect(ids(await cache.list({ name: 'orders' }, 1, 2))).toEqual(['c']);
    expect(ids(await cache.list({ status: 'DOWN' }, 0, 10))).toEqual(['a']);
    expect(ids(await cache.list({ tag: 'blue' }, 0, 10))).toEqual(['b', 'c']);
    expect(ids(await cache.list({ zone: 'eu', name: 'orders' }, 0, 10))).toEqual(['d', 'c']);
  });

  it('answers from one load until the snapshot is maxAgeMs old', async () => {
    const clock = { now: 0 };
    const { cache, loads } = cacheOf([instance('a', 'orders', 1)], clock);
    await Promise.all([cache.list({}, 0, 20), cache.list({}, 0, 20), cache.list({ name: 'x' }, 0, 20)]);
    clock.now = 999;
    await cache.list({}, 0, 20);
    expect(loads).toEqual([0]);
    clock.now = 1000;
    await cache.list({}, 0, 20);
    expect(loads).toEqual([0, 1000]);
  });

  it("applies this process's writes at once, without a load", async () => {
    const { cache, loads } = cacheOf([instance('a', 'orders', 1), instance('b', 'orders', 2)]);
    await cache.list({}, 0, 20);
    cache.put(instance('c', 'orders', 0));
    cache.renewed('b', new Date(5000));
    cache.removed('a');
    const page = await cache.list({ name: 'orders' }, 0, 20);
    expect(ids(page)).toEqual(['c', 'b']);
    expect(page.items[1]!.checks.heartbeat.lastHeartbeatAt).toBe(new Date(5000).toISOString());
    expect(loads).toHaveLength(1);
    cache.invalidate();
    await cache.list({}, 0, 20);
    expect(loads).toHaveLength(2);
  });

  it('never answers a read that follows a write with a load begun before it', async () => {
    const rows = [instance('a', 'orders', 1)];
    const { cache, loads, holdLoads, releaseLoad } = cacheOf(rows);
    holdLoads();
    const before = cache.list({}, 0, 20);
    // The write commits (the database has the row) while the first load is on its way.
    rows.push(instance('b', 'orders', 2));
    cache.invalidate();
    releaseLoad();
    const after = await cache.list({}, 0, 20);
    expect(ids(await before)).toEqual(['a']);
    expect(ids(after)).toEqual(['a', 'b']);
    expect(loads).toHaveLength(2);
  });
});
