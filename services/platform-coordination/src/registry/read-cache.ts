import type { ServiceInstance } from '../generated/prisma/client.js';
import type { InstanceFilter } from './instance-store.js';
import type { InstancePage, InstancePageRenderer, InstanceView } from './instance-view.js';

interface Entry {
  row: ServiceInstance;
  view: InstanceView;
}

interface Snapshot {
  loadedAt: number;
  /** In the order the API lists instances: name, then registration time, then id. */
  entries: Entry[];
  /** Position of each instance in `entries`, built on the first renewal. */
  positions?: Map<string, number>;
}

/** A rendered page, and the service name its query was limited to (none: every service's instances). */
interface RenderedPage {
  name: string | undefined;
  value: unknown;
}

export interface RegistryReadCacheOptions {
  /** Every registered instance, read from the database. */
  load: () => Promise<ServiceInstance[]>;
  view: (row: ServiceInstance) => InstanceView;
  /** How old a snapshot may be before a read loads a new one (writes of this process apply at once). */
  maxAgeMs: number;
  now?: () => number;
}

function compare(a: ServiceInstance, b: ServiceInstance): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  const registered = a.registeredAt.getTime() - b.registeredAt.getTime();
  if (registered !== 0) return registered;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function matches(row: ServiceInstance, filter: InstanceFilter): boolean {
  return (
    (!filter.name || row.name === filter.name) &&
    (!filter.status || row.status === filter.status) &&
    (!filter.tag || row.tags.includes(filter.tag)) &&
    (!filter.zone || row.zone === filter.zone)
  );
}

/**
 * The registry's read model (Eureka's read cache, in one process): discovery queries are answered from
 * a snapshot of every instance instead of a query each. The writes of this process apply to it at once
 * (a registration, a renewed lease, a removal) or drop it (a sweep, a status change); writes of other
 * replicas, and probe results that change no status, show once the snapshot is older than `maxAgeMs`.
 * Concurrent reads share one load, and a load that began before a write never serves a read that came
 * after it.
 */
/** Rendered pages kept per snapshot at most (distinct queries; more clear the memo). */
const MAX_RENDERED_PAGES = 1000;

export class RegistryReadCache {
  private snapshot: Snapshot | null = null;
  /** Each snapshot's rendered pages by query: a write makes a new snapshot, so none outlives its data. */
  private readonly rendered = new WeakMap<Snapshot, Map<string, RenderedPage>>();
  private loading: { generation: number; promise: Promise<Snapshot> } | null = null;
  /** Bumped by every write applied or dropped: a load begun before it is out of date. */
  private generation = 0;
  private readonly now: () => number;

  constructor(private readonly options: RegistryReadCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  async list(filter: InstanceFilter, page: number, size: number): Promise<InstancePage> {
    return this.page(await this.current(), filter, page, size);
  }

  private page(snapshot: Snapshot, filter: InstanceFilter, page: number, size: number): InstancePage {
    const matching = snapshot.entries.filter((entry) => matches(entry.row, filter));
    return {
      items: matching.slice(page * size, (page + 1) * size).map((entry) => entry.view),
      total: matching.length,
    };
  }

  /**
   * A page rendered by `render` (the route's serializer): the same query against the same snapshot is
   * rendered once, so a discovery read that many clients repeat costs a lookup instead of a serialization.
   */
  async listRendered<T>(
    filter: InstanceFilter,
    page: number,
    size: number,
    render: InstancePageRenderer<T>,
  ): Promise<T> {
    const snapshot = await this.current();
    let pages = this.rendered.get(snapshot);
    if (!pages) this.rendered.set(snapshot, (pages = new Map()));
    const key = JSON.stringify([filter.name, filter.status, filter.tag, filter.zone, page, size]);
    const memo = pages.get(key);
    if (memo) return memo.value as T;
    const result = render(this.page(snapshot, filter, page, size));
    if (pages.size >= MAX_RENDERED_PAGES) pages.clear();
    pages.set(key, { name: filter.name, value: result });
    return result;
  }

  /** A registration committed by this process: the instance as stored. */
  put(row: ServiceInstance): void {
    this.generation += 1;
    if (!this.snapshot) return;
    const entries = this.snapshot.entries.filter((entry) => entry.row.id !== row.id);
    const at = entries.findIndex((entry) => compare(row, entry.row) < 0);
    entries.splice(at === -1 ? entries.length : at, 0, { row, view: this.options.view(row) });
    this.snapshot = { ...this.snapshot, entries };
  }

  /**
   * A lease renewed by this process (the common heartbeat, which changes nothing else): the instance's
   * entry is replaced in place of a copy, found by its position, and the rendered pages of queries
   * limited to other services stay valid for the new snapshot, so heartbeats do not make every
   * discovery read render again.
   */
  renewed(id: string, lastHeartbeatAt: Date): void {
    this.generation += 1;
    const snapshot = this.snapshot;
    if (!snapshot) return;
    snapshot.positions ??= new Map(snapshot.entries.map((entry, position) => [entry.row.id, position]));
    const position = snapshot.positions.get(id);
    if (position === undefined) return;
    const row = { ...snapshot.entries[position]!.row, lastHeartbeatAt };
    const entries = snapshot.entries.slice();
    entries[position] = { row, view: this.options.view(row) };
    const next: Snapshot = { loadedAt: snapshot.loadedAt, entries, positions: snapshot.positions };
    const pages = this.rendered.get(snapshot);
    if (pages) {
      const kept = [...pages].filter(([, page]) => page.name !== undefined && page.name !== row.name);
      if (kept.length > 0) this.rendered.set(next, new Map(kept));
    }
    this.snapshot = next;
  }

  /** An instance removed by this process. */
  removed(id: string): void {
    this.generation += 1;
    if (!this.snapshot) return;
    this.snapshot = {
      ...this.snapshot,
      entries: this.snapshot.entries.filter((entry) => entry.row.id !== id),
    };
  }

  /** Changes this process made that the snapshot cannot follow in place: the next read loads anew. */
  invalidate(): void {
    this.generation += 1;
    this.snapshot = null;
  }

  private async current(): Promise<Snapshot> {
    if (this.snapshot && this.now() - this.snapshot.loadedAt < this.options.maxAgeMs) return this.snapshot;
    if (this.loading && this.loading.generation === this.generation) return this.loading.promise;
    const generation = this.generation;
    const loadedAt = this.now();
    const promise = this.options.load().then((rows) => {
      const snapshot: Snapshot = {
        loadedAt,
        entries: [...rows].sort(compare).map((row) => ({ row, view: this.options.view(row) })),
      };
      // Nothing was written meanwhile: the snapshot is current and serves the next reads.
      if (generation === this.generation) this.snapshot = snapshot;
      return snapshot;
    });
    this.loading = { generation, promise };
    try {
      return await promise;
    } finally {
      if (this.loading?.promise === promise) this.loading = null;
    }
  }
}
