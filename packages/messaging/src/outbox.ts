import { randomUUID } from 'node:crypto';
import { assertValidEvent, topicOf, type EventMap, type EventName, type EventPayload } from '@fv/contracts';
import { HEADERS } from './headers.js';
import type { SqlClient } from './sql-client.js';
import { injectTraceContext } from '@fv/service-kit/telemetry';
import { context as contextApi } from '@opentelemetry/api';
import { publishParent, startPublishSpan } from './message-spans.js';

export interface PublishMeta {
  /** The saga or request the event belongs to (the order id for the order saga). */
  correlationId: string;
  /** The event that caused this one, if any. */
  causationId?: string | null;
  /** Kafka message key; defaults to the correlation id so one order's events stay ordered. */
  key?: string;
  /**
   * W3C traceparent of the caller; the event's `publish` span is its child (or a child of the active
   * span, when that is in the same trace). Without either, the event starts a trace of its own.
   */
  traceparent?: string | null;
  /** Extra Kafka headers. */
  headers?: Record<string, string>;
  /** Fixed event id (for callers that derive ids deterministically); a random uuid otherwise. */
  eventId?: string;
}

export interface Outbox {
  readonly producer: string;
  /**
   * Writes the event to the transactional outbox through `tx`, the caller's Prisma transaction, so the
   * event exists if and only if the state change it describes was committed. The relay publishes it.
   * Throws EventValidationError from @fv/contracts (naming the fields) when the event does not match its schema.
   */
  publish<N extends EventName>(
    tx: SqlClient,
    name: N,
    payload: EventPayload<N>,
    meta: PublishMeta,
  ): Promise<EventMap[N]>;
}

export function createOutbox(options: { producer: string }): Outbox {
  return {
    producer: options.producer,
    async publish(tx, name, payload, meta) {
      const event = {
        ...payload,
        eventId: meta.eventId ?? randomUUID(),
        occurredAt: Date.now(),
        correlationId: meta.correlationId,
        causationId: meta.causationId ?? null,
        producer: options.producer,
      } as unknown as EventMap[typeof name];
      assertValidEvent(name, event);
      const topic = topicOf(name);
      const span = startPublishSpan(
        publishParent(contextApi.active(), meta.traceparent),
        topic,
        name,
        event.eventId,
      );
      const headers: Record<string, string> = {
        ...meta.headers,
        [HEADERS.correlationId]: meta.correlationId,
        [HEADERS.eventId]: event.eventId,
        [HEADERS.eventName]: name,
        [HEADERS.producer]: options.producer,
        [HEADERS.contentType]: 'application/vnd.confluent.avro',
      };
      if (meta.causationId) headers[HEADERS.causationId] = meta.causationId;
      injectTraceContext(span.context, headers);
      try {
        await tx.$executeRawUnsafe(
          `insert into outbox_events (event_id, event_name, topic, message_key, payload, headers)
           values ($1::uuid, $2, $3, $4, $5::jsonb, $6::jsonb)`,
          event.eventId,
          name,
          topic,
          meta.key ?? meta.correlationId,
          JSON.stringify(event),
          JSON.stringify(headers),
        );
      } finally {
        span.span.end();
      }
      return event;
    },
  };
}
