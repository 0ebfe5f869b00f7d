/** The position of a dead letter in the stream it was consumed from. */
export interface OriginalPosition {
  id: string;
  originalTopic: string;
  originalPartition: number | null;
  originalOffset: bigint | null;
  originalTimestamp: Date | null;
  failedAt: Date;
}

function compareOffsets(a: OriginalPosition, b: OriginalPosition): number {
  if (a.originalOffset !== null && b.originalOffset !== null && a.originalOffset !== b.originalOffset)
    return a.originalOffset < b.originalOffset ? -1 : 1;
  if (a.originalOffset === null && b.originalOffset !== null) return 1;
  if (a.originalOffset !== null && b.originalOffset === null) return -1;
  return a.failedAt.getTime() - b.failedAt.getTime() || a.id.localeCompare(b.id);
}

function time(position: OriginalPosition): number {
  return (position.originalTimestamp ?? position.failedAt).getTime();
}

/**
 * The order a replay sends dead letters in: within one partition of one topic strictly by original
 * offset (the order the consumer saw them in); across partitions and topics by the time the original
 * messages were produced, taking each partition's next message in turn (a k-way merge), so the events
 * of one order go back in the order they happened.
 */
export function replayOrder<T extends OriginalPosition>(rows: readonly T[]): T[] {
  const streams = new Map<string, T[]>();
  for (const row of rows) {
    const key = `${row.originalTopic}\u0000${row.originalPartition ?? ''}`;
    const stream = streams.get(key) ?? [];
    stream.push(row);
    streams.set(key, stream);
  }
  const queues = [...streams.values()].map((stream) => stream.sort(compareOffsets));
  const heads = queues.map(() => 0);
  const ordered: T[] = [];
  while (ordered.length < rows.length) {
    let best = -1;
    for (let i = 0; i < queues.length; i += 1) {
      const candidate = queues[i]![heads[i]!];
      if (!candidate) continue;
      if (best === -1) {
        best = i;
        continue;
      }
      const current = queues[best]![heads[best]!]!;
      const byTime = time(candidate) - time(current);
      const byTopic = candidate.originalTopic.localeCompare(current.originalTopic);
      const byPartition = (candidate.originalPartition ?? -1) - (current.originalPartition ?? -1);
      if (byTime < 0 || (byTime === 0 && (byTopic < 0 || (byTopic === 0 && byPartition < 0)))) best = i;
    }
    ordered.push(queues[best]![heads[best]!]!);
    heads[best]! += 1;
  }
  return ordered;
}
