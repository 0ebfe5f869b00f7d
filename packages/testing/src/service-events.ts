import { randomUUID } from 'node:crypto';
import { topicOf, type EventMap, type EventName, type EventPayload } from '@fv/contracts';
import type { Kafka, Producer } from 'kafkajs';
import { waitUntilConsumed } from './consumer-offsets.js';
import type { EventCollector } from './event-collector.js';
import { waitFor } from './wait-for.js';

/** What the helpers here need of a schema-registry codec (the EventCodec of @fv/messaging). */
export interface EventCodecLike {
  encode<N extends EventName>(name: N, event: EventMap[N]): Promise<Buffer>;
  decode(topic: string, value: Buffer | null): Promise<{ name: EventName; event: EventMap[EventName] }>;
}

/**
 * Publishes events as the services that own them would: Avro in the Confluent wire format on the
 * event's topic, keyed by the correlation id, with an `event-id` header.
 */
export class EventPublisher {
  constructor(
    private readonly producer: Producer,
    private readonly codec: Pick<EventCodecLike, 'encode'>,
    /** The `producer` field of the envelope unless the caller names another. */
    private readonly source: string,
  ) {}

  /**
   * Publishes `payload` as event `name` and returns the full event. The envelope gets a new event id,
   * the current time and, as correlation id, the payload's order id (or a new id); `envelope`
   * overrides any of these.
   */
  async publish<N extends EventName>(
    name: N,
    payload: EventPayload<N>,
    envelope: Partial<EventMap[N]> = {},
  ): Promise<EventMap[N]> {
    const correlationId = (payload as { orderId?: string }).orderId ?? randomUUID();
    const event = {
      eventId: randomUUID(),
      occurredAt: Date.now(),
      correlationId,
      causationId: null,
      producer: this.source,
      ...payload,
      ...envelope,
    } as EventMap[N];
    await this.producer.send({
      topic: topicOf(name),
      acks: -1,
      messages: [
        {
          key: event.correlationId,
          value: await this.codec.encode(name, event),
          headers: { 'event-id': event.eventId },
        },
      ],
    });
    return event;
  }
}

/** The events an EventCollector has read, decoded with the registry as any consumer would. */
export class DecodedEvents {
  constructor(
    private readonly collector: EventCollector,
    private readonly codec: Pick<EventCodecLike, 'decode'>,
  ) {}

  /** The events of `name` read so far with message key `key` (in the order they were read). */
  async of<N extends EventName>(name: N, key: string): Promise<EventMap[N][]> {
    const topic = topicOf(name);
    const decoded: EventMap[N][] = [];
    for (const message of this.collector.messages.filter((m) => m.topic === topic && m.key === key)) {
      decoded.push((await this.codec.decode(topic, message.value)).event as EventMap[N]);
    }
    return decoded;
  }

  /** Waits until `count` events of `name` with message key `key` have been read, and returns them. */
  async waitFor<N extends EventName>(
    name: N,
    key: string,
    count = 1,
    timeoutMs = 30_000,
  ): Promise<EventMap[N][]> {
    return waitFor(
      async () => {
        const found = await this.of(name, key);
        return found.length >= count ? found : undefined;
      },
      { timeoutMs, description: `${count} ${name} event(s) keyed ${key}` },
    );
  }
}

/**
 * The event side of a test harness for one service: publishes what other services would, reads back
 * what the service published for an order, and waits for the service's consumer group to catch up. A
 * service's harness extends it and sets the connections when it starts the service.
 */
export abstract class ServiceEventsHarness {
  kafka!: Kafka;
  codec!: EventCodecLike;
  producer!: Producer;
  /** Collects the events the service publishes. */
  events!: EventCollector;
  /** The `producer` field of the events this harness publishes, e.g. `delivery-test`. */
  protected abstract readonly eventSource: string;
  /** The events the service consumes. */
  protected abstract readonly consumedEvents: readonly EventName[];
  /** The consumer group of the service under test. */
  protected abstract consumerGroup(): string;

  /** Publishes an event as its producing service would (Avro, keyed by the correlation id). */
  publish<N extends EventName>(
    name: N,
    payload: EventPayload<N>,
    envelope: Partial<EventMap[N]> = {},
  ): Promise<EventMap[N]> {
    return new EventPublisher(this.producer, this.codec, this.eventSource).publish(name, payload, envelope);
  }

  /** The decoded events the service published of one kind, for one order (in the order they were read). */
  published<N extends EventName>(name: N, orderId: string): Promise<EventMap[N][]> {
    return new DecodedEvents(this.events, this.codec).of(name, orderId);
  }

  /** Waits until the service has published `count` events of a kind for an order, and returns them. */
  waitForPublished<N extends EventName>(name: N, orderId: string, count = 1): Promise<EventMap[N][]> {
    return new DecodedEvents(this.events, this.codec).waitFor(name, orderId, count);
  }

  /** Waits until every message published so far to the consumed topics has been consumed. */
  waitUntilConsumed(): Promise<void> {
    return waitUntilConsumed(
      this.kafka,
      this.consumerGroup(),
      this.consumedEvents.map((name) => topicOf(name)),
    );
  }
}
