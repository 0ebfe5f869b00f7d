import { eventNameOfTopic, type EventMap, type EventName } from '@fv/contracts';
import { DLQ_HEADERS, HEADERS, headersToStrings } from '@fv/messaging';
import type { IHeaders, KafkaMessage } from 'kafkajs';

/** Headers a replayed message carries besides its original ones. */
export const REPLAY_HEADERS = {
  /** The ledger id of the dead letter this message replays. */
  replayOf: 'dlq-replay-of',
  replayedAt: 'dlq-replayed-at',
  /** The subject of the operator's token. */
  replayedBy: 'dlq-replayed-by',
} as const;

export const DEAD_LETTER_STATUSES = ['PENDING', 'REPLAYED', 'DISCARDED'] as const;
export type DeadLetterStatus = (typeof DEAD_LETTER_STATUSES)[number];

const DLQ_SUFFIX = '.DLQ';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DLQ_HEADER_NAMES: ReadonlySet<string> = new Set([
  ...Object.values(DLQ_HEADERS),
  ...Object.values(REPLAY_HEADERS),
]);

/** What the ledger learns from the value when it decodes. */
export interface EventFacts {
  eventName: string | null;
  eventId: string | null;
  orderId: string | null;
  correlationId: string | null;
}

/** The envelope fields and the order id of a decoded event. */
export function factsOfEvent(name: EventName, event: EventMap[EventName]): EventFacts {
  const orderId = (event as { orderId?: unknown }).orderId;
  return {
    eventName: name,
    eventId: event.eventId,
    orderId: typeof orderId === 'string' && orderId.length > 0 ? orderId : null,
    correlationId: event.correlationId,
  };
}

/** What the headers and the topic tell when the value cannot be decoded. */
export function factsOfHeaders(originalTopic: string, headers: Record<string, string>): EventFacts {
  return {
    eventName: eventNameOfTopic(originalTopic) ?? null,
    eventId: headers[HEADERS.eventId] ?? null,
    orderId: null,
    correlationId: headers[HEADERS.correlationId] ?? null,
  };
}

/** The topic a message of `dlqTopic` was dead-lettered from, by its header or else by the DLQ topic's name. */
export function originalTopicOf(dlqTopic: string, headers: Record<string, string>): string {
  const named = headers[DLQ_HEADERS.originalTopic]?.trim();
  if (named) return named;
  return dlqTopic.endsWith(DLQ_SUFFIX) ? dlqTopic.slice(0, -DLQ_SUFFIX.length) : dlqTopic;
}

function integer(value: string | undefined): number | null {
  if (value === undefined || !/^\d{1,9}$/.test(value.trim())) return null;
  return Number(value.trim());
}

function offset(value: string | undefined): bigint | null {
  if (value === undefined || !/^\d{1,19}$/.test(value.trim())) return null;
  return BigInt(value.trim());
}

/** A date from epoch milliseconds (Kafka timestamps) or an ISO 8601 text; null when neither. */
function date(value: string | undefined): Date | null {
  if (value === undefined || value.trim() === '') return null;
  const text = value.trim();
  const parsed = /^\d{1,16}$/.test(text) ? new Date(Number(text)) : new Date(text);
  return Number.isNaN(parsed.getTime()) ? null : parsed;
}

/** PostgreSQL text and JSONB cannot hold NUL: a header that carries one is kept with U+FFFD instead. */
function storable(value: string): string {
  return value.includes('\u0000') ? value.replaceAll('\u0000', '\uFFFD') : value;
}

function clip(value: string | undefined, length: number): string | null {
  if (value === undefined) return null;
  const text = storable(value);
  return text.length > length ? text.slice(0, length) : text;
}

/** One ledger row, as the store writes it. */
export interface DeadLetterInput {
  id: string;
  dlqTopic: string;
  dlqPartition: number;
  dlqOffset: bigint;
  originalTopic: string;
  originalPartition: number | null;
  originalOffset: bigint | null;
  originalTimestamp: Date | null;
  messageKey: Uint8Array | null;
  value: Uint8Array | null;
  headers: Record<string, string>;
  eventName: string | null;
  eventId: string | null;
  orderId: string | null;
  correlationId: string | null;
  decodeError: string | null;
  errorCode: string;
  errorClass: string | null;
  errorMessage: string | null;
  attempts: number | null;
  consumerGroup: string | null;
  failedAt: Date;
  replayOf: string | null;
}

/**
 * The ledger row of a message read from a dead-letter topic: its position there, the original
 * position and error from the `dlq-*` headers, the bytes as they were, and what decoding told.
 */
export function deadLetterInput(input: {
  id: string;
  dlqTopic: string;
  dlqPartition: number;
  message: Pick<KafkaMessage, 'offset' | 'key' | 'value' | 'headers' | 'timestamp'>;
  facts: EventFacts;
  decodeError: string | null;
  now: Date;
}): DeadLetterInput {
  const { message } = input;
  const headers = Object.fromEntries(
    Object.entries(headersToStrings(message.headers)).map(([name, value]) => [
      storable(name),
      storable(value),
    ]),
  );
  const replayOf = headers[REPLAY_HEADERS.replayOf]?.trim();
  return {
    id: input.id,
    dlqTopic: input.dlqTopic,
    dlqPartition: input.dlqPartition,
    dlqOffset: BigInt(message.offset),
    originalTopic: clip(originalTopicOf(input.dlqTopic, headers), 249)!,
    originalPartition: integer(headers[DLQ_HEADERS.originalPartition]),
    originalOffset: offset(headers[DLQ_HEADERS.originalOffset]),
    originalTimestamp: date(headers[DLQ_HEADERS.originalTimestamp]),
    messageKey: message.key ? new Uint8Array(message.key) : null,
    value: message.value ? new Uint8Array(message.value) : null,
    headers,
    eventName: clip(input.facts.eventName ?? undefined, 100),
    eventId: clip(input.facts.eventId ?? undefined, 100),
    orderId: clip(input.facts.orderId ?? undefined, 100),
    correlationId: clip(input.facts.correlationId ?? undefined, 200),
    decodeError: clip(input.decodeError ?? undefined, 2000),
    errorCode: clip(headers[DLQ_HEADERS.errorCode]?.trim() || undefined, 100) ?? 'UNKNOWN',
    errorClass: clip(headers[DLQ_HEADERS.errorClass], 200),
    errorMessage: clip(headers[DLQ_HEADERS.errorMessage], 4000),
    attempts: integer(headers[DLQ_HEADERS.attempts]),
    consumerGroup: clip(headers[DLQ_HEADERS.consumerGroup], 200),
    failedAt: date(headers[DLQ_HEADERS.failedAt]) ?? date(message.timestamp) ?? input.now,
    replayOf: replayOf && UUID.test(replayOf) ? replayOf.toLowerCase() : null,
  };
}

/** What a replay sends: the original topic and partition, key and value, original headers plus the replay's. */
export interface ReplayMessage {
  topic: string;
  partition: number | undefined;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
}

export function replayMessage(
  row: {
    id: string;
    originalTopic: string;
    originalPartition: number | null;
    messageKey: Uint8Array | null;
    value: Uint8Array | null;
    headers: unknown;
  },
  replay: { at: Date; by: string },
): ReplayMessage {
  const headers: IHeaders = {};
  const stored =
    row.headers && typeof row.headers === 'object' ? (row.headers as Record<string, unknown>) : {};
  for (const [name, value] of Object.entries(stored)) {
    if (DLQ_HEADER_NAMES.has(name) || typeof value !== 'string') continue;
    headers[name] = value;
  }
  headers[REPLAY_HEADERS.replayOf] = row.id;
  headers[REPLAY_HEADERS.replayedAt] = replay.at.toISOString();
  headers[REPLAY_HEADERS.replayedBy] = replay.by;
  return {
    topic: row.originalTopic,
    partition: row.originalPartition ?? undefined,
    key: row.messageKey ? Buffer.from(row.messageKey) : null,
    value: row.value ? Buffer.from(row.value) : null,
    headers,
  };
}
