import { randomUUID } from 'node:crypto';
import { topicOf, type EventEnvelope, type EventMap, type EventName, type EventPayload } from '@fv/contracts';
import type { Kafka, Producer } from 'kafkajs';
import { waitUntilConsumed } from './consumer-offsets.js';
import type { CollectedMessage, EventCollector } from './event-collector.js';
import { waitFor, type WaitOptions } from './wait-for.js';

/** What the helpers here need of a schema-registry codec (the EventCodec of @fv/messaging). */
export interface EventCodecLike {
  encode<N extends EventName>(name: N, event: EventMap[N]): Promise<Buffer>;
  decode(topic: string, value: Buffer | null): Promise<{ name: EventName; event: EventMap[EventName] }>;
}

/** Fields of an event to set rather than default: envelope fields (any event's) or the event's own. */
export type EnvelopeOverrides<N extends EventName> = Partial<EventEnvelope> | Partial<EventMap[N]>;

/**
 * Publishes events as the services that own them would: Avro in the Confluent wire format on the
 * event's topic, keyed by the correlation id (unless told another key), with the `event-id`,
 * `event-name` and `correlation-id` headers the platform's outbox relay sets.
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
   * overrides any of these, and so do the envelope fields of a whole event given as `payload` (which
   * is then published as it is). The message key is the correlation id unless `options.key` is given.
   */
  async publish<N extends EventName>(
    name: N,
    payload: EventPayload<N>,
    envelope: EnvelopeOverrides<N> = {},
    options: { key?: string } = {},
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
          key: options.key ?? event.correlationId,
          value: await this.codec.encode(name, event),
          headers: { 'event-id': event.eventId, 'event-name': name, 'correlation-id': event.correlationId },
        },
      ],
    });
    return event;
  }
}

/**
 * Which of a kind of event to pick: those with message key `key` (a string), or those the predicate
 * accepts.
 */
export type EventMatch<N extends EventName> = string | ((event: EventMap[N]) => boolean);

/**
 * The events an EventCollector has read, decoded with the registry as any consumer would. Each message
 * is decoded once, however often it is looked at.
 */
export class DecodedEvents {
  private readonly decoded = new Map<string, Promise<EventMap[EventName]>>();

  constructor(
    readonly collector: EventCollector,
    private readonly codec: Pick<EventCodecLike, 'decode'>,
  ) {}

  /** The events of `name` read so far that `match` picks (in the order they were read). */
  async of<N extends EventName>(name: N, match: EventMatch<N>): Promise<EventMap[N][]> {
    const topic = topicOf(name);
    const found: EventMap[N][] = [];
    for (const message of this.collector.messages) {
      if (message.topic !== topic || (typeof match === 'string' && message.key !== match)) continue;
      const event = (await this.decode(message)) as EventMap[N];
      if (typeof match === 'string' || match(event)) found.push(event);
    }
    return found;
  }

  /** Waits until `count` events of `name` that `match` picks have been read, and returns them. */
  async waitFor<N extends EventName>(
    name: N,
    match: EventMatch<N>,
    count = 1,
    options: WaitOptions = {},
  ): Promise<EventMap[N][]> {
    return waitFor(
      async () => {
        const found = await this.of(name, match);
        return found.length >= count ? found : undefined;
      },
      {
        timeoutMs: 30_000,
        description: `${count} ${name} event(s)${typeof match === 'string' ? ` keyed ${match}` : ''}`,
        ...options,
      },
    );
  }

  private decode(message: CollectedMessage): Promise<EventMap[EventName]> {
    const id = `${message.topic}/${message.partition}/${message.offset}`;
    let event = this.decoded.get(id);
    if (!event) {
      event = this.codec.decode(message.topic, message.value).then((decoded) => decoded.event);
      // A failed decode (the registry unreachable for a moment) is tried again on the next look.
      event.catch(() => this.decoded.delete(id));
      this.decoded.set(id, event);
    }
    return event;
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

  private decodedEvents?: DecodedEvents;

  /**
   * Publishes an event as its producing service would (Avro, keyed by the correlation id unless
   * `options.key` names another key).
   */
  publish<N extends EventName>(
    name: N,
    payload: EventPayload<N>,
    envelope: EnvelopeOverrides<N> = {},
    options: { key?: string } = {},
  ): Promise<EventMap[N]> {
    return new EventPublisher(this.producer, this.codec, this.eventSource).publish(
      name,
      payload,
      envelope,
      options,
    );
  }

  /** Sends `value`, bytes that need not be an event, to the topic of `name` under message key `key`. */
  async publishRaw(name: EventName, key: string, value: Buffer): Promise<void> {
    await this.producer.send({ topic: topicOf(name), acks: -1, messages: [{ key, value }] });
  }

  /**
   * The decoded events of one kind the service has published so far, those with message key `match`
   * (an order id, as a rule) or those the predicate `match` accepts, in the order they were read.
   */
  published<N extends EventName>(name: N, match: EventMatch<N>): Promise<EventMap[N][]> {
    return this.decoded().of(name, match);
  }

  /** Waits until the service has published `count` events of a kind that `match` picks, and returns them. */
  waitForPublished<N extends EventName>(
    name: N,
    match: EventMatch<N>,
    count = 1,
    options: WaitOptions = {},
  ): Promise<EventMap[N][]> {
    return this.decoded().waitFor(name, match, count, options);
  }

  /** Waits for the first event of `name` the service published that `match` picks, and returns it. */
  async received<N extends EventName>(
    name: N,
    match: EventMatch<N>,
    description: string = name,
  ): Promise<EventMap[N]> {
    const [event] = await this.waitForPublished(name, match, 1, { description });
    return event!;
  }

  /** Waits until every message published so far to the consumed topics has been consumed. */
  waitUntilConsumed(): Promise<void> {
    return waitUntilConsumed(
      this.kafka,
      this.consumerGroup(),
      this.consumedEvents.map((name) => topicOf(name)),
    );
  }

  private decoded(): DecodedEvents {
    // The collector is set when the service starts; a harness started again gets new collectors.
    if (this.decodedEvents?.collector !== this.events)
      this.decodedEvents = new DecodedEvents(this.events, this.codec);
    return this.decodedEvents;
  }
}
