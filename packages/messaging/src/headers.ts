import type { IHeaders } from 'kafkajs';

/** Kafka header names used across the platform. */
export const HEADERS = {
  traceparent: 'traceparent',
  tracestate: 'tracestate',
  correlationId: 'correlation-id',
  causationId: 'causation-id',
  eventId: 'event-id',
  eventName: 'event-name',
  producer: 'producer',
  contentType: 'content-type',
} as const;

/** Headers added to a dead-lettered message (the original headers are kept). */
export const DLQ_HEADERS = {
  originalTopic: 'dlq-original-topic',
  originalPartition: 'dlq-original-partition',
  originalOffset: 'dlq-original-offset',
  originalTimestamp: 'dlq-original-timestamp',
  consumerGroup: 'dlq-consumer-group',
  errorCode: 'dlq-error-code',
  errorClass: 'dlq-error-class',
  errorMessage: 'dlq-error-message',
  attempts: 'dlq-attempts',
  failedAt: 'dlq-failed-at',
} as const;

export function headerValue(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  if (value === undefined || value === null) return undefined;
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return undefined;
  return Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
}

export function headersToStrings(headers: IHeaders | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const name of Object.keys(headers ?? {})) {
    const value = headerValue(headers, name);
    if (value !== undefined) result[name] = value;
  }
  return result;
}
