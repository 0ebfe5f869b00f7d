import { describe, expect, it } from 'vitest';
import { replayOrder, type OriginalPosition } from './replay-order.js';

const at = (ms: number) => new Date(1_700_000_000_000 + ms);
function row(id: string, topic: string, partition: number, offset: number, ms: number): OriginalPosition {
  return {
    id,
    originalTopic: topic,
    originalPartition: partition,
    originalOffset: BigInt(offset),
    originalTimestamp: at(ms),
    failedAt: at(ms + 10_000),
  };
}

describe('replayOrder', () => {
  it('keeps offset order within a partition even when timestamps disagree', () => {
    const rows = [row('c', 't', 0, 12, 5), row('a', 't', 0, 10, 50), row('b', 't', 0, 11, 1)];
    expect(replayOrder(rows).map((r) => r.id)).toEqual(['a', 'b', 'c']);
  });

  it('interleaves topics and partitions by the time the originals were produced', () => {
    const rows = [
      row('paid', 'payment-processed-events', 1, 7, 300),
      row('created', 'order-created-events', 2, 40, 100),
      row('reserved', 'inventory-reserved-events', 0, 3, 200),
      row('created-2', 'order-created-events', 2, 41, 400),
    ];
    expect(replayOrder(rows).map((r) => r.id)).toEqual(['created', 'reserved', 'paid', 'created-2']);
  });

  it('puts rows without an offset after those with one, by failure time', () => {
    const noOffset = { ...row('late', 't', 0, 0, 0), originalOffset: null, originalTimestamp: null };
    const rows = [noOffset, row('first', 't', 0, 5, 0)];
    expect(replayOrder(rows).map((r) => r.id)).toEqual(['first', 'late']);
  });

  it('returns every row exactly once', () => {
    const rows = Array.from({ length: 50 }, (_, i) =>
      row(`r${i}`, `t${i % 3}`, i % 2, 100 - i, (i * 37) % 11),
    );
    const ordered = replayOrder(rows);
    expect(new Set(ordered.map((r) => r.id)).size).toBe(50);
    for (const stream of ['t0', 't1', 't2'])
      for (const partition of [0, 1]) {
        const offsets = ordered
          .filter((r) => r.originalTopic === stream && r.originalPartition === partition)
          .map((r) => r.originalOffset!);
        expect(offsets).toEqual([...offsets].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      }
  });
});
