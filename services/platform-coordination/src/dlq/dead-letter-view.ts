import type { DeadLetter } from '../generated/prisma/client.js';

const iso = (date: Date | null) => date?.toISOString() ?? null;

/** A dead letter as the API shows it in lists and answers (no bytes, no headers). */
export function deadLetterView(row: DeadLetter) {
  return {
    id: row.id,
    status: row.status,
    originalTopic: row.originalTopic,
    originalPartition: row.originalPartition,
    originalOffset: row.originalOffset?.toString() ?? null,
    originalTimestamp: iso(row.originalTimestamp),
    dlqTopic: row.dlqTopic,
    dlqPartition: row.dlqPartition,
    dlqOffset: row.dlqOffset.toString(),
    key: row.messageKey ? Buffer.from(row.messageKey).toString('utf8') : null,
    eventName: row.eventName,
    eventId: row.eventId,
    orderId: row.orderId,
    correlationId: row.correlationId,
    error: { code: row.errorCode, class: row.errorClass, message: row.errorMessage },
    attempts: row.attempts,
    consumerGroup: row.consumerGroup,
    failedAt: row.failedAt.toISOString(),
    recordedAt: row.recordedAt.toISOString(),
    replayedAt: iso(row.replayedAt),
    discardedAt: iso(row.discardedAt),
    discardReason: row.discardReason,
    resolvedBy: row.resolvedBy,
    replayOf: row.replayOf,
  };
}

export type DeadLetterView = ReturnType<typeof deadLetterView>;

/** A decoded Avro value made JSON-safe: bytes as base64, 64-bit integers as text, dates as ISO 8601. */
export function jsonSafe(value: unknown): unknown {
  if (value === null || value === undefined) return value ?? null;
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), jsonSafe(v)]));
  if (typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, jsonSafe(v)]),
    );
  }
  return value;
}
