import { eventCatalog, eventNames } from './generated/catalog.js';
import type { EventName } from './generated/events.js';
import type { EventCatalogEntry } from './event-catalog-entry.js';

export type EventTopic<N extends EventName = EventName> = (typeof eventCatalog)[N]['topic'];
export type EventSubject<N extends EventName = EventName> = (typeof eventCatalog)[N]['subject'];

const eventNameByTopic: ReadonlyMap<string, EventName> = new Map(
  eventNames.map((name) => [eventCatalog[name].topic, name]),
);

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

/** The topic an event is published on: `topicOf('OrderCreated')` → `'order-created-events'`. */
export function topicOf<N extends EventName>(name: N): EventTopic<N> {
  return catalogEntryOf(name).topic;
}

/** The registry subject of an event's schema: `'order-created-events-value'`. */
export function subjectOf<N extends EventName>(name: N): EventSubject<N> {
  return catalogEntryOf(name).subject;
}

/** The event carried by a topic, or `undefined` for a topic that is not an event topic. */
export function eventNameOfTopic(topic: string): EventName | undefined {
  return eventNameByTopic.get(topic);
}
