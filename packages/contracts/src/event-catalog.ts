import { eventCatalog, eventNames } from './generated/catalog.js';
import type { EventName } from './generated/events.js';
import type { EventCatalogEntry } from './event-catalog-entry.js';

export type EventTopic<N extends EventName = EventName> = (typeof eventCatalog)[N]['topic'];
export type EventSubject<N extends EventName = EventName> = (typeof eventCatalog)[N]['subject'];

/**
 * A namespace put before every event topic (KAFKA_TOPIC_PREFIX, read once when this module loads), so
 * that several deployments share one cluster without reading each other's events: `staging.` makes
 * `OrderCreated` travel on `staging.order-created-events` (and its dead letters on
 * `staging.order-created-events.DLQ`). Schema subjects are not prefixed: every namespace carries the same
 * events under the same schemas. Empty by default.
 */
export const topicPrefix: string = topicPrefixOf(process.env.KAFKA_TOPIC_PREFIX);

/** Checks a topic prefix: the characters Kafka admits in a topic name, and room for the longest name. */
export function topicPrefixOf(value: string | undefined): string {
  const prefix = value?.trim() ?? '';
  if (!/^[A-Za-z0-9._-]*$/.test(prefix) || prefix.length > 100) {
    throw new RangeError(
      `KAFKA_TOPIC_PREFIX "${prefix}" must be at most 100 of the characters a topic name admits (letters, digits, '.', '_', '-')`,
    );
  }
  return prefix;
}

const eventNameByTopic: ReadonlyMap<string, EventName> = new Map(
  eventNames.map((name) => [topicPrefix + eventCatalog[name].topic, name]),
);

/** The events of one domain folder under `schemas/` (`delivery`, `inventory`, …), in the catalog's order. */
export function eventNamesOfDomain(domain: string): EventName[] {
  return eventNames.filter((name) => eventCatalog[name].domain === domain);
}

/** Whether `value` names an event in the catalog. */
export function isEventName(value: string): value is EventName {
  return Object.hasOwn(eventCatalog, value);
}

/** The catalog entry of an event. Throws on a name that is not in the catalog. */
export function catalogEntryOf<N extends EventName>(
  name: N,
): EventCatalogEntry<N> & (typeof eventCatalog)[N] {
  if (!isEventName(name))
    throw new TypeError(`Unknown event "${String(name)}"; known events: ${eventNames.join(', ')}`);
  return eventCatalog[name] as EventCatalogEntry<N> & (typeof eventCatalog)[N];
}

/**
 * The topic an event is published on: `topicOf('OrderCreated')` → `'order-created-events'`, after the
 * deployment's topic prefix when there is one (the literal type names the topic without it).
 */
export function topicOf<N extends EventName>(name: N): EventTopic<N> {
  return (topicPrefix + catalogEntryOf(name).topic) as EventTopic<N>;
}

/** The registry subject of an event's schema: `'order-created-events-value'`. */
export function subjectOf<N extends EventName>(name: N): EventSubject<N> {
  return catalogEntryOf(name).subject;
}

/** The event carried by a topic, or `undefined` for a topic that is not an event topic. */
export function eventNameOfTopic(topic: string): EventName | undefined {
  return eventNameByTopic.get(topic);
}
